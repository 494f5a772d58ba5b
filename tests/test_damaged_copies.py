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


def test_a_traditional_character_copy_is_catalogued_and_read_as_simplified():
    from qa.indexing.script import simplified

    text = "\n".join(["各縣(市)、區人民政府:", "經市政府同意,現將《赤峰市防治慢性病中長期規劃(2018—2025年)》印發給你們。",
                      "赤峰市人民政府辦公室", "2018年5月14日", "赤峰市防治慢性病中長期規劃(2018—2025年)", "一、規劃背景"])
    meta = extract_metadata(text)
    assert meta["issuer"] == "赤峰市人民政府办公室"
    assert (meta["city"], meta["date"]) == ("赤峰市", "2018-05-14")
    assert meta["title"] == "赤峰市防治慢性病中长期规划(2018—2025年)"
    assert simplified("長期規劃") == "长期规划" and len(simplified("乾隆年間")) == 4
    assert simplified("plain ascii") == "plain ascii"


def test_lost_indents_are_dropped_from_the_text_and_the_header():
    """A copy that turned each paragraph's full-width indent into "??"."""
    source = "\n".join(["??经市政府同意,现将《赤峰市健康行动方案》印发给你们。", "赤峰市人民政府办公室", "??2018年5月14日",
                        "??赤峰市健康行动方案", "??一、总体要求"])
    assert "?" not in clean(source).text
    assert extract_metadata(source)["date"] == "2018-05-14"
    assert "?" in clean("为什么?\n正文。").text  # one line opening with "?" is left as it is


def test_issuers_stacked_in_the_header_or_two_to_a_line_are_all_named():
    header_stack = "\n".join(["赤峰市红山区党工委办公室", "赤峰市红山区管委会办公室", "关于印发《红山区健康行动实施方案》的通知",
                              "红办发〔2017〕238号", "各部门:", "现将《红山区健康行动实施方案》印发给你们。"])
    assert extract_metadata(header_stack)["issuer"] == "赤峰市红山区党工委办公室、赤峰市红山区管委会办公室"
    side_by_side = "\n".join(["关于印发应急预案的通知", "各有关单位:", "现将《应急预案》印发给你们。",
                              "吉林省卫生厅                吉林省教育厅", "吉林省公安厅          吉林省妇女联合会",
                              "二○○九年五月一日"])
    meta = extract_metadata(side_by_side)
    assert meta["issuer"] == "吉林省卫生厅、吉林省教育厅、吉林省公安厅、吉林省妇女联合会"
    assert meta["date"] == "2009-05-01"


def test_a_portal_block_with_bracketed_keys_and_a_shortened_signature():
    text = "\n".join([
        "[ 索引号 ]1150/2021-00004 [ 发文字号 ]红府办发〔2020〕243 号 [ 发布机构 ]赤峰市红山区卫生健康委员会 [ 成文日期 ]2021-02-21",
        "关于印发红山区突发公共卫生事件应急预案的通知", "各有关单位:", "现将《红山区突发公共卫生事件应急预案》印发给你们。",
        "赤峰市红山区卫生健康委", "2020年12月18日", "红山区突发公共卫生事件应急预案"])
    meta = extract_metadata(text)
    assert meta["doc_number"] == "红府办发〔2020〕243号"
    assert meta["issuer"] == "赤峰市红山区卫生健康委员会"  # the signature's short name, whole from the portal
    assert meta["date"] == "2020-12-18"


def test_a_portal_date_that_contradicts_the_doc_number_is_not_the_issue_date():
    text = "\n".join(["[ 发文字号 ]红府办发〔2020〕243号 [ 成文日期 ]2021-02-21 [ 发布日期 ]2021-02-21",
                      "赤峰市红山区人民政府办公室关于印发红山区应急预案的通知", "1 总则"])
    meta = extract_metadata(text)
    assert meta["date"] == "" and meta["year"] == 2020
    assert meta["sources"]["date_conflict"]["doc_number_year"] == 2020


def test_titles_wrapped_or_with_their_span_on_their_own_line():
    wrapped = "\n".join(["赤政办发〔2024〕24号", "各旗县区人民政府:",
                         "《赤峰市进一步完善医疗卫生服务体系实施方案》已经市人民政府同意,现印发给你们。", "赤峰市人民政府办公室",
                         "2024年4月8日", "赤峰市进一步完善医疗卫生", "服务体系实施方案", "一、总体要求"])
    assert extract_metadata(wrapped)["title"] == "赤峰市进一步完善医疗卫生服务体系实施方案"
    span = "\n".join(["赤峰市人民政府关于印发赤峰市防治艾滋病实施方案的通知", "(赤政发〔2008〕287号)", "各旗县区人民政府:",
                      "现将《赤峰市防治艾滋病实施方案》(2008──2010年),印发给你们。", "赤峰市人民政府", "二○○八年十一月二十日",
                      "赤峰市防治艾滋病实施方案(2008──2010年)", "一、指导思想"])
    assert extract_metadata(span)["title"] == "赤峰市防治艾滋病实施方案(2008──2010年)"


