"""Headers as they really arrive: portal blocks (lines and tables), notice headers,
jammed one-line copies, signature blocks, government notices, bare titles — each
field with where it came from."""
from __future__ import annotations

import pytest

from qa.corpus.cleaning import clean
from qa.metadata import extract_metadata

BODY = "一、总体要求\n坚持以人民健康为中心，推进卫生健康事业高质量发展。\n二、重点任务\n1. 加强基层医疗卫生服务能力建设。\n"


def fields(text, *names):
    found = extract_metadata(text)
    return tuple(found[n] for n in names)


def test_portal_block_in_lines():
    text = ("首页 > 政务公开 > 通知公告\n【字体：大 中 小】 【打印】\n"
            "索引号：11330400002491234X/2023-01234 主题分类：卫生、体育\n"
            "发文机构：嘉兴市卫生健康委员会\n发文字号：嘉卫发〔2023〕12号\n"
            "成文日期：2023-02-20  发布日期：2023-02-24\n2023年全市卫生健康工作要点\n" + BODY)
    found = extract_metadata(text)
    assert (found["issuer"], found["province"], found["city"], found["district"]) == (
        "嘉兴市卫生健康委员会", "浙江省", "嘉兴市", "")
    assert (found["doc_number"], found["date"], found["year"], found["title"]) == (
        "嘉卫发〔2023〕12号", "2023-02-20", 2023, "2023年全市卫生健康工作要点")
    assert found["sources"]["doc_number"] == {"from": "portal 发文字号", "confidence": "high"}
    assert found["sources"]["city"]["from"].startswith("portal")


def test_portal_table_with_spaced_keys_and_empty_cells():
    text = ("| 索 引 号: | 0030/202011-00012 | 信息分类: | 其他文件 |\n"
            "| 发布机构: | 萧县卫生健康委员会 | 文 号: | 萧卫发〔2022〕8号 |\n"
            "| 成文日期: | | 发布日期: | 2022-05-06 |\n"
            "| 名 称: | 关于印发《萧县2022年卫生健康工作要点》的通知 |\n" + BODY)
    found = extract_metadata(text)
    assert (found["province"], found["city"], found["district"]) == ("安徽省", "宿州市", "萧县")
    assert (found["doc_number"], found["title"]) == ("萧卫发〔2022〕8号", "萧县2022年卫生健康工作要点")
    # no 成文日期: the publication date stands in, marked as such and as low confidence
    assert found["date"] == "2022-05-06" and found["sources"]["date"]["confidence"] == "low"


def test_portal_chrome_is_left_out_of_the_indexed_text_but_fields_stay():
    text = "当前位置：首页 > 信息公开\n索引号：113/2022-1 主题分类：卫生\n发文字号：X卫发〔2022〕3号\n" + BODY
    cleaned = clean(text).text
    assert "当前位置" not in cleaned and "索引号" not in cleaned and "主题分类" not in cleaned
    assert "发文字号：X卫发〔2022〕3号" in cleaned
    assert cleaned.endswith(BODY.rstrip("\n"))


def test_official_notice_header_with_signature_block():
    text = ("兰州市城关区卫生健康局文件\n兰城卫发〔2023〕15号\n签发人：王某某\n"
            "兰州市城关区卫生健康局关于印发《2023年城关区卫生健康工作要点》的通知\n各科室、局属各单位：\n"
            "现将《2023年城关区卫生健康工作要点》印发给你们，请认真贯彻执行。\n兰州市城关区卫生健康局\n2023年3月2日\n" + BODY)
    assert fields(text, "issuer", "province", "city", "district", "doc_number", "date", "signer", "title", "year") == (
        "兰州市城关区卫生健康局", "甘肃省", "兰州市", "城关区", "兰城卫发〔2023〕15号", "2023-03-02", "王某某",
        "2023年城关区卫生健康工作要点", 2023)


