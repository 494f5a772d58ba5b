"""An answer that says what the plan asked about never mentions, and rate questions answered only by their rate.

Hand-made hits (no index, no model): the user sees "卫东区的文件中没有提到狂犬病。" rather than a passage about
something else, and a rate question is not answered with another indicator's percentage.
"""
from __future__ import annotations

import pytest

from qa.answering.answer import build_answer, split_sentences
from qa.answering.figures import states_share
from qa.answering.grounding import disease_pattern, named_diseases
from qa.corpus.documents import read_catalog
from qa.places import Gazetteer
from qa.records import Hit
from qa.search.query import analyze


def hit(text: str) -> Hit:
    return Hit(chunk_id="weidong-2021#1", doc_id="weidong-2021", text=text, score=1.0, section="一、总体 > 9. 条目",
               district="卫东区", city="平顶山市", province="河南省", title="2021年全区卫生健康重点工作安排",
               year=2021, start=0, end=len(text))


@pytest.fixture(scope="module")
def gaz() -> Gazetteer:
    return Gazetteer(read_catalog())


@pytest.mark.parametrize("question, names", [
    ("卫东区对狂犬病暴露处置门诊有什么要求？", ("狂犬病",)),
    ("卫东区对手足口病防控有什么安排？", ("手足口病",)),  # jieba cuts 手足|口病; 口病 is no word, so they are joined
    ("卫东区对新生儿先天性心脏病筛查是怎么安排的？", ("心脏病",)),
    ("卫东区艾滋病和结核病防治有什么目标？", ("艾滋病", "结核病")),
    ("卫东区给居家老人提供哪些看病服务？", ()),  # 看病 is a word of its own, not a disease
    ("卫东区打算把哪几类疾病管住？", ()),
    ("卫东区搞环境卫生，主要想防住哪类病？", ()),
    ("卫东区“两癌”筛查覆盖多少人？", ()),  # 两 names no disease
])
def test_the_diseases_a_question_names(question, names):
    assert named_diseases(question) == names


@pytest.mark.parametrize("name, text, found", [
    ("新冠肺炎", "做好新型冠状病毒肺炎疫情常态化防控", True),  # an abbreviation is its full name with characters left out
    ("结核病", "肺结核患者规范管理率达到90%", True),
    ("慢性病", "慢性非传染性疾病综合防控", True),
    ("慢性病", "加强慢病管理", True),  # the first character and the ending: a common short form
    ("乙型肝炎", "乙肝疫苗接种", True),  # the first and the last before the ending
    ("狂犬病", "规范犬只管理，狂热", False),
    ("手足口病", "手卫生和口腔健康", False),
])
def test_a_disease_is_found_however_the_plan_abbreviates_it(name, text, found):
    assert bool(disease_pattern(name).search(text)) == found


def test_a_disease_the_named_plan_never_mentions_is_said_to_be_missing(gaz):
    text = "规范发热门诊、肠道门诊设置，提升门诊服务能力。"
    question = "卫东区对狂犬病暴露处置门诊有什么要求？"
    sims = {"weidong-2021#1": [(x, y, 0.9) for x, y in split_sentences(text)]}  # close in meaning, all the same
    a = build_answer(question, [hit(text)], query=analyze(question, gaz), abstain=False, sims=sims,
                     sim_stats=(0.7, 0.05))
    assert a.abstained and a.why == "not mentioned", a.lead
    assert a.lead.splitlines()[0].startswith("卫东区的文件中没有提到狂犬病。"), a.lead


def test_a_disease_the_plan_names_in_full_is_answered(gaz):
    text = "做好新型冠状病毒肺炎疫情常态化防控，落实“四早”要求。"
    question = "卫东区对新冠肺炎疫情防控有什么要求？"
    a = build_answer(question, [hit(text)], query=analyze(question, gaz), abstain=False)
    assert not a.abstained and "新型冠状病毒肺炎" in a.sentences[0].text, a.lead


def test_a_rate_clause_answers_only_when_it_names_the_rate_or_what_it_counts():
    # an English "rate" translates to the bare 率 and "target" to 达到: every rate clause holds them
    weights = {"婴幼儿": 3.0, "率": 0.3, "达到": 2.0}
    assert not states_share("感染者和病人抗病毒治疗率、病毒抑制率达到90%以上。", weights)
    assert states_share("婴幼儿健康管理率达到90%以上。", weights)
    assert states_share("抗病毒治疗率达到90%以上。", weights | {"治疗率": 2.0})  # the rate word itself
    # 比例 names no indicator either: a share of village clinics is no 报销比例
    reimburse = {"异地": 2.0, "就医": 2.0, "结算": 2.0, "报销": 2.0, "比例": 2.0}
    assert not states_share("公有产权村卫生室比例达到70%以上。", reimburse)
    # the clause naming whose rate it is may come first, the rate in a clause of its own after it
    patients = {"精神病人": 4.0, "精神": 2.0, "登记": 2.0, "比例": 2.0}
    assert states_share("规范严重精神障碍患者管理治疗，确保报告患病率不低于4.5%。", patients)
    assert not states_share("规范严重精神障碍患者管理治疗，24个社区实现托育全覆盖。", patients)  # no rate of its own


def test_another_indicators_share_is_no_answer_to_an_english_rate_question(gaz):
    best = "推进婴幼儿照护服务发展，建立1—2家示范性婴幼儿照护服务机构。"
    other = "努力减少艾滋病新发感染，感染者和病人抗病毒治疗率、病毒抑制率达到90%以上。"
    text = best + other
    question = "What infant mortality rate target does Weidong set?"
    sims = {"weidong-2021#1": [(x, y, 0.8 - 0.05 * i) for i, (x, y) in enumerate(split_sentences(text))]}
    a = build_answer(question, [hit(text)], query=analyze(question, gaz), abstain=False, lang="en", sims=sims,
                     sim_stats=(0.8, 0.05))
    assert a.abstained and a.why == "no figure", a.lead


def test_whom_a_plan_was_copied_to_is_answered_by_its_copy_line(gaz):
    """"抄送：…" names whom the notice was copied to; the addressee line names whom it was sent to."""
    text = ("各乡镇卫生院、社区卫生服务中心：\n现将卫东区健康促进工作方案印发给你们，请认真贯彻执行。\n"
            "卫东区卫生健康委员会2021年3月1日抄送：区委各部门、各人民团体。")
    sims = {"weidong-2021#1": [(x, y, 0.8) for x, y in split_sentences(text)]}
    for question, start in (("卫东区的健康促进工作方案抄送给了哪些单位？", "卫东区卫生健康委员会2021年3月1日抄送"),
                            ("To whom was Weidong's health promotion plan copied?", "卫东区卫生健康委员会2021年3月1日抄送"),
                            ("卫东区的健康促进工作方案印发给了谁？", "各乡镇卫生院")):
        a = build_answer(question, [hit(text)], query=analyze(question, gaz), abstain=False, sims=sims,
                         sim_stats=(0.5, 0.1), lang="en" if question.isascii() else "zh")
        assert a.sentences[0].text.startswith(start), (question, a.lead)
