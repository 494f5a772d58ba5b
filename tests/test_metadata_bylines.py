"""Page dates, headlines and signatures as portals and copies print them (stop 39's development sets).

Each case is a made-up page of one habit; the places (萝北县, 嘉荫县, 绥滨县) are in no evaluation set, so the
gazetteer knows them without any set's text.
"""
from __future__ import annotations

from qa.metadata import extract_metadata
from qa.metadata.portal import byline, metadata_row

BODY = ("会议总结了2019年度全县卫生健康工作，安排部署了下一步重点任务。会议要求，各单位要提高认识，"
        "扎实推进健康萝北建设。")


def test_a_byline_run_into_its_headline_gives_the_title_and_the_page_date():
    # "headline 发布日期:… 信息来源: 编辑:…" on one line, as a portal prints it (keys spaced) or a copy keeps it (glued)
    for line in ("2020年全县基层卫生工作会议召开 发布日期:2020-07-01 信息来源: 编辑:萝北县卫生健康局 审核:张某 字号:[ ]",
                 "2020年全县基层卫生工作会议召开发布日期:2020-07-01信息来源: 编辑:萝北县卫生健康局审核:张某"):
        m = extract_metadata(f"当前位置:首页 > 工作动态\n{line}\n6月29日,萝北县召开2020年全县基层卫生工作会议。\n{BODY}")
        assert m["title"] == "2020年全县基层卫生工作会议召开", m
        assert m["date"] == "2020-07-01" and m["sources"]["date"]["published"] == "2020-07-01"
        assert m["district"] == "萝北县"
        assert metadata_row(line)  # furniture: never the sentence that answers when the meeting was held


def test_a_byline_led_by_its_stamp_is_furniture_but_prose_citing_a_source_is_not():
    assert byline("2022-05-11 09:41来源:萝北县人民政府") == ("", "2022-05-11 09:41来源:萝北县人民政府", "2022-05-11 09:41")
    assert metadata_row("2022-05-11 09:41来源:萝北县人民政府")
    for prose in ("据县融媒体中心报道，来源：本报。", "会议要求，要加强编辑、审核工作。", "发布日期：2022-03-04 来源：区卫健委"):
        assert byline(prose) is None, prose  # (the last is a key row, read as one)


def test_a_campaigns_leading_group_office_signs_under_the_campaigns_short_name():
    text = ("各有关单位:\n现将《2021年健康嘉荫建设工作要点》印发给你们,请认真贯彻执行。\n"
            "健康嘉荫建设工作领导小组办公室\n2021年11月19日\n2021年健康嘉荫建设工作要点\n"
            "一、普及健康生活。加强全民健康教育，推进健康嘉荫建设。")
    m = extract_metadata(text)
    assert m["issuer"] == "健康嘉荫建设工作领导小组办公室", m
    assert m["district"] == "嘉荫县" and m["date"] == "2021-11-19"
    # the campaign itself is no body that signs
    assert extract_metadata("健康嘉荫行动\n推进健康嘉荫建设，提高全民健康水平。")["issuer"] == ""


def test_a_colon_less_row_opened_by_a_catalogue_key_dates_the_page():
    text = ("索引号 01526041-1/20241114-00003 发布机构 绥滨县卫生健康局\n公开目录 专项规划 发布日期 2024-11-14 15:13:18\n"
            "文号 浏览量\n绥滨县“十四五”卫生健康事业发展规划\n为进一步加快全县卫生健康事业发展，制定本规划。")
    m = extract_metadata(text)
    assert m["date"] == "2024-11-14" and m["issuer"] == "绥滨县卫生健康局", m
    assert m["title"] == "绥滨县“十四五”卫生健康事业发展规划"


def test_a_markdown_list_of_keys_with_glued_values_is_read_and_is_no_title():
    text = ("- 索引号20240913-171148-799\n- 发布机构\n- 文号\n- 发布日期2019-12-22\n- 有效性有效\n"
            "2018年萝北县医疗卫生资源基本情况\n截至2018年底，全县共有医疗卫生机构93个。")
    m = extract_metadata(text)
    assert m["date"] == "2019-12-22", m
    assert m["title"] == "2018年萝北县医疗卫生资源基本情况"
    assert m["year"] == 2018  # the year the page is about, not the year it was posted in
    # a bulleted item of a plan that opens with a key's word is prose
    assert not metadata_row("- 来源于群众的意见要认真办理")


def test_a_news_item_of_its_own_day_keeps_its_page_date_though_it_looks_back_years():
    text = ("萝北县召开慢性病综合防控示范区复审迎检工作协调会\n文章来源:萝北县融媒体中心 发布时间:2023-11-13 10:52\n"
            "11月10日,萝北县召开慢性病综合防控示范区复审迎检工作协调会,副县长主持会议并讲话。\n"
            "自2018年萝北县成功创建省级慢性病综合防控示范区以来,县委、县政府持续高度重视慢性病综合防控工作。")
    m = extract_metadata(text)
    assert m["date"] == "2023-11-13" and "date_conflict" not in m["sources"], m
    # a re-posted plan still gives way to the years its text names
    old = ("2012年萝北县卫生工作计划\n发布时间:2018-06-01\n2012年,全县卫生工作要以深化医改为主线。"
           "2012年要完成乡镇卫生院标准化建设。")
    assert extract_metadata(old)["date"] == ""


def test_a_headline_over_the_account_and_date_that_posted_it():
    text = ("查看原文\n其他\n改造15个老旧小区……萝北今年要做好这些事!\n萝北人都在看→ 萝北发布 2022-05-20\n"
            "日前,《2022年健康萝北建设工作要点》发布。")
    m = extract_metadata(text)
    assert m["title"] == "改造15个老旧小区……萝北今年要做好这些事!", m