def test_government_notice_headed_by_the_district_government():
    text = ("七政发〔2023〕71号\n兰州市七里河区人民政府\n关于印发《健康七里河行动实施方案》的通知\n"
            "各乡镇人民政府、街道办事处：\n现将方案印发给你们。\n兰州市七里河区人民政府\n2023年7月31日\n"
            "健康七里河行动实施方案\n" + BODY)
    assert fields(text, "issuer", "city", "district", "doc_number", "date", "title") == (
        "兰州市七里河区人民政府", "兰州市", "七里河区", "七政发〔2023〕71号", "2023-07-31", "健康七里河行动实施方案")


def test_a_copy_with_the_whole_notice_on_one_line():
    text = ("邹政办字〔2021〕19 号 邹城市人民政府办公室 关于印发邹城市健康城市建设实施方案(2021—2023 年)的通知 "
            "各镇人民政府,各街道办事处: 现印发给你们,请认真贯彻执行。 邹城市人民政府办公室 2021 年 5 月 12 日 (此件公开发布)\n"
            + BODY)
    assert fields(text, "issuer", "province", "city", "district", "doc_number", "date", "title") == (
        "邹城市人民政府办公室", "山东省", "济宁市", "邹城市", "邹政办字〔2021〕19号", "2021-05-12",
        "邹城市健康城市建设实施方案(2021—2023年)")


def test_notice_title_split_over_two_lines_and_nested_title_marks():
    text = ("湖州市卫生健康委关于印发\n2023年全市卫生健康工作要点的通知\n各区县卫生健康局：\n" + BODY)
    assert fields(text, "title", "city") == ("2023年全市卫生健康工作要点", "湖州市")
    nested = "上海市普陀区人民政府办公室关于印发《普陀区关于实施〈健康上海行动〉行动方案》的通知\n" + BODY
    assert fields(nested, "title", "district") == ("普陀区关于实施《健康上海行动》行动方案", "普陀区")


def test_a_title_cited_in_prose_is_not_the_documents_title():
    text = ("健康余杭建设领导小组各成员单位：\n为贯彻落实《杭州市余杭区人民政府关于印发〈推进健康余杭三年行动〉的通知》，"
            "现印发给你们。\n健康余杭三年行动2021年度重点工作计划\n" + BODY)
    assert fields(text, "title", "year") == ("健康余杭三年行动2021年度重点工作计划", 2021)


def test_a_city_level_issuer_by_its_short_name():
    text = "黄南州卫生健康委员会\n关于印发《黄南州2024年卫生健康工作要点》的通知\n" + BODY
    assert fields(text, "province", "city", "district") == ("青海省", "黄南藏族自治州", "")


def test_title_alone_names_the_place():
    text = "九龙坡区公共卫生能力提升行动计划(2024—2025年)\n" + BODY
    found = extract_metadata(text)
    assert (found["province"], found["city"], found["district"], found["year"]) == ("重庆市", "重庆市", "九龙坡区", 2024)
    assert found["title"] == "九龙坡区公共卫生能力提升行动计划(2024—2025年)"
    assert found["sources"]["district"]["from"] == "title"


def test_an_ambiguous_district_with_no_context_is_left_unresolved():
    text = "鼓楼区卫生健康局\n关于印发《2022年全区卫生健康工作要点》的通知\n" + BODY
    found = extract_metadata(text)
    assert (found["district"], found["city"], found["province"]) == ("鼓楼区", "", "")
    assert "does not say" in found["sources"]["unresolved"][0]


def test_an_ambiguous_district_resolved_from_the_body():
    text = "鼓楼区卫生健康局\n关于印发《2022年全区卫生健康工作要点》的通知\n根据南京市卫生健康委部署，结合南京市实际……\n" + BODY
    assert fields(text, "district", "city", "province") == ("鼓楼区", "南京市", "江苏省")


@pytest.mark.parametrize("line, date", [("二〇二一年三月十八日", "2021-03-18"), ("二〇二〇年十二月三十一日", "2020-12-31")])
def test_dates_in_chinese_numerals(line, date):
    assert fields(f"某某区卫生健康局\n{line}\n", "date") == (date,)


