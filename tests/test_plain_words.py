"""Questions staff ask in their own words about one plan: who leads a task, and a figure asked in everyday words.

A district's task list names each task's leader in a field of its own ("（责任领导：…，牵头科室：…）"), and a
figure is often asked in words the plan never uses (小朋友 for 儿童, 防蛀牙的氟化处理 for 涂氟). Hand-made hits
of the fixture 卫东区 (no index, no model); the cosines are all alike, so the words and what is asked decide.
"""
from __future__ import annotations

import pytest

from qa.answering.answer import build_answer, split_sentences
from qa.answering.asked import asked_kind
from qa.corpus.documents import read_catalog
from qa.places import Gazetteer
from qa.records import Hit
from qa.search.query import analyze


@pytest.fixture(scope="module")
def gaz() -> Gazetteer:
    return Gazetteer(read_catalog())


def _hit(text: str, section: str = "（六）促进人口均衡发展") -> Hit:
    return Hit(chunk_id="weidong-2021#1", doc_id="weidong-2021", text=text, score=1.0, section=section,
               district="卫东区", city="平顶山市", province="河南省", title="2021年全区卫生健康重点工作安排",
               year=2021, start=0, end=len(text))


def _vectors(text: str) -> dict:
    """Every sentence as close to the question as any other (0.8, 2 std above the mean)."""
    return {"sims": {"weidong-2021#1": [(x, y, 0.8) for x, y in split_sentences(text)]}, "sim_stats": (0.7, 0.05)}


TASKS = ("持续落实人口监测点制度，加强出生人口监测和形势研判。做好生育政策宣传、生育服务登记等工作。"
         "（责任领导：王某某，牵头科室：人口监测与家庭发展科，责任单位：各乡镇卫生院）")


@pytest.mark.parametrize("question, lang", [
    ("Who is the responsible leader for Weidong's population monitoring tasks?", "en"),
    ("卫东区人口监测工作的责任领导是谁？", "zh"),
])
def test_the_leader_of_a_task_is_the_line_that_names_the_responsible_leader(gaz, question, lang):
    q = analyze(question, gaz)
    assert asked_kind(q) == "person"
    a = build_answer(question, [_hit(TASKS)], query=q, abstain=False, lang=lang, **_vectors(TASKS))
    assert not a.abstained, a.lead
    assert "责任领导：王某某" in a.sentences[0].text, a.lead


def test_who_leads_a_task_still_asks_for_the_unit_not_a_person(gaz):
    # "who leads" / 由哪个科室牵头 ask for the lead unit (the 牵头科室 field), as before
    assert asked_kind(analyze("Who leads Weidong's population monitoring?", gaz)).startswith("org")
    assert asked_kind(analyze("卫东区人口监测由哪个科室牵头？", gaz)).startswith("org")


def test_a_figure_asked_in_everyday_words_is_answered_not_declined(gaz):
    # 小朋友/防蛀牙/氟化处理 are not the plan's words (儿童/涂氟): the best sentence shares little of the question
    # but states the figure; it answers, and the figure leads
    text = ("聚焦老人、儿童等重点人群，做实年度区政府实事项目，包括为2万名3-5岁儿童免费实施牙齿涂氟。"
            "推进安宁疗护体系建设。")
    question = "卫东区今年打算免费给多少个三到五岁的小朋友做防蛀牙的氟化处理？"
    a = build_answer(question, [_hit(text, "23.扎实推进政府实事工程")], query=analyze(question, gaz), abstain=False,
                     **_vectors(text))
    assert not a.abstained, (a.why, a.lead)
    assert "2万名3-5岁儿童" in a.sentences[0].text, a.lead


def test_a_figure_question_whose_words_the_passage_lacks_entirely_is_still_declined(gaz):
    # nothing of the question in the passage but a figure of something else: not an answer
    text = "推进安宁疗护体系建设，依托区级安宁疗护中心探索多种形式服务延伸。完成3家医院改造。"
    question = "卫东区今年计划为多少名孕产妇做免费唐氏筛查？"
    a = build_answer(question, [_hit(text, "18.提升服务能级")], query=analyze(question, gaz), abstain=False,
                     **_vectors(text))
    assert a.abstained and a.why in ("no figure", "asked unit absent"), (a.why, a.lead)


