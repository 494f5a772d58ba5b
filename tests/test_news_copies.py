"""News copies of a county's work conference: what the catalogue reads and which sentence answers.

A county's plan often reaches the web only as a news item: no headline or a slogan for one, a
dateline lead ("2月8日，2023年甲县卫生健康工作会议召开。"), the year only in the body, a portal's
greeting bar and 日期/栏目 keys above it, or a forum's anti-copy junk between its paragraphs. Each
case is a made-up copy of one such habit (places from the fixtures: 泾源县, 隆德县, in no eval set).
"""
from __future__ import annotations

import pytest

from qa.answering.answer import build_answer
from qa.corpus.cleaning import clean
from qa.corpus.documents import read_catalog
from qa.metadata import extract_metadata
from qa.metadata import opening_year
from qa.places import Gazetteer
from qa.records import Hit
from qa.search.query import analyze

LEAD = "2月8日，2023年泾源县卫生健康工作会议召开。县委常委、宣传部部长主持会议并讲话。"
BODY = ("会议全面总结2022年度全县卫生健康工作，安排部署2023年重点工作任务。"
        "县中医院、兴盛乡卫生院作交流发言。会议还签订了目标管理责任书。")


@pytest.fixture(scope="module")
def gaz() -> Gazetteer:
    return Gazetteer(read_catalog())


def test_a_news_copy_without_a_dated_title_is_catalogued_in_the_year_its_lead_states():
    meta = extract_metadata(f"{LEAD}\n{BODY}\n")
    assert meta["year"] == 2023  # the planned year, not the year reviewed before it
    assert meta["sources"]["year"]["confidence"] == "low"


@pytest.mark.parametrize("opening, year", [
    ("4月3日，隆德县召开卫生和计划生育工作会议，全面总结2017年度工作，安排部署2018年工作任务。", 2018),
    ("2023年，通过政府提供基本公共服务的方式免费为新生儿开展耳聋基因筛查。", 2023),
    ("到2025年，全县居民健康素养水平达到30%。", None),  # a horizon, not the year of the text
    ("特制定泾源县卫生事业发展“十一五”（2006—2010年）规划。", None),  # a plan's period
    ("上世纪90年代以来，全县卫生事业快速发展。", None),
])
def test_the_opening_year_is_a_date_never_a_horizon_or_a_period(opening, year):
    assert opening_year([opening]) == year


def test_the_opening_year_is_read_from_the_opening_only():
    assert opening_year(["会议要求，全系统上下团结奋进。" * 20, "2023年要重点做好十个方面的工作。"]) is None


def test_a_portal_greeting_bar_is_no_title_and_its_date_key_dates_the_copy():
    text = ("今天是 智能问答无障碍浏览长者模式\n\n泾源县召开工作大会推进卫生健康事业高质量发展\n\n"
            "信息来源:泾源县人民政府网 日期:2025-02-14\n" + LEAD.replace("2023年", "2025年") + "\n" + BODY + "\n")
    meta = extract_metadata(text)
    assert meta["title"] == "泾源县召开工作大会推进卫生健康事业高质量发展"
    assert meta["date"] == "2025-02-14" and meta["year"] == 2025
    assert "智能问答" not in clean(text).text  # page furniture, not document


def test_a_column_key_opens_a_portal_line_and_its_time_dates_the_copy():
    meta = extract_metadata("隆德县发布“健康七大行动”\n\n栏目:职业教育  时间:2023-05-22\n手机版\n" + BODY + "\n")
    assert meta["date"] == "2023-05-22" and meta["year"] == 2023


def test_a_copy_naming_its_place_only_in_its_quoted_campaign_is_catalogued_there():
    text = ("本报讯 12月9日，全民卫生健康水平现状调查专题调研座谈会在县人大三楼会议室召开。\n"
            "会议要求，推动卫生健康工作由“以治病为中心”向“以人民健康为中心”转变，加快推进“健康泾源”建设。\n")
    meta = extract_metadata(text)
    assert (meta["district"], meta["city"]) == ("泾源县", "固原市")


