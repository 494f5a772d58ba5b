"""Plans from issuers the gazetteer barely knows, and the answers built on their copies.

Made-up copies of the kinds seen on real portals: a development zone's committee issuing as a
district does, a county named only in the portal's 来源 line, a forum repost whose first lines are
view counters and tags, a 文号 printed in 【】, a body-only copy with no title that cites the plan it
implements by 文号, a short notice whose signature and addressee lines share words with questions.
"""
from __future__ import annotations

import pytest

from qa.answering.answer import build_answer
from qa.answering.header import cited_number, doc_name, field_line
from qa.answering.pick import addressee, carries
from qa.metadata import extract_metadata
from qa.places import Gazetteer
from qa.places.zones import self_level, zone_district
from qa.records import Chunk, DocMeta, Hit
from qa.search.query import analyze, header_field
from qa.corpus.documents import read_catalog


# ------------------------------------------------------------------ metadata of unseen issuers

def test_a_development_zone_committee_is_the_plans_district():
    text = "\n".join([
        "湛江奋勇高新技术产业开发区管理委员会办公室关于印发《奋勇区卫生应急工作方案》的通知",
        "湛奋管办〔2022〕8号",
        "各镇、各部门:",
        "《奋勇区卫生应急工作方案》已经管委会同意,现印发给你们,请认真贯彻执行。",
        "湛江奋勇高新技术产业开发区管理委员会办公室",
        "2022年5月6日",
    ])
    meta = extract_metadata(text)
    assert (meta["province"], meta["city"]) == ("广东省", "湛江市")
    assert meta["district"] == "奋勇区"  # as the text names itself
    assert meta["sources"]["district"]["from"] == "issuer (zone committee)"
    # a text that never shortens the zone's name keeps its full name; a new area keeps its city's name
    assert zone_district("湛江奋勇高新技术产业开发区管理委员会", "开发区全体干部职工", "湛江市", "广东省") == "奋勇高新技术产业开发区"
    assert zone_district("兰州新区管委会办公室", "新区各园区", "兰州市", "甘肃省") == "兰州新区"
    assert zone_district("湛江市卫生健康局", "", "湛江市") == ""  # no committee, no zone


def test_a_zone_the_gazetteer_lacks_signs_with_its_party_and_admin_committees_run_together():
    # a province-administered demonstration zone: no GB/T 2260 place leads the name, and the copy
    # ran its two signing committees together on one line above the date
    text = "\n".join([
        "甲乙区委、区政府,党工委和管委会各工作部门:",
        "现将《“健康甲乙2030”行动计划》印发给你们,请认真抓好贯彻落实。",
        "中共甲乙示范区工委甲乙示范区管委会",
        "2017年4月28日",
        "“健康甲乙2030”行动计划",
        "一、总体要求",
    ])
    meta = extract_metadata(text)
    assert meta["issuer"] == "中共甲乙示范区工委、甲乙示范区管委会"
    assert meta["date"] == "2017-04-28"
    # prose naming zones' committees is no issuer
    assert extract_metadata("各园区管委会要加强组织领导。\n2017年4月28日")["issuer"] == ""


def test_a_county_named_only_in_the_portal_source_line_is_told_from_its_namesake_by_how_the_text_speaks():
    body = ("3月2日,全县卫生健康工作会议召开。会议要求,全县卫生健康系统要抓好疫情防控,"
            "县卫生健康局局长作了部署。全县要推进医共体建设。")
    # 朝阳 is 朝阳县 (朝阳市, 辽宁) and two 朝阳区 (北京, 长春): the text says 全县, so the county
    meta = extract_metadata(f"全县卫生健康工作会议召开\n时间:2023-03-03 来源:朝阳发布 浏览次数:-\n{body}")
    assert (meta["province"], meta["city"], meta["district"]) == ("辽宁省", "朝阳市", "朝阳县")
    assert meta["date"] == "2023-03-03"  # the portal's 时间, the only date of the page (low confidence)
    assert meta["sources"]["date"]["confidence"] == "low"
    # a district's text (全区) leaves the two 朝阳区 apart: not guessed
    meta = extract_metadata(f"全区卫生健康工作会议召开\n来源:朝阳发布\n{body.replace('县', '区')}")
    assert meta["district"] == ""
    # a news agency whose name is also a short place name is not a place ("新华社" is no 新华区)
    meta = extract_metadata(f"全区卫生健康工作会议召开\n来源:新华社\n{body.replace('县', '区')}")
    assert meta["district"] == ""
    assert self_level("全县…全县…县委") == "县" and self_level("全区…全县") == ""