def test_a_plans_period_is_not_its_issue_year():
    text = "\n".join(["各旗县区人民政府:", "现将《赤峰市职业病防治规划(2021-2025年)》印发给你们。",
                      "赤峰市人民政府办公室", "2022年6月7日", "赤峰市职业病防治规划(2021-2025年)", "一、现状"])
    assert extract_metadata(text)["year"] == 2022


def test_a_bare_date_closing_the_notice_is_its_date_and_is_quoted_as_printed():
    """No name above it, its 年月日 lost, and a portal 成文日期 that disagrees: the notice's own date wins."""
    text = "\n".join(["市人民政府办公室关于印发健康赤峰行动推进方案的通知", "索引号 000014349/2020-3761045 成文日期 2020-10-15",
                      "各旗县区人民政府:", "经市人民政府同意,现将《健康赤峰行动推进方案》印发给你们,请认真贯彻执行。", "2020928",
                      "(此件公开发布)", "健康赤峰行动推进方案", "一、行动目标"])
    meta = extract_metadata(text)
    assert meta["date"] == "2020-09-28"
    assert meta["sources"]["date"]["printed"] == "2020928"
    doc = DocMeta(doc_id="d", file="d.txt", title="健康赤峰行动推进方案", date=meta["date"], sources=meta["sources"])
    assert field_line("date", doc, en=False) == "《健康赤峰行动推进方案》的印发日期是2020年9月28日（原文印作“2020928”）。"
    assert field_line("date", doc, en=True).endswith("is 28 September 2020 (2020年9月28日) (printed as 2020928).")


# a web page's indicator table printed one bare cell per line, blank lines between; the category cells
# (健康水平, 健康服务) are merged, and empty unit cells were dropped, not printed
_BARE = ["现向社会征求主要发展指标意见如下", "甲县“十四五”时期卫生健康事业主要发展指标",
         "领域", "序号", "主要指标", "单位", "2020年", "2025年目标", "指标性质", "健康水平",
         "1", "人均预期寿命", "82.98", ">79", "预期性",
         "2", "孕产妇死亡率", "/10万", "9.7", "<9", "预期性",
         "3", "婴儿死亡率", "2.28", "<3", "预期性", "健康服务",
         "4", "每千人口拥有医疗卫生机构床位数", "4.81", "5.23", "预期性",
         "5", "每千人口拥有注册护士数", "2.09", "2.75", "预期性"]


def test_a_table_of_bare_cells_under_a_serial_header_gets_its_rows_back():
    source = "\n\n".join(_BARE) + "\n\n二、保障措施\n"
    text = clean(source).text
    lines = text.splitlines()
    assert "4\t每千人口拥有医疗卫生机构床位数\t4.81\t5.23\t预期性" in lines
    assert "领域\t序号\t主要指标\t单位\t2020年\t2025年目标\t指标性质\t健康水平" in lines
    # before, the cells were glued together as if page breaks had cut a sentence: "4.815.23"
    assert "4.815.23" not in text and "二、保障措施" in lines
    # short lines without a 序号 header (a list of headings) stay as they are
    headings = "\n\n".join(["一、总体要求", "二、主要任务", "1", "加强组织领导", "2", "强化督导考核"] * 3)
    assert "\t" not in clean(headings).text


def test_a_bare_table_rows_figures_are_read_under_their_own_columns():
    from qa.answering.tablerows import aligned, cells, unit_blank

    header = "领域\t序号\t主要指标\t单位\t2020年\t2025年目标\t指标性质\t健康水平"
    names = cells(header)
    # the row opens with its 序号: it lines up from the header's 序号, and its missing unit cell is empty
    row = "5\t每千人口拥有注册护士数\t2.09\t2.75\t预期性"
    got = dict(zip(names, aligned(names, cells(row))))
    assert (got["主要指标"], got["单位"], got["2020年"], got["2025年目标"]) == ("每千人口拥有注册护士数", "", "2.09", "2.75")
    assert unit_blank(header, row)
    with_unit = "2\t孕产妇死亡率\t/10万\t9.7\t<9\t预期性"
    got = dict(zip(names, aligned(names, cells(with_unit))))
    assert (got["单位"], got["2020年"], got["2025年目标"]) == ("/10万", "9.7", "<9")
    assert not unit_blank(header, with_unit)


def test_a_portals_welcome_bar_and_breadcrumb_are_chrome():
    source = "\n".join(["欢迎光临甲县人民政府门户网 登录个人中心 无障碍阅读 长者版", "网站无障碍 | 适老版 | 支持IPV6",
                        "您的位置: 甲县健康网 > 健康快讯 >", "甲县卫生健康局2022年工作计划",
                        "2022年,全县卫生健康工作坚持以人民健康为中心。"])
    text = clean(source).text
    assert "欢迎光临" not in text and "适老版" not in text and "健康快讯" not in text
    assert "甲县卫生健康局2022年工作计划" in text