def test_a_forums_anti_copy_junk_is_dropped_and_the_items_keep_their_numbers():
    text = ("1.制定中长期医疗资源布局规划;启动县妇幼保健院项目选址规划。5 ]0 @8 u8 {4 g1 b; S\" \\\n"
            "2.统筹推进医药卫生体制改革。' |# ^7 a, E+ A: F\n"
            "8 \\, T. G3 F2 |' m+ I 3.宣传贯彻中医药相关法律法规。\n")
    cleaned = clean(text).text
    assert cleaned.splitlines() == ["1.制定中长期医疗资源布局规划;启动县妇幼保健院项目选址规划。", "2.统筹推进医药卫生体制改革。",
                                    "3.宣传贯彻中医药相关法律法规。"]


def test_short_latin_runs_that_are_text_are_kept():
    # one run is no habit; letters alone are text (an acronym list, a grade scale)
    for text, kept in (("评定等级分为 A B C D E 五档。\n", "A B C D E"), ("设备型号 X1 Y2 Z3 W4 V5 已到位。\n", "X1 Y2 Z3 W4 V5"),
                       ("只出现一次的 5 ]0 @8 u8 {4 g1 b;\n", "5 ]0 @8 u8 {4 g1 b;")):
        assert kept in clean(text).text


def _hit(text: str) -> Hit:
    # the shipped catalogue's 卫东区, as a news copy without a headline would be catalogued (no title)
    return Hit(chunk_id="weidong-2021#1", doc_id="weidong-2021", text=text, score=1.0, section="",
               district="卫东区", city="平顶山市", province="河南省", title="", year=2021, start=0, end=len(text))


NEWS = LEAD.replace("2023年泾源县", "2021年卫东区") + BODY.replace("2022年", "2020年").replace("2023年", "2021年")


def test_the_dateline_lead_does_not_answer_what_was_done_at_the_meeting(gaz):
    """The lead repeats the meeting's name the question uses to say which meeting; the sentence that
    answers what was signed, or who spoke, shares fewer words and is the answer."""
    for question, answer in (("卫东区2021年卫生健康工作会议上签订了什么？", "签订了目标管理责任书"),
                             ("卫东区2021年卫生健康工作会议上哪些单位作了交流发言？", "县中医院、兴盛乡卫生院作交流发言")):
        a = build_answer(question, [_hit(NEWS)], query=analyze(question, gaz), abstain=False)
        assert not a.abstained and answer in a.sentences[0].text, (question, a.lead)


def test_the_dateline_lead_answers_when_the_meeting_was_held(gaz):
    question = "卫东区2021年卫生健康工作会议是哪天召开的？"
    a = build_answer(question, [_hit(NEWS)], query=analyze(question, gaz), abstain=False)
    assert not a.abstained and a.sentences[0].text.startswith("2月8日"), a.lead


@pytest.mark.parametrize("question, field", [
    ("On what date did Weidong hold its 2021 health work conference?", ""),  # the meeting's day, in the text
    ("卫东区2021年卫生健康工作会议是哪天召开的？", ""),
    ("What was the title of the work report given at Weidong's 2021 health work meeting?", ""),  # a speech
    ("《卫东区召开卫生健康工作会议》这条消息的发布日期是哪天？", "date"),  # 召开 inside the copy's own title
    ("What date was Weidong's plan issued?", "date"),
    ("What is the title of Weidong's plan?", "title"),
])
def test_an_event_the_copy_reports_is_not_a_header_fact(question, field):
    from qa.search.query import header_field

    assert header_field(question) == field