def test_portal_table_printed_without_colons_and_with_spaced_out_keys():
    # some portals print the block as a table: keys padded to a column's width, no colons
    text = ("标       题 鄂尔多斯市人民政府办公室关于印发健康城市建设推进方案的通知\n"
            "索  引  号 111506000115500001/2021-00123 发文字号 鄂府办发〔2021〕21号\n"
            "发文机构 信息分类 政府文件\n"
            "公开日期 2021-06-05 10:20:00 文件有效性 有效\n" + BODY)
    found = extract_metadata(text)
    assert found["doc_number"] == "鄂府办发〔2021〕21号"
    assert found["sources"]["doc_number"]["from"] == "portal 发文字号"
    # the empty 发布机构 cell is followed by the next column's text, which is no organisation; the
    # page title "XX关于印发…的通知" names the issuer
    assert (found["issuer"], found["city"], found["title"]) == ("鄂尔多斯市人民政府办公室", "鄂尔多斯市", "健康城市建设推进方案")
    assert found["sources"]["issuer"]["from"] == "portal 标题"
    cleaned = clean(text).text
    assert "文件有效性" not in cleaned and cleaned.endswith(BODY.rstrip("\n"))


def test_a_pages_byline_is_chrome_and_its_source_still_read():
    text = ("2021年全县卫生健康重点工作任务分解\n"
            "文章来源:永新县卫生健康委员会 浏览量: 发表时间:2021-05-07 10:49 责任编辑:政务公开\n" + BODY)
    found = extract_metadata(text)
    assert found["title"] == "2021年全县卫生健康重点工作任务分解"  # 任务分解 is a plan's title too
    assert (found["city"], found["district"]) == ("吉安市", "永新县")
    cleaned = clean(text).text
    assert "浏览量" not in cleaned and "文章来源" not in cleaned


def test_a_source_line_with_no_page_counter_is_kept():
    # "来源：…" alone may be the plan's own sentence material; only a byline with page noise is chrome
    text = "来源：省卫生健康委\n" + BODY
    assert "来源：省卫生健康委" in clean(text).text


def test_issuer_of_the_health_and_family_planning_era():
    text = ("醴陵市卫生和计划生育局关于印发2018年卫生计生工作要点的通知\n各乡镇卫生院：\n" + BODY +
            "醴陵市卫生和计划生育局\n2018年3月5日\n")
    found = extract_metadata(text)
    assert found["issuer"] == "醴陵市卫生和计划生育局"
    assert (found["province"], found["city"], found["district"]) == ("湖南省", "株洲市", "醴陵市")


def test_notice_naming_its_issuer_by_level_only_gets_the_resolved_place():
    # "市人民政府办公室关于…": the city is known from elsewhere in the page (here, the portal block)
    text = ("发布机构：\n发文字号：遵府办发〔2020〕40号\n"
            "市人民政府办公室关于印发健康遵义行动推进方案的通知\n各县、自治县人民政府：\n" + BODY)
    found = extract_metadata(text)
    assert found["city"] == "遵义市"
    assert found["issuer"] == "遵义市人民政府办公室"
    assert found["sources"]["issuer"]["confidence"] == "low"


def test_a_portal_menu_bullet_is_not_the_title():
    text = "• 政府信息公开\n2022年健康促进工作安排\n" + BODY
    assert extract_metadata(text)["title"] == "2022年健康促进工作安排"


def test_a_table_row_without_header_takes_the_one_county_it_names():
    # a task row copied without its table's header: the only county-level place written in full
    text = ("具体任务\n全面落实疫情防控措施，举办盐池县第二届运动会，创建全国卫生县。\n"
            "责任单位\n卫健局、文旅局\n完成时限\n12月底前\n")
    found = extract_metadata(text)
    assert (found["province"], found["city"], found["district"]) == ("宁夏回族自治区", "吴忠市", "盐池县")
    assert found["sources"]["district"]["confidence"] == "low"


def test_health_county_campaign_words_name_no_county():
    # 健康县 ends in 康县 (a real county); two counties named in full leave the place open
    assert extract_metadata("创建国家卫生县和健康县，推进健康乡村建设。\n" + BODY)["district"] == ""
    two = "组织盐池县、同心县开展交流。\n" + BODY
    assert extract_metadata(two)["district"] == ""