def test_a_forum_reposts_counters_and_tags_are_not_its_title():
    text = "\n".join([
        "查看: 59|回复: 0", "", "[某地城事] 【关注】2021年农村妇女免费“两癌”筛查将于5月25日正式开始", "",
        "为提高农村妇女健康水平,做好2021年农村妇女宫颈癌、乳腺癌免费筛查工作,启动会召开。",
    ])
    meta = extract_metadata(text)
    assert meta["title"] == "2021年农村妇女免费“两癌”筛查将于5月25日正式开始"
    assert meta["year"] == 2021
    # a table's cell bars around a newspaper's headline
    meta = extract_metadata("|\n|\n |\n某县狠抓十项重点工作 |\n|\n本报讯 今年全县卫生健康工作要抓实十项任务。")
    assert meta["title"] == "某县狠抓十项重点工作"


def test_a_doc_number_in_lenticular_brackets_is_catalogued_normalised_and_quoted_as_printed():
    text = "• 文件字号: 肥政办发【2021】10号\n关于印发促进婴幼儿照护服务发展实施意见的通知\n各区人民政府:\n现将《意见》印发给你们。"
    meta = extract_metadata(text)
    assert meta["doc_number"] == "肥政办发〔2021〕10号"
    assert meta["sources"]["doc_number"]["printed"] == "肥政办发【2021】10号"
    m = DocMeta(doc_id="x", file="x.txt", title="促进婴幼儿照护服务发展实施意见", doc_number=meta["doc_number"],
                sources=meta["sources"])
    assert field_line("doc_number", m, en=False) == (
        "《促进婴幼儿照护服务发展实施意见》的文号是肥政办发〔2021〕10号（原文印作“肥政办发【2021】10号”）。")


# ------------------------------------------------------------------ header answers

def _chunk(text: str, doc_id: str = "x") -> Chunk:
    return Chunk(chunk_id=f"{doc_id}#0", doc_id=doc_id, n=0, kind="body", heading_path=(), text=text, start=0,
                 end=len(text))


def test_a_copy_without_a_title_is_named_by_its_place_never_as_an_empty_title():
    m = DocMeta(doc_id="x", file="x.txt", district="某某县")
    assert doc_name(m, en=False) == "某某县的文件"
    assert field_line("doc_number", m, en=False) == "某某县的文件未载明文号。"
    assert "《》" not in field_line("date", m, en=True)


def test_the_doc_number_of_a_plan_the_text_cites_is_answered_from_the_citation():
    body = ("为落实州爱卫办《关于印发某州无烟党政机关建设实施方案的通知》(某卫发〔2020〕13号)要求,县爱卫会制发了"
            "《关于印发某某县无烟党政机关建设实施方案的通知》(某爱卫发〔2020〕1号)。")
    m = DocMeta(doc_id="x", file="x.txt", district="某某县")
    got = cited_number("某某县无烟党政机关建设实施方案的文号是什么？", m, [_chunk(body)])
    assert got is not None and got[:2] == ("关于印发某某县无烟党政机关建设实施方案的通知", "某爱卫发〔2020〕1号")
    # the document's own 文号 question is not taken for a citation's
    own = DocMeta(doc_id="x", file="x.txt", district="某某县", title="某某县命名首批无烟党政机关的决定",
                  doc_number="某爱卫〔2021〕2号")
    assert cited_number("某某县命名首批无烟党政机关的决定的文号是什么？", own, [_chunk(body)]) is None


@pytest.mark.parametrize("question", ["规划是由哪个机构印发的？", "方案是哪几个单位联合印发的？"])
def test_which_body_issued_it_is_a_header_question(question):
    assert header_field(question) == "issuer"


# ------------------------------------------------------------------ the sentence that answers

@pytest.fixture(scope="module")
def gaz() -> Gazetteer:
    return Gazetteer(read_catalog())


def _hit(text: str) -> Hit:
    return Hit(chunk_id="weidong-2021#1", doc_id="weidong-2021", text=text, score=1.0, section="",
               district="卫东区", city="平顶山市", province="河南省", title="2021年全区卫生健康重点工作安排",
               year=2021, start=0, end=len(text))


