"""Cleaning: what is removed, what is joined, and the map back to the source.

Excerpts are copied verbatim from corpus/*.txt (with their page breaks); the
same behaviour is then checked on the real documents.
"""
from __future__ import annotations

import random
import re

import pytest

from qa.corpus.cleaning import clean
from qa.corpus.documents import load_corpus

SUBSTITUTED_SPACES = "\u3000\u00a0\u2002\u2003\u2009"


@pytest.fixture(scope="module")
def docs():
    return {d.doc_id: d for d in load_corpus()}


def check_offsets(ct) -> None:
    """Every cleaned character comes from the source character its offset names."""
    assert len(ct.offsets) == len(ct.text)
    assert list(ct.offsets) == sorted(set(ct.offsets))  # strictly increasing
    for ch, o in zip(ct.text, ct.offsets):
        assert ch == ct.source[o] or (ch == " " and ct.source[o] in SUBSTITUTED_SPACES)
    assert ct.project(0, len(ct.source)) == ct.text


# --- edge cases -------------------------------------------------------------

@pytest.mark.parametrize("source, expected", [
    ("", ""),
    ("安", "安"),
    ("a", "a"),
    ("   ", ""),
    ("\n\n \u3000\n", ""),
    ("\r\n\r\n一、总体要求\r\n\r\n1. 加强管理。\r\n", "一、总体要求\n1. 加强管理。"),
    ("Mixed 中文 and English 2021 年", "Mixed 中文 and English 2021年"),
    ("重点工作 安排", "重点工作安排"),
    ("成立 100 周年", "成立100周年"),
    ("第一段。\n\n\n\n第二段。", "第一段。\n第二段。"),
])
def test_edge_cases(source, expected):
    ct = clean(source)
    assert ct.text == expected
    check_offsets(ct)


def test_100k_characters_are_cleaned_and_mapped():
    source = ("加强基层医疗卫生服务能力建设，提升群众获得感、安\n\n全感。\n\n" * 3000)[:100_000]
    ct = clean(source)
    assert "安全感" in ct.text and "\n\n" not in ct.text
    check_offsets(ct)


def test_property_offsets_on_random_text():
    """Random mixes of the characters cleaning cares about keep an exact map."""
    pieces = ["一、", "（一）", "1.", "一是", "安", "全感", "，", "。", "：", "**", "*", "\n", "\n\n",
              " ", "\u3000", "\t", "x", "...", "…", "）", "的", "2021", "年", "\r\n",
              "( wWw.850500.cOm 转载请注明 )"]
    rng = random.Random(7)
    for _ in range(500):
        source = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 60)))
        ct = clean(source)
        check_offsets(ct)
        assert "\n\n" not in ct.text and ct.text == ct.text.strip("\n")


# --- source_span / project ----------------------------------------------------

def test_source_span_round_trip_on_real_documents(docs):
    rng = random.Random(3)
    for d in docs.values():
        ct = d.cleaned
        check_offsets(ct)
        for _ in range(200):
            a = rng.randrange(len(ct.text))
            b = rng.randint(a + 1, min(len(ct.text), a + 500))
            s, e = ct.source_span(a, b)
            assert ct.project(s, e) == ct.text[a:b]
            assert d.source[s] == ct.text[a] or ct.text[a] == " "
            assert d.source[e - 1] == ct.text[b - 1] or ct.text[b - 1] == " "


@pytest.mark.parametrize("span", [(0, 0), (5, 5), (-1, 3), (3, 2), (0, 10**9)])
def test_source_span_rejects_bad_spans(docs, span):
    with pytest.raises(ValueError, match="bad cleaned span"):
        docs["gulou-2021"].cleaned.source_span(*span)


def test_line_spans_are_the_non_empty_lines():
    ct = clean("一、总体要求\n\n1. 加强管理。\n  \n2. 强化保障。")
    assert [ct.text[a:b] for a, b in ct.line_spans()] == ["一、总体要求", "1. 加强管理。", "2. 强化保障。"]


