"""What copying sites do to a notice, and what the catalogue and the index still read from it.

Each case is a made-up notice with one kind of damage seen on web copies: a signature date
with a blank day or with its 年月日 lost, a 文号 that lost its 〕 and 号, two issuers signing
one under another, a title wrapped before its span, a table flattened to one cell per line.
"""
from __future__ import annotations

from qa.answering.header import field_line
from qa.corpus.cleaning import clean
from qa.metadata import extract_metadata
from qa.metadata.header import repaired_doc_number, signature_date
from qa.records import DocMeta


def _notice(signature: str, *, number: str = "", title: str = "2018年全市卫生健康工作要点",
            portal: str = "") -> str:
    return "\n".join(x for x in [
        portal,
        number,
        f"关于印发{title}的通知",
        "各旗县区卫生健康委,委直属各单位:",
        f"现将《{title}》印发给你们,请认真贯彻落实。",
        signature,
        title,
        "一、加强疾病预防控制",
        "完善公共卫生服务体系,提升基层服务能力。",
    ] if x)


def test_a_signature_whose_day_was_left_blank_still_names_the_issuer_and_its_place():
    meta = extract_metadata(_notice("赤峰市卫生健康委员会办公室\n2018年4月 日", portal="发布日期:2018年05月04日"))
    assert meta["issuer"] == "赤峰市卫生健康委员会办公室"
    assert (meta["province"], meta["city"], meta["district"]) == ("内蒙古自治区", "赤峰市", "")
    # signed in April with no day: the portal's later publication date is not the issue date
    assert meta["date"] == ""
    assert meta["year"] == 2018


def test_a_signature_date_that_lost_its_characters_is_read_where_it_splits_one_way():
    meta = extract_metadata(_notice("呼伦贝尔市卫生健康委员会\n2019428"))
    assert meta["issuer"] == "呼伦贝尔市卫生健康委员会"
    assert meta["date"] == "2019-04-28"
    assert signature_date("20241222") == "2024-12-22"
    assert signature_date("2019111") is None  # 1-11 or 11-1: not guessed
    assert signature_date("201912") is None  # too short to be a date
    assert signature_date("2018年4月 日") == ""  # a date line, but no day


def test_joint_issuers_signing_one_under_another_are_all_named():
    text = _notice("中共阿荣旗委办公室\n阿荣旗人民政府办公室\n2021年7月15日", title="阿荣旗全民健康水平提升行动实施方案")
    meta = extract_metadata(text)
    assert meta["issuer"] == "中共阿荣旗委办公室、阿荣旗人民政府办公室"
    assert meta["date"] == "2021-07-15"
    assert meta["district"] == "阿荣旗"


def test_a_doc_number_that_lost_its_bracket_is_repaired_and_the_answer_quotes_it_as_printed():
    assert repaired_doc_number("赤政办〔201912") == ("赤政办〔2019〕12号", "赤政办〔201912", 2019)
    assert repaired_doc_number("赤政办〔2019〕12号") == ("", "", None)  # intact: read by the usual pattern
    meta = extract_metadata(_notice("赤峰市人民政府办公室\n2019年4月28日", number="赤政办〔201912"))
    assert meta["doc_number"] == "赤政办〔2019〕12号"
    assert meta["sources"]["doc_number"]["printed"] == "赤政办〔201912"
    doc = DocMeta(doc_id="d", file="d.txt", title="2018年全市卫生健康工作要点", doc_number=meta["doc_number"],
                  sources=meta["sources"])
    line = field_line("doc_number", doc, en=False)
    assert line == "《2018年全市卫生健康工作要点》的文号是赤政办〔2019〕12号（原文印作“赤政办〔201912”）。"
    assert "(printed as 赤政办〔201912)" in field_line("doc_number", doc, en=True)


def test_a_title_wrapped_before_its_span_is_read_whole():
    text = "\n".join(["赤政办函〔2025〕15号", "各有关单位:", "《赤峰市人均预期寿命提升行动计划(2024-2027年)》已经市政府同意。",
                      "赤峰市人民政府办公室", "2025年4月30日", "赤峰市人均预期寿命提升行动计划", "(2024-2027年)主要目标任务",
                      "一、主要目标"])
    assert extract_metadata(text)["title"] == "赤峰市人均预期寿命提升行动计划(2024-2027年)主要目标任务"


def test_a_city_speaking_of_itself_by_the_name_it_shares_with_a_county_has_no_district():
    """南昌 is 南昌市 and 南昌县: a city government's "健康南昌建设" is the city's own campaign."""
    text = "\n".join(["南昌市人民政府办公室", "2023年12月25日", "南昌市公共卫生体系建设三年行动计划",
                      "结合南昌实际,推进健康南昌建设,制定本行动计划。"])
    meta = extract_metadata(text)
    assert (meta["city"], meta["district"]) == ("南昌市", "")


_FLAT = ["序号 |", "指标名称 |", "单位 |", "2023年 |", "2025年 |", "牵头单位 |",
         "1 |", "人均预期寿命 |", "岁 |", "78.1 |", "≥79.2 |", "市卫健局 |",
         "2 |", "居民健康素养水平 |", "% |", "30.2 |", "每年提升2%左右,不低于全省平均水平 |", "市卫健局 |",
         "序号 |", "指标名称 |", "单位 |", "2023年 |", "2025年 |", "牵头单位 |",
         "3 |", "婴儿死亡率 |", "‰ |", "2.2 |", "持续改善 |", "市卫健局 |"]


def test_a_table_flattened_to_one_cell_per_line_gets_its_rows_back():
    source = "主要目标任务\n\n" + "\n\n".join(_FLAT) + "\n\n二、保障措施\n"
    cleaned = clean(source)
    lines = cleaned.text.splitlines()
    assert "1 |\t人均预期寿命 |\t岁 |\t78.1 |\t≥79.2 |\t市卫健局 |" in lines
    # a cell holding a comma is not glued to the next cell as if a page break had cut a sentence
    assert "2 |\t居民健康素养水平 |\t% |\t30.2 |\t每年提升2%左右,不低于全省平均水平 |\t市卫健局 |" in lines
    # the table goes on under a repeated header
    assert "3 |\t婴儿死亡率 |\t‰ |\t2.2 |\t持续改善 |\t市卫健局 |" in lines
    assert lines.count("序号 |\t指标名称 |\t单位 |\t2023年 |\t2025年 |\t牵头单位 |") == 2
    # only line breaks became tabs: a citation still maps onto the file as received
    a = cleaned.text.index("人均预期寿命")
    s, e = cleaned.source_span(a, a + 6)
    assert source[s:e] == "人均预期寿命"


def test_a_portal_block_and_short_runs_of_cells_are_left_alone():
    portal = "索引号: | 1234/2024-01 | 发布机构: | |\n文 号: | 所属主题: | 政策文件 |\n"
    assert "\t" not in clean(portal + "\n".join(_FLAT[:8])).text