@pytest.mark.parametrize("question, field", [
    ("What is the title of Weidong's first micro-video about clean hospitals?", ""),  # a work the plan names
    ("What is the title of the campaign Weidong launches for patriotic health month?", ""),
    ("What is the title of Weidong's 2021 plan?", "title"),  # the copy itself
    ("What is the title of the document?", "title"),
    ("What is the title of Weidong's notice on health work priorities?", "title"),
    ("What is the title?", "title"),
])
def test_the_title_of_a_work_the_plan_names_is_no_header_fact(question, field):
    from qa.search.query import header_field

    assert header_field(question) == field



@pytest.mark.model
def test_how_many_years_is_answered_by_a_span_of_years(real_retriever):
    # "how many years" counts a unit of measure: the plan's 分2年完成 states it, though no clause of it names
    # a thing called "years" (before: declined as a count of other things)
    from qa.answering.respond import respond

    a = respond(real_retriever, "In how many years will Gulou finish recruiting for the vacant posts left in its "
                                "health system?").answer
    assert not a.abstained, (a.why, a.lead)
    assert "分2年完成" in a.sentences[0].text, a.lead


def test_several_is_no_question_for_a_count(gaz):
    # 好几家 is "several" and 几乎 "almost": neither asks 多少/几家, so no figure or unit is required of the answer
    from qa.answering.asked import asked_unit

    for question in ("卫东区开中医小诊所的，以后能不能开成好几家分店？", "卫东区是不是几乎每个社区都有家庭医生？"):
        q = analyze(question, gaz)
        assert asked_kind(q) != "number" and not asked_unit(q), question
    assert asked_kind(analyze("卫东区建了几家中医馆？", gaz)) == "number"  # a count asked, as before
    text = "推动中医门诊部、中医诊所规范建设和连锁发展。加强基层中医类别全科医生培养。"
    question = "卫东区开中医小诊所的，以后能不能开成好几家分店？"
    a = build_answer(question, [_hit(text, "16. 加强基层中医药服务体系建设")], query=analyze(question, gaz),
                     abstain=False, **_vectors(text))
    assert a.why not in ("asked unit absent", "no figure"), (a.why, a.lead)


@pytest.mark.parametrize("question, named", [
    ("卫东区对老慢支、肺气肿这类喘不上气的老毛病有啥专门行动？", ()),  # 老毛病: everyday words for an ailment
    ("卫东区对手足口病防控有什么安排？", ("手足口病",)),  # a disease's name, as before
    ("卫东区对慢性病和传染病有什么安排？", ("慢性病", "传染病")),
])
def test_an_everyday_word_for_an_ailment_is_no_disease_name(question, named):
    from qa.answering.grounding import named_diseases

    assert named_diseases(question) == named


def test_diseases_given_as_examples_of_a_group_the_plan_names_are_not_missing(gaz):
    # the plan writes the group (两慢病) and never 糖尿病: the question gives 高血压、糖尿病 as the group's
    # examples, so the plan does speak of what it asks; a disease asked about on its own is still missing
    from qa.answering.grounding import unmentioned_diseases

    plan = ["完成区级两慢病基线调查。", "加快推进慢病管理中心建设。", "规范高血压患者健康管理。"]
    mentions = lambda pattern: any(pattern.search(t) for t in plan)  # noqa: E731
    grouped = analyze("卫东区打算对高血压、糖尿病这两类慢病做一次什么摸底调查？", gaz)
    assert unmentioned_diseases(grouped, mentions) == ()
    alone = analyze("卫东区对糖尿病患者有什么安排？", gaz)
    assert unmentioned_diseases(alone, mentions) == ("糖尿病",)