# --- noise removed --------------------------------------------------------------

def test_lucheng_watermark_removed_from_excerpt():
    excerpt = "疗卫生服务举措。全面推进审批数字化改革,积极推进“最多跑一次改革”工作。( wWw.850500.cOm 转载请注明 )"
    ct = clean(excerpt)
    assert ct.text == "疗卫生服务举措。全面推进审批数字化改革,积极推进“最多跑一次改革”工作。"
    check_offsets(ct)


def test_lucheng_watermark_removed_from_document(docs):
    text = docs["lucheng-2021"].cleaned.text
    assert "850500" not in text and "转载请注明" not in text and "wWw" not in text
    assert text.endswith("积极推进“最多跑一次改革”工作。")


def test_jiading_scraped_summary_line_removed(docs):
    d = docs["jiading-2024"]
    first_source_line = d.source.split("\n")[0]
    assert first_source_line.endswith("推动卫...")
    text = d.cleaned.text
    assert "推动卫..." not in text and "..." not in text
    assert text.startswith("2024年卫生健康工作要点\n2024年**卫生健康工作将积极践行")
    # the full paragraph it summarised is still there, once
    assert text.count("2024年**卫生健康工作将积极践行") == 1


def test_truncated_line_that_is_not_a_copy_is_kept():
    line = "这一行以省略号结尾但在后文中并没有重复出现过，所以它不是抓取时留下的摘要而是正文的一部分..."
    ct = clean(line + "\n一、总体要求\n1. 加强管理。")
    assert ct.text.startswith(line)


def test_jiading_masked_place_names_are_kept(docs):
    d = docs["jiading-2024"]
    text = d.cleaned.text
    body_source = d.source.split("\n", 1)[1]  # without the dropped summary line
    assert text.count("**") == body_source.count("**") == 25
    for phrase in ["扎实推进健康**建设", "按计划推进**医院、**医院、**医院的区域性医疗中心建设",
                   "22.深入推进健康**行动", "稳步推进“市一-**”整合型健康共同体", "指导**、**等5个街镇"]:
        assert phrase in text


def test_jiading_mask_excerpt_kept():
    excerpt = "13.加强区域性医疗中心建设。进一步提高中心医院区域性医疗中心服务能力，按计划推进**医院、**医院、**医院的区域性医疗中心建设。"
    assert clean(excerpt).text == excerpt


def test_zhoucun_markdown_bold_stripped_from_excerpt():
    excerpt = ("的规范管理和运行发展，创出周村特色，推动优质医疗资源支持基层。（**责任领导**:蔡海英，**牵头科室**:基妇科，"
               "**责任科室单位**:区人民医院）\n\n"
               "构建人群免疫屏障。（**责任领导：**吕峰、蔡海英，**牵头科室：**医政医管与疾控监督科）")
    ct = clean(excerpt)
    assert "**" not in ct.text
    assert "（责任领导:蔡海英，牵头科室:基妇科，责任科室单位:区人民医院）" in ct.text
    assert "（责任领导：吕峰、蔡海英，牵头科室：医政医管与疾控监督科）" in ct.text
    check_offsets(ct)


def test_zhoucun_markdown_bold_stripped_from_document(docs):
    d = docs["zhoucun-2021"]
    assert d.source.count("**") == 48
    text = d.cleaned.text
    assert "**" not in text
    assert "（责任领导：吕峰、蔡海英，牵头科室：医政医管与疾控监督科" in text
    assert "(责任领导: 蔡海英" in text  # "(**责任领导:** 蔡海英": markers gone, the text's own space kept


# --- page-break joins ---------------------------------------------------------

