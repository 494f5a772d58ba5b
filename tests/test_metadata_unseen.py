"""Metadata recognition on real plans from issuers nobody here curated
(eval/unseen/), against the hand-checked table in its manifest, and
`python -m qa add` on a web-page copy, a .docx and a PDF of them."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from qa.corpus.documents import DEFAULT_CORPUS
from qa.corpus.ingest import extract_text
from qa.metadata import extract_metadata

UNSEEN = Path(__file__).resolve().parent.parent / "eval" / "unseen"
MANIFEST = json.loads((UNSEEN / "manifest.json").read_text(encoding="utf-8"))["documents"]
FIELDS = ("issuer", "province", "city", "district", "year", "doc_number", "date", "title")
FLOOR = 0.95  # share of the fields the texts state that must be recognised exactly


@pytest.fixture(scope="module")
def recognised() -> dict[str, dict]:
    return {d["doc_id"]: extract_metadata(extract_text(UNSEEN / d["file"])) for d in MANIFEST}


def test_the_set_covers_every_format():
    suffixes = {Path(d["file"]).suffix for d in MANIFEST}
    assert {".txt", ".docx", ".pdf"} <= suffixes and len(MANIFEST) >= 10
    assert all(d["source_url"].startswith("http") for d in MANIFEST)


def test_fields_the_texts_state_are_recognised(recognised):
    stated = right = 0
    wrong = []
    for d in MANIFEST:
        found = recognised[d["doc_id"]]
        for f in FIELDS:
            want = d["expected"].get(f)
            if want in ("", None):
                continue
            stated += 1
            if found[f] == want:
                right += 1
            else:
                wrong.append(f"{d['doc_id']}.{f}: want {want!r}, got {found[f]!r}")
    print(f"\nmetadata on unseen documents: {right}/{stated} = {right / stated:.3f}")
    assert right / stated >= FLOOR, "\n".join(wrong)


def test_a_place_is_never_invented(recognised):
    # a place field the hand-checked table leaves empty must stay empty
    invented = [f"{d['doc_id']}.{f}={recognised[d['doc_id']][f]}" for d in MANIFEST
                for f in ("province", "city", "district")
                if d["expected"].get(f) in ("", None) and recognised[d["doc_id"]][f]]
    assert not invented


def test_every_field_says_where_it_came_from(recognised):
    for found in recognised.values():
        for f in FIELDS:
            if found[f] not in ("", None):
                src = found["sources"][f]
                assert src["from"] and src["confidence"] in ("high", "medium", "low")


@pytest.mark.parametrize("suffix", [".txt", ".docx", ".pdf"])
def test_qa_add_prints_what_it_recognised(tmp_path, suffix):
    doc = next(d for d in MANIFEST if d["file"].endswith(suffix) and d["expected"]["city"])
    corpus = tmp_path / "corpus"
    shutil.copytree(DEFAULT_CORPUS, corpus)
    src = tmp_path / Path(doc["file"]).name
    shutil.copy(UNSEEN / doc["file"], src)
    out = subprocess.run([sys.executable, "-m", "qa", "--corpus", str(corpus), "add", str(src)],
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    exp = doc["expected"]
    for value in (exp["city"], exp["district"], exp["doc_number"], exp["date"], exp["title"]):
        if value:
            assert value in out.stdout, (value, out.stdout)
    assert "— not found" in out.stdout or all(exp[f] for f in ("district", "doc_number", "date"))


def test_a_news_pages_headline_is_the_line_above_its_byline_not_the_sites_slogan():
    text = "\n".join([
        "打造网上投资促进平台 致力于投资促进事业",  # the site's slogan
        "您现在的位置:首页 > 新闻 > 甲县 > 文字新闻",
        "甲县召开2023年慢性病综合防控示范区创建工作启动会",
        "发布时间:2023-04-26  来源:甲县融媒体中心",
        "为切实落实慢性病综合防控示范区建设要求,4月24日,甲县召开启动会。",
    ])
    meta = extract_metadata(text)
    assert meta["title"] == "甲县召开2023年慢性病综合防控示范区创建工作启动会"
    assert meta["date"] == "2023-04-26"


def test_a_reporters_byline_is_no_title_and_a_pipe_table_portal_block_is_read():
    byline = "\n".join(["来源:乙市客户端", "2020-05-28", "乙市日报·乙市客户端记者 徐某 通讯员 刘某某",
                        "5月28日上午,甲县2020年卫生健康工作会议召开。会议总结回顾了2019年工作。"])
    assert extract_metadata(byline)["title"] == ""
    table = "\n".join(["索引号 | 001008003002001/2022-41470 | ||", "组配分类 | 专项规划 | 发布机构 | 区卫健局 |",
                       "生成日期 | 2022-01-18 | 公开方式 | 主动公开 |",
                       "日前,甲县印发卫生健康事业发展规划,明确了七个方面的工作任务。"])
    meta = extract_metadata(table)
    assert meta["date"] == "2022-01-18" and meta["year"] == 2022
    assert "生成日期" not in meta["title"]  # the block's row is no title
    assert meta["issuer"] == ""  # "区卫健局" names no place: whose bureau is not stated
    # a 十一五 plan the portal generated in 2014: years after every year its text names, a later copy
    reposted = table.replace("2022-01-18", "2014-11-28").replace(
        "日前,甲县印发卫生健康事业发展规划", "现结合我县实际,特制定甲县卫生事业发展“十一五”(2006-2010年)规划")
    assert extract_metadata(reposted)["date"] == ""


def test_a_document_sharing_sites_upload_date_is_not_the_plans_date():
    text = "\n".join(["甲县2012年艾滋病防治工作计划", "ID:17977367", "大小:29.50 KB", "时间:2018-09-12",
                      "为进一步加强我县艾滋病预防与控制工作,特制定本计划。"])
    meta = extract_metadata(text)
    assert meta["year"] == 2012 and meta["date"] == ""
    # a page posted the year after its plan's year keeps the posting date, marked as the page's
    meta = extract_metadata(text.replace("时间:2018-09-12", "时间:2013-01-05"))
    assert meta["date"] == "2013-01-05" and meta["sources"]["date"]["confidence"] == "low"


# Places below are real divisions (the gazetteer must know them) that no evaluation set uses.

def test_a_city_news_item_names_its_city_by_the_bureau_that_speaks():
    # no issuer, title place or county: "记者从XX市卫生局获悉" is the city speaking of itself
    text = "\n".join(["2020年我市人均期望寿命将达76岁以上",
                      "2013-3-18 16:16:46 某某热线 来源:某某热线",
                      "3月13日,记者从鹤壁市卫生局获悉,根据市政府近日下发的区域卫生规划,到2020年人均期望寿命将达76岁以上。"])
    meta = extract_metadata(text)
    assert (meta["province"], meta["city"], meta["district"]) == ("河南省", "鹤壁市", "")
    # the byline opens with its date before any key: the page's date, and the year it was written
    assert meta["date"] == "2013-03-18" and meta["year"] == 2013


def test_a_county_level_city_named_only_by_its_short_form_is_recognised():
    text = "\n".join(["3月17日,我市召开2015年全市卫生工作会议。",
                      "副市长要求,为打造“实力桦甸、生态桦甸”作出卫生系统的积极贡献,推动全市卫生惠民工程。"])
    meta = extract_metadata(text)
    assert (meta["city"], meta["district"]) == ("吉林市", "桦甸市")
    assert meta["sources"]["district"]["confidence"] == "low"
    # once, it may be a word; and the level the text speaks at must fit (全县 is no 市)
    assert extract_metadata(text.replace("、生态桦甸", ""))["district"] == ""
    assert extract_metadata(text.replace("我市", "我县").replace("全市", "全县"))["district"] == ""


def test_a_county_a_city_plan_is_addressed_to_is_not_its_district():
    text = "\n".join(["鹤壁市人民政府办公室关于印发鹤壁市“十四五”国民健康规划的通知",
                      "浚县人民政府,各县(区)人民政府,市政府有关部门:",
                      "《鹤壁市“十四五”国民健康规划》已经市政府同意,现印发给你们,请认真组织实施。",
                      "鹤壁市人民政府办公室", "2022年2月9日"])
    meta = extract_metadata(text)
    assert (meta["city"], meta["district"]) == ("鹤壁市", "")


def test_a_news_portals_footer_year_and_column_name_are_not_the_documents():
    text = "\n".join(["您所在的位置:首页 > 信息资讯 > 甲县新闻",
                      "广东【卫生健康】甲县召开全县卫生工作会议健康频道",
                      "发布:2014/8/27 19:01:06  来源:转载  栏目:健康频道  编辑:佚名",
                      "日前,甲县召开了全县卫生工作会议,安排部署下半年各项任务。",
                      "Copyright © 2003-2009 example.com All rights reserved."])
    meta = extract_metadata(text)
    # the site's region label and tag before the headline, and the column's name after it, are dropped
    assert meta["title"] == "甲县召开全县卫生工作会议"
    # a page dated 2014 is not a later copy of a text whose footer says 2009
    assert meta["date"] == "2014-08-27"


def test_a_summary_and_plan_title_takes_the_year_it_was_issued_in():
    text = "\n".join(["甲县卫生健康局关于印发2022年工作总结和2023年工作要点的通知", "各乡镇卫生院:",
                      "现将《2022年工作总结》和《2023年工作要点》印发给你们,请贯彻执行。", "甲县卫生健康局", "2023年1月5日"])
    assert extract_metadata(text)["year"] == 2023
    assert extract_metadata(text.replace("2023年1月5日", "2022年12月20日"))["year"] == 2022


def test_an_autonomous_countys_usual_name_places_a_news_item():
    # 淇县 is a plain county; an autonomous county is usually written XX县 (its stem and level) — as good as in full
    text = "\n".join(["「」2020年全县鼠疫防控工作会议召开",
                      "4月30日下午,阿克塞县2020年全县鼠疫防控工作会议在县委会议室召开。",
                      "会议全面回顾总结了2019年鼠防工作,安排部署了2020年鼠疫防控重点工作。"])
    meta = extract_metadata(text)
    assert (meta["city"], meta["district"]) == ("酒泉市", "阿克塞哈萨克族自治县")
    assert meta["title"] == "2020年全县鼠疫防控工作会议召开"  # an emptied 「」 before the headline is debris


def test_a_breadcrumb_is_no_title_and_a_colonless_portal_row_stops_at_its_next_key():
    text = "\n".join(["首页 > 政府信息公开 > 法定主动公开内容 > 规划计划 > 工作计划",
                      "甲县卫生健康局2022年上半年工作总结暨下半年工作计划",
                      "索引号 640522017/2022-00027 文号 生成日期 2022-07-05 16:35:00",
                      "公开方式 主动公开 所属机构 甲县卫生健康局 责任部门 甲县卫生健康局",
                      "2022年以来,全县卫生健康工作扎实推进。"])
    meta = extract_metadata(text)
    assert meta["title"] == "甲县卫生健康局2022年上半年工作总结暨下半年工作计划"
    assert meta["issuer"] == "甲县卫生健康局"


def test_a_markdown_list_of_portal_keys_is_read_as_the_key_block():
    text = "\n".join(["- 索 引 号:370481/2021-00059", "- 发布机构:甲县卫生健康局", "- 成文时间:2021年03月31日", "- 文 号:无",
                      "- 标 题:甲县卫生健康局2021年第一季度任务进展情况一览表", "- 效力状态:有效",
                      "一、全面深化改革重点任务进展情况"])
    meta = extract_metadata(text)
    assert meta["date"] == "2021-03-31"
    assert meta["title"] == "甲县卫生健康局2021年第一季度任务进展情况一览表"


def test_joint_issuers_heading_one_notice_are_both_the_issuer():
    # the party committee and the government issue a plan together: "中共XX市委  XX市人民政府关于印发…"
    text = ("桦发〔2018〕6号\n\n中共桦甸市委  桦甸市人民政府关于\n\n印发《“健康桦甸2030”行动规划》的通知\n\n"
            "各乡镇党委、人民政府，市直各部门：\n现将《“健康桦甸2030”行动规划》印发给你们，请结合实际认真贯彻落实。\n")
    meta = extract_metadata(text)
    assert meta["issuer"] == "中共桦甸市委、桦甸市人民政府", meta
    # one issuer alone is still itself
    assert extract_metadata(text.replace("中共桦甸市委  ", ""))["issuer"] == "桦甸市人民政府"


def test_a_doc_number_printed_on_the_title_line_is_read_and_left_out_of_the_title():
    # a portal prints the 文号 straight before the title: "X政〔2020〕27号X市人民政府关于…"
    text = "logo\n依政〔2020〕19号依安县人民政府关于推进健康依安行动的实施意见\n县政府办公室 2020-08-03【打印该页】\n\n各乡镇人民政府：\n为贯彻落实…，提出以下实施意见。\n"
    m = extract_metadata(text)
    assert m["doc_number"] == "依政〔2020〕19号" and m["year"] == 2020
    assert m["title"] == "依安县人民政府关于推进健康依安行动的实施意见"
    assert (m["city"], m["district"]) == ("齐齐哈尔市", "依安县")


def test_a_prefectures_report_on_its_counties_is_the_prefectures():
    # no header; the text names the prefecture and counties of it: it reports on them as the 地区
    text = ("一、爱国卫生工作开展情况\n为加快推动阿克苏地区卫生城市创建工作。一是更新阿克苏地区爱卫会成员单位。"
            "二是持续推进温宿县、库车市创建国家卫生县城，沙雅县创建自治区卫生县城。\n二、健康行动开展情况\n")
    m = extract_metadata(text)
    assert (m["province"], m["city"], m["district"]) == ("新疆维吾尔自治区", "阿克苏地区", "")
    # counties of two different cities: no guess
    other = text.replace("沙雅县", "墨玉县")
    assert extract_metadata(other)["city"] == ""


def test_a_provinces_campaign_named_by_its_short_form_is_no_county():
    # "健康龙江行" is 黑龙江's campaign; 龙江 is also a county's short name. The footer names the site's county.
    text = ("当前位置:首页>乡镇要闻\n我县卫健局开展“健康龙江行”健康素养宣传活动\n时间:2019-05-14 来源:\n"
            "按照黑龙江省“健康龙江行”系列活动的总体安排，5月13日，县卫健局到我县各乡镇开展宣传活动。\n"
            "依安县人民政府主办 地址：中国黑龙江省依安县\n")
    m = extract_metadata(text)
    assert m["district"] == "依安县", m


def test_a_news_page_headline_above_its_bare_date_is_its_title_and_the_date_its_publication():
    spam = "最新视频在线观看-高清影视免费看-热门综艺在线播放"
    for first in (spam, "依安县人民政府"):
        text = f"{first}\n\n我县召开爱国卫生运动工作会议\n\n2019-04-02 返回列表\n4月1日，我县召开爱国卫生运动工作会议。\n"
        m = extract_metadata(text)
        assert m["title"] == "我县召开爱国卫生运动工作会议", (first, m)
        assert m["date"] == "2019-04-02" and m["year"] == 2019
        assert "publication date" in m["sources"]["date"]["from"]


def test_a_mirrors_keyword_line_menu_and_breadcrumb_come_before_the_headline():
    text = ("最新视频在线观看|高清影视免费看|热门综艺在线播放|免费电影\n\n首页|新闻|图库|教育|健康\n你当前位置:首页 > 新闻 > 依安\n\n"
            "依安县6个村级卫生室建设全面竣工\n\n    依安讯 依安县为方便群众就医，新建村级卫生室6个。\n")
    m = extract_metadata(text)
    assert m["title"] == "依安县6个村级卫生室建设全面竣工", m