def test_a_copy_dated_only_by_its_web_page_says_so():
    """Asked when the copy was issued or published, the answer does not pass the page's date off as the
    document's date of issue, and quotes it as the page prints it."""
    from qa.answering.header import field_line
    from qa.records import DocMeta

    meta = extract_metadata("泾源县召开卫生健康工作会议\n发布日期:2019-03-06 08:56来源:泾源县政府办公室\n" + LEAD + "\n")
    doc = DocMeta(doc_id="jy", file="jy.txt", title=meta["title"], date=meta["date"], sources=meta["sources"])
    assert field_line("date", doc, en=False) == (
        "《泾源县召开卫生健康工作会议》未载明印发日期；网页发布日期是2019年3月6日（网页印作“2019-03-06”）。")
    assert "states no date of issue" in field_line("date", doc, en=True)
    # a date the document itself states is its date of issue, as before
    signed = extract_metadata("泾源县卫生健康局\n关于印发2019年工作要点的通知\n各乡镇卫生院：\n泾源县卫生健康局\n2019年3月1日\n")
    own = DocMeta(doc_id="jy", file="jy.txt", title="2019年工作要点", date=signed["date"], sources=signed["sources"])
    assert field_line("date", own, en=False) == "《2019年工作要点》的印发日期是2019年3月1日。"


def _vectors(text: str) -> dict:
    """Sentence cosines as the index gives them, all alike (0.8, 2 std above the mean): the words decide."""
    from qa.answering.answer import split_sentences

    return {"sims": {"weidong-2021#1": [(x, y, 0.8) for x, y in split_sentences(text)]}, "sim_stats": (0.7, 0.05)}


def test_an_office_holder_is_asked_for_and_found_by_title(gaz):
    """"Which deputy county head spoke at…" asks for a person: 副县长 is the title asked for, and "spoke" is a
    verb, not a wheel's spoke no plan mentions."""
    from qa.answering.asked import asked_kind
    from qa.crosslingual.english import verb_forms
    from qa.search.query import glossary_words

    question = "Which deputy district head spoke at Weidong's 2021 health work conference?"
    assert asked_kind(analyze(question, gaz)) == "person"
    assert asked_kind(analyze("卫东区的会议上哪位副区长讲话？", gaz)) == "person"
    assert "spoke" in verb_forms(question) and not verb_forms("Does Weidong mention wound care or a saw?")
    assert "deputy district head" in glossary_words(question) or "副区长" in " ".join(analyze(question, gaz).expansion)
    text = NEWS.replace("县委常委、宣传部部长主持会议并讲话。", "卫东区副区长王某出席会议并讲话。")
    from qa.answering.answer import split_sentences
    from qa.answering.pick import pick_sentences
    from qa.answering.sentlex import query_terms, sentence_score, sentence_tokens

    q = analyze(question, gaz)
    picks = pick_sentences([_hit(text)], q, query_terms(q), set(), sims=_vectors(text)["sims"], split=split_sentences,
                           score_fn=sentence_score, tokens_fn=sentence_tokens)
    assert "副区长" in picks[0].text, [p.text for p in picks[:3]]


MEETING = "2月8日，2021年卫东区卫生健康工作会议召开。会议要求，一要剖析形势，提高认识。二要锐意进取，主动作为。"


def _declined_with(gaz, text: str, question: str, why: str, line: str) -> None:
    """The answer to `question` over `text` declines by rule `why`, its first line saying what is missing."""
    a = build_answer(question, [_hit(text)], query=analyze(question, gaz), abstain=False,
                     lang="en" if question.isascii() else "zh", **_vectors(text))
    assert a.abstained and a.why == why and a.lead.splitlines()[0] == line, a.lead


def test_a_person_no_passage_of_the_plan_names_is_said_to_be_missing(gaz):
    from qa.answering.decline import NO_PERSON_EN, NO_PERSON_ZH

    _declined_with(gaz, MEETING, "Which district leader spoke at Weidong's 2021 health work conference?", "no person",
                   NO_PERSON_EN)
    _declined_with(gaz, MEETING, "卫东区2021年卫生健康工作会议上哪位领导讲话？", "no person", NO_PERSON_ZH)


def test_an_office_holder_written_in_traditional_characters_answers_who(gaz):
    # a 繁體 mirror writes 縣委書記, 縣長: the same office holders as 县委书记, 县长
    text = "2月8日，2021年衛東區衛生健康工作會議召開，區委書記張某、區長王某分別講話。會議要求，一要剖析形勢，提高認識。"
    question = "卫东区2021年卫生健康工作会议上哪位领导讲话？"
    a = build_answer(question, [_hit(text)], query=analyze(question, gaz), abstain=False, **_vectors(text))
    assert not a.abstained and "張某" in a.sentences[0].text, a.lead