@pytest.mark.parametrize("excerpt, joined", [
    # gulou item 1: "安\n\n全感"
    ("1. 认真编制“十四五”发展规划。编制实施我区“十四五”卫生健康专项规划，不断提高群众健康获得感、安\n\n全感、幸福感。\n\n"
     "二、健全完善疾病预防控制体系",
     "不断提高群众健康获得感、安全感、幸福感。\n二、健全完善疾病预防控制体系"),
    # gulou item 5
    ("5. 持续开展爱国卫生运动。全力消除卫生盲区，做好除灭“四害”工作，提升宜居环境的同\n\n时减少和杜绝登革热等蚊虫传播传染病疫情的发生风险。",
     "提升宜居环境的同时减少和杜绝登革热"),
    # zhoucun （三）: a break after a closing bracket, continued by 的
    ("持续推进村卫生室产权公有工作，积极推进紧密型镇村一体化管理。加强业务院长和基层名医工作站（室）\n\n的规范管理和运行发展，创出周村特色，推动优质医疗资源支持基层。",
     "基层名医工作站（室）的规范管理和运行发展"),
    # zhoucun （四）: the break falls inside the bold label
    ("快推进社会心理服务体系建设和健康扶贫工作，持续巩固脱贫攻坚成果。（**责任领**\n\n"
     "导:吕峰、蔡海英, **牵头科室:** 基妇科、医政医管与疾控监督科, **责任科室单位:** 区人民医院、区妇幼保健院)",
     "持续巩固脱贫攻坚成果。（责任领导:吕峰、蔡海英, 牵头科室: 基妇科、医政医管与疾控监督科, 责任科室单位: 区人民医院"),
    # jiading item 18: a line split in three, with an indent
    ("18.提升社区卫生服务机构综合服务能级。开展新一轮社区卫生服务综合评价和优质服务基层行活动。加强“全专联合”，推进5\n"
     "个区域\n 中心建设，提高辖区慢性病的诊疗和管理水平。",
     "加强“全专联合”，推进5个区域中心建设，提高辖区慢性病的诊疗和管理水平。"),
    # weidong items 11 and 15
    ("11. 强化食品安全风险监测。加强食品安全风险评估能力建设，增强风险监测针对性和代表性，食源性疾病预防网络覆盖所\n\n"
     "有乡镇卫生院(社区卫生服务中心), 把好食品安全源头关。",
     "食源性疾病预防网络覆盖所有乡镇卫生院(社区卫生服务中心), 把好食品安全源头关。"),
    ("15. 提高基层医生待遇。落实基层医务人员保障激励政策、\n\n公益一类工资保障政策、“两个允许”和基层医务人员生活补助制度",
     "落实基层医务人员保障激励政策、公益一类工资保障政策"),
], ids=["gulou-1", "gulou-5", "zhoucun-3", "zhoucun-4-bold", "jiading-18", "weidong-11", "weidong-15"])
def test_page_break_joined_in_excerpt(excerpt, joined):
    ct = clean(excerpt)
    assert joined in ct.text
    check_offsets(ct)


@pytest.mark.parametrize("doc_id, joined", [
    ("gulou-2021", "不断提高群众健康获得感、安全感、幸福感。"),
    ("gulou-2021", "提升宜居环境的同时减少和杜绝登革热"),
    ("weidong-2021", "食源性疾病预防网络覆盖所有乡镇卫生院"),
    ("weidong-2021", "加强人才队伍建设，坚持引进与培养并重"),
    ("zhoucun-2021", "基层名医工作站（室）的规范管理和运行发展"),
    ("zhoucun-2021", "（责任领导:吕峰、蔡海英, 牵头科室: 基妇科"),
    ("zhoucun-2021", "完成实验室改扩建项目，完善疫情监测预警系统"),
    ("jiading-2024", "加强“全专联合”，推进5个区域中心建设，提高辖区慢性病的诊疗和管理水平。"),
])
def test_page_break_joined_in_document(docs, doc_id, joined):
    assert joined in docs[doc_id].cleaned.text