def test_the_signature_and_addressee_lines_do_not_answer_which_department_to_turn_to(gaz):
    text = ("县开发区管委会,各镇政府、街道办事处,职业病防治专项小组各成员单位:\n"
            "实施过程中遇到的问题,请径向区卫生健康局反映。\n平顶山市卫东区职业病防治工作领导小组办公室\n2022年6月30日")
    question = "卫东区职业病防治规划实施中遇到问题应该向哪个部门反映？"
    a = build_answer(question, [_hit(text)], query=analyze(question, gaz), abstain=False)
    assert a.sentences[0].text == "实施过程中遇到的问题,请径向区卫生健康局反映。", a.lead
    assert addressee("县开发区管委会,各镇政府、街道办事处,各成员单位:")


def test_a_year_inside_a_cited_title_is_not_the_time_asked_for(gaz):
    text = ("会上,解读了《卫东区2021年农村妇女“两癌”检查项目实施方案》,安排部署“两癌”筛查工作。"
            "今年农村妇女“两癌”筛查时间为5月25日-9月27日,分批进行检查。")
    question = "卫东区2021年农村妇女“两癌”筛查的时间安排是怎样的？"
    a = build_answer(question, [_hit(text)], query=analyze(question, gaz), abstain=False)
    assert "5月25日-9月27日" in a.sentences[0].text, a.lead
    assert not carries("date", "解读《2021年检查方案》") and carries("date", "5月25日开始")


def test_a_rate_asked_for_is_not_answered_by_a_count(gaz):
    question = "卫东区2019年家庭医生签约率要达到多少？"
    text = "抓实抓牢10项重点任务。做细做实家庭医生签约服务工作,持续提升签约服务质量。"
    a = build_answer(question, [_hit(text)], query=analyze(question, gaz), abstain=False)
    assert a.abstained and a.why == "no figure", a.lead
    stated = "做细做实家庭医生签约服务工作,签约率达到45%以上。"
    assert not build_answer(question, [_hit(stated)], query=analyze(question, gaz), abstain=False).abstained


def test_a_passage_of_an_untitled_copy_is_cited_by_its_place_without_an_empty_title(gaz):
    from qa.answering.render import answer_html, answer_text

    text = "根据考核结果,决定命名县人民医院等34家单位为第一批无烟党政机关。"
    untitled = Hit(chunk_id="x#0", doc_id="x", text=text, score=1.0, section="", district="某某县", city="某某州",
                   province="某省", title="", year=None, start=0, end=len(text))
    question = "哪个县命名了第一批无烟党政机关？"
    a = build_answer(question, [untitled], query=analyze(question, gaz), abstain=False)
    assert not a.abstained and "某某县" in a.lead, a.lead
    for shown in (a.lead, answer_text(a), answer_html(a, question=question)):
        assert "《》" not in shown


@pytest.mark.parametrize("question", [
    "What is the document number of the provincial notice on which Weidong's 2021 plan is based?",
    "What is the document number of the provincial notice that Weidong's 2021 plan cites first?",
    "卫东区2021年工作安排依据的省卫生厅通知文号是什么？",
])
def test_the_doc_number_of_a_notice_the_plan_is_based_on_is_read_from_the_citation(question):
    """Not the plan's own 文号 (a header fact), and not a figure: the citation's "(某卫发〔2014〕8号)" answers."""
    gaz = Gazetteer(read_catalog())
    text = ("根据《省卫生厅关于调整2014年度新型农村合作医疗补偿指导政策的通知》(某卫发〔2014〕8号)精神,"
            "结合我区实际,制定本方案。全区新农合统筹基金最高支付限额不低于15万元。")
    hit = Hit(chunk_id="weidong-2021#1", doc_id="weidong-2021", text=text, score=1.0, section="前言",
              district="卫东区", city="平顶山市", province="河南省", title="2021年全区卫生健康重点工作安排",
              year=2021, start=0, end=len(text))
    q = analyze(question, gaz)
    assert header_field(question) == ""
    from qa.answering.answer import split_sentences

    sims = {hit.chunk_id: [(x, y, 0.8) for x, y in split_sentences(text)]}  # as close in meaning as can be
    a = build_answer(question, [hit], query=q, abstain=False, lang="en" if question.isascii() else "zh",
                     sims=sims, sim_stats=(0.7, 0.05))
    assert not a.abstained and "某卫发〔2014〕8号" in a.sentences[0].text, a.lead
    assert "文号" not in a.caption  # the kind of fact asked is no missing topic