def test_the_byline_under_a_headline_never_answers_when_the_meeting_was_held(gaz):
    # the page's date (发布日期:2021-02-10) is when it was posted; the dateline says when the meeting was held
    text = ("2021年卫东区卫生健康工作会议召开发布日期:2021-02-10信息来源: 编辑:卫东区卫生健康局审核:张某\n"
            "2月8日，卫东区召开2021年卫生健康工作会议，总结2020年工作，部署2021年任务。")
    question = "卫东区2021年卫生健康工作会议是哪天开的？"
    a = build_answer(question, [_hit(text)], query=analyze(question, gaz), abstain=False, **_vectors(text))
    assert not a.abstained and a.sentences[0].text.startswith("2月8日"), a.lead


def test_a_place_the_plan_does_not_name_is_said_to_be_missing(gaz):
    """"…会议是在什么地方召开的？", "Where was … held?": a report that says the meeting was held but not where is
    no answer, and the answer says the place is missing; one that names the room is the answer."""
    from qa.answering.decline import NO_PLACE_EN, NO_PLACE_ZH

    text = MEETING
    _declined_with(gaz, text, "Where was Weidong's 2021 health work conference held?", "no place", NO_PLACE_EN)
    _declined_with(gaz, text, "卫东区2021年卫生健康工作会议是在什么地方召开的？", "no place", NO_PLACE_ZH)
    held = text.replace("工作会议召开。", "工作会议在区政府三楼会议室召开。")
    a = build_answer("卫东区2021年卫生健康工作会议是在什么地方召开的？", [_hit(held)],
                     query=analyze("卫东区2021年卫生健康工作会议是在什么地方召开的？", gaz), abstain=False, lang="zh",
                     **_vectors(held))
    assert not a.abstained and "三楼会议室" in a.sentences[0].text, a.lead


@pytest.mark.parametrize("question, asks", [("卫生应急文化园选址在哪里？", True), ("新建的两家驿站在哪里？", True),
                                            ("Where was the conference held?", True),
                                            ("设备的钱从哪里出？", False), ("材料最后要交到哪里？", False),
                                            ("希望在哪些方面有所提升？", False),
                                            ("Where will the district move its IT hardware?", False)])
def test_which_questions_ask_for_a_location(question, asks):
    from qa.answering.asked import ASKS_LOCATION

    assert bool(ASKS_LOCATION.search(question)) is asks


def test_a_sentence_names_a_location_other_than_the_questions_own_words():
    from qa.answering.asked import names_location

    question = "甲县计划建成的卫生应急文化园选址在哪里？"
    assert not names_location("建成1个卫生应急文化园。", question)
    assert not names_location("坚持以人民健康为中心。", question)  # 为中心 is a stance, not a place
    assert names_location("卫生应急文化园选址在城南街道。", question)
    assert names_location("文化园建在人民路18号。", question)


@pytest.mark.parametrize("question", ["卫东区2021年卫生健康工作会议是哪天举行的？",
                                      "卫东区2021年卫生健康工作会议是什么时候召开的？"])
def test_the_date_of_a_meeting_is_the_day_it_was_held_not_a_year_the_report_mentions(gaz, question):
    text = "会议总结2020年卫生健康工作，安排部署2021年重点工作。2月8日上午，卫东区召开卫生健康工作会议。"
    a = build_answer(question, [_hit(text)], query=analyze(question, gaz), abstain=False, lang="zh",
                     **_vectors(text))
    assert "2月8日" in a.sentences[0].text, a.lead
    from qa.answering.asked import asked_kind

    assert asked_kind(analyze("When did Weidong hold its 2021 health work conference?", gaz)) == "day"
    assert asked_kind(analyze("卫东区2021年工作要点是什么时候印发的？", gaz)) == "date"