HEADER_LINES = {
    "gulou-2021": ["福州市鼓楼区卫生健康局", "鼓卫办〔2021〕3号", "关于印发《2021年鼓楼区卫生健康工作要点》的通知",
                   "区疾控中心/卫生监督所，区妇幼保健院，各街道（镇）卫健办、社区卫生服务中心：",
                   "鼓楼区卫生健康局", "2021年3月18日", "（此件主动公开）", "2021年鼓楼区卫生健康工作要点"],
    "weidong-2021": ["平顶山市卫东区卫生健康委员会文件", "平卫卫（2021）18号",
                     "平顶山市卫东区卫生健康委员会关于印发《2021年全区卫生健康重点工作安排》的通知",
                     "辖区各级各类医疗卫生机构：", "2021年全区卫生健康重点工作安排"],
    "zhoucun-2021": ["淄博市周村区卫生健康局文件", "周卫健字〔2021〕20号", "签发人：李芒",
                     "关于印发《周村区医疗卫生服务建设推进年活动实施方案》的通知", "系统各单位，局机关相关科室：",
                     "周村区卫生健康局", "2021年2月26日", "周村区医疗卫生服务建设推进年活动实施方案",
                     "区卫生健康系统落实突破事项汇总表", "填报单位：", "时间：年月日"],
    "jiading-2024": ["2024年卫生健康工作要点"],
}


@pytest.mark.parametrize("doc_id", sorted(HEADER_LINES))
def test_header_and_title_lines_are_not_glued(docs, doc_id):
    lines = docs[doc_id].cleaned.text.split("\n")
    for expected in HEADER_LINES[doc_id]:
        assert expected in lines


def test_header_excerpt_lines_stay_apart():
    excerpt = ("\n\n福州市鼓楼区卫生健康局\n\n鼓卫办〔2021〕3号\n\n关于印发《2021年鼓楼区卫生健康工作要点》的通知\n\n"
               "区疾控中心/卫生监督所，区妇幼保健院，各街道（镇）卫健办、社区卫生服务中心：\n\n"
               "《2021年鼓楼区卫生健康工作要点》已经我局党组会议研究通过，现印发你们，请结合各自实际，认真抓好贯彻落实。\n\n\n"
               "鼓楼区卫生健康局\n2021年3月18日\n\n（此件主动公开）\n\n2021 年鼓楼区卫生健康工作要点\n\n"
               "2021 年是中国共产党成立 100 周年，是开启“十四五”及各项重大战略规划的起步之年。\n\n"
               "一、科学编制“十四五”卫健专项规划\n\n1. 认真编制“十四五”发展规划。按照省市卫健事业发展规划部署。")
    assert clean(excerpt).text.split("\n") == [
        "福州市鼓楼区卫生健康局", "鼓卫办〔2021〕3号", "关于印发《2021年鼓楼区卫生健康工作要点》的通知",
        "区疾控中心/卫生监督所，区妇幼保健院，各街道（镇）卫健办、社区卫生服务中心：",
        "《2021年鼓楼区卫生健康工作要点》已经我局党组会议研究通过，现印发你们，请结合各自实际，认真抓好贯彻落实。",
        "鼓楼区卫生健康局", "2021年3月18日", "（此件主动公开）", "2021年鼓楼区卫生健康工作要点",
        "2021年是中国共产党成立100周年，是开启“十四五”及各项重大战略规划的起步之年。",
        "一、科学编制“十四五”卫健专项规划", "1. 认真编制“十四五”发展规划。按照省市卫健事业发展规划部署。",
    ]


@pytest.mark.parametrize("excerpt", [
    # a heading with a comma and no full stop, then its first item (jiading)
    "一、加强人物同防，抓实抓细常态化疫情防控\n1.强化疫情防控协同联动。在区疫情防控工作领导小组的统一指挥下。",
    # an unfinished paragraph followed by a heading of each level
    "加强业务院长和基层名医工作站，推动优质医疗资源支持基层\n\n二、活动内容",
    "加强业务院长和基层名医工作站，推动优质医疗资源支持基层\n\n（二）继续深化医药卫生体制改革",
    "加强业务院长和基层名医工作站，推动优质医疗资源支持基层\n\n(五) 积极推动中医药产业建设",
    "加强业务院长和基层名医工作站，推动优质医疗资源支持基层\n\n12. 加强基层卫生人才队伍建设",
    "加强业务院长和基层名医工作站，推动优质医疗资源支持基层\n\n（1）加强组织领导",
    "加强业务院长和基层名医工作站，推动优质医疗资源支持基层\n\n二是卫健数字化改革初显成效",
    # the form table's rows are never glued to their neighbours (zhoucun)
    "区卫生健康系统落实突破事项汇总表\n\n填报单位：\n\n时间： 年 月 日\n\n序号\t突破事项名称\t具体内容\t措施\t完成时限\t分管责任人\t责任科室\n\n"
    "注明：区人民医院、区妇幼保健院、区疾控中心各填报 2-3 项",
    # a task list: a task cut without its full stop, then its labelled fields
    "2.加强重大公共卫生安全风险源头防控，切实保障人民群众生命安全\n\n牵头责任单位:县卫健委\n\n"
    "主要协作单位:各乡镇人民政府、县政府有关部门",
])
def test_no_join_before_headings_or_tables(excerpt):
    ct = clean(excerpt)
    expected_lines = len([ln for ln in excerpt.split("\n") if ln.strip()])
    assert len(ct.text.split("\n")) == expected_lines


@pytest.mark.parametrize("doc_id", ["gulou-2021", "weidong-2021", "lucheng-2021", "zhoucun-2021", "jiading-2024"])
def test_every_heading_line_still_starts_a_line(docs, doc_id):
    """No 一、/（一）/1. heading of the source was glued onto the line before it."""
    d = docs[doc_id]
    heading = re.compile(r"^\s*(?:[一二三四五六七八九十]{1,3}、|[（(][一二三四五六七八九十]{1,3}[）)]|\d{1,2}[.．、](?!\d))")
    squashed_lines = [re.sub(r"\s", "", ln) for ln in d.cleaned.text.split("\n")]
    source_headings = [re.sub(r"\s", "", ln) for ln in d.source.split("\n") if heading.match(ln)]
    assert source_headings, "every document has headings"
    for h in source_headings:
        assert any(ln.startswith(h[:12]) for ln in squashed_lines), h


def test_table_row_tabs_survive(docs):
    text = docs["zhoucun-2021"].cleaned.text
    assert "\n序号\t突破事项名称\t具体内容\t措施\t完成时限\t分管责任人\t责任科室\n" in text


def test_spaces_between_cjk_removed_but_not_in_latin(docs):
    gulou = docs["gulou-2021"].cleaned.text
    assert "2021年是中国共产党成立100周年" in gulou
    assert "每人每年79元" in gulou
    assert "2021 年" not in gulou
    zhoucun = docs["zhoucun-2021"].cleaned.text
    assert "社会主义思想 and 党的十九大" in zhoucun  # a Latin word keeps its spaces


def test_cleaning_is_deterministic(docs):
    for d in docs.values():
        again = clean(d.source)
        assert again == d.cleaned


def test_a_key_line_in_the_document_s_own_prose_is_kept_but_navigation_is_not():
    source = ("索引号:123-456\n发布机构:某县卫生健康局\n"
              "公示时间为2020年6月11日至6月18日,若有异议,可通过来信、来电、来访等形式向某县卫生健康局反映。\n"
              "地址:某县某镇牡丹路9号邮编:411218\n上一篇:关于开展某项工作的通知\n")
    text = clean(source).text
    assert "索引号" not in text  # the portal's noise keys above the document
    assert "发布机构:某县卫生健康局" in text  # a header fact, kept for display
    assert "地址:某县某镇牡丹路9号" in text  # where to send objections: the notice's own words
    assert "上一篇" not in text  # a link to another page, wherever it stands
