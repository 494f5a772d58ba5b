"""Figures, counts, dates and ordinals: an answer to 多少/几/what rate/which one must state the asked-for one.

Split from test_answer_choice.py, whose hand-made hits and gazetteer it shares; the cases marked `model` run
the real pipeline over the shipped corpus.
"""
from __future__ import annotations

import re

import pytest

from qa.answering.answer import NO_FIGURE_EN, NO_FIGURE_ZH, build_answer
from qa.answering.asked import asked_kind
from qa.answering.figures import ASKS_RATE
from qa.answering.decline import BLANK_FIGURE_EN, BLANK_FIGURE_ZH
from qa.records import Hit
from qa.search.query import analyze
from qa.answering.respond import respond
from test_answer_choice import gaz, hit  # noqa: F401 (gaz is a fixture)


def test_a_figure_the_named_plan_never_states_gets_no_answer(gaz):
    # "…签约覆盖率达到了多少？": the plan speaks of the topic but its best sentences give no figure at all
    question = "卫东区家庭医生签约覆盖率达到了多少？"
    no_figure = "深化家庭医生签约服务内涵，提升签约服务质量。推动家庭医生团队下沉社区，做实履约服务。"
    a = build_answer(question, [hit(no_figure)], query=analyze(question, gaz), abstain=False)
    assert a.abstained and a.why == "no figure", a.lead
    assert a.lead.splitlines()[0] == NO_FIGURE_ZH  # it says the figure is missing, not that nothing is
    # a figure in digits or a count in words, even one HAS_NUMBER leaves to names ("三类"), is an answer to check
    for stated in ("家庭医生签约服务覆盖率达到45%，提升签约服务质量。", "家庭医生签约覆盖率实现三类重点人群全覆盖。",
                   # the figure in the best sentence's passage, after sentences that match more words
                   "深化家庭医生签约服务内涵，提升家庭医生签约覆盖率。扩大家庭医生签约覆盖率。年内力争40%以上。"):
        a = build_answer(question, [hit(stated)], query=analyze(question, gaz), abstain=False)
        assert not a.abstained, a.lead
    # 哪几个 asks to name them, no figure; and without a place named the rule stays out
    for other in ("卫东区家庭医生签约服务有哪几个要求？", "家庭医生签约覆盖率达到了多少？"):
        assert not build_answer(other, [hit(no_figure)], query=analyze(other, gaz), abstain=False).why == "no figure"


def test_a_figure_the_plan_leaves_blank_is_said_to_be_blank(gaz):
    """A draft writes "覆盖率达xx.x%": the figure's place and unit, not its value. Asked for the value, the answer
    says the plan leaves it blank and quotes the blank; a filled-in figure beside it still answers."""
    question = "卫东区家庭医生签约服务覆盖率达到了多少？"
    for draft, gap in (("家庭医生签约服务覆盖率达xx.x%，重点人群签约覆盖率达xx.xx%。", "xx.x%"),
                       ("提升家庭医生签约服务质量，签约服务覆盖率达到X%以上。", "X%")):
        a = build_answer(question, [hit(draft)], query=analyze(question, gaz), abstain=False)
        assert a.abstained and a.why == "blank figure", a.lead
        assert a.lead.splitlines()[0] == BLANK_FIGURE_ZH.format(blank=gap)
        en = "What family doctor contract coverage rate did Weidong reach?"
        b = build_answer(en, [hit(draft)], query=analyze(en, gaz), abstain=False, lang="en")
        assert b.abstained and b.lead.splitlines()[0] == BLANK_FIGURE_EN.format(blank=gap), b.lead
    filled = "家庭医生签约服务覆盖率达45.2%，重点人群签约覆盖率达xx.xx%。"
    c = build_answer(question, [hit(filled)], query=analyze(question, gaz), abstain=False)
    assert not c.abstained and "45.2%" in c.lead, c.lead
    # a blank is still the thing a plan names: asked which plans mention it, the sentence answers
    which = "哪些区提到了家庭医生签约服务覆盖率？"
    d = build_answer(which, [hit("家庭医生签约服务覆盖率达xx.x%。")], query=analyze(which, gaz), abstain=False)
    assert not d.abstained, d.lead


def test_a_count_of_something_else_in_the_passage_is_no_answer_to_a_figure_question(gaz):
    """The best sentence states no figure; its passage counts other things (组建4个专科联盟, 十九届四中全会,
    第四届运动会, 第45次常务会议): the plan does not give the figure asked for, and the answer says so."""
    question = "卫东区家庭医生签约覆盖率达到了多少？"
    passage = ("深化家庭医生签约服务内涵，提升家庭医生签约服务质量。全面贯彻党的十九届四中全会精神。"
               "组建妇幼、中医药等4个专科联盟。举办第四届全民健身运动会。经区政府第45次常务会议审议通过。")
    a = build_answer(question, [hit(passage)], query=analyze(question, gaz), abstain=False)
    assert a.abstained and a.why == "no figure", a.lead
    assert a.lead.splitlines()[0] == NO_FIGURE_ZH
    # the figure in a sentence of its own, right after the one about the question, still answers
    stated = "深化家庭医生签约服务内涵，提升家庭医生签约覆盖率。年内力争40%以上。组建4个专科联盟。"
    b = build_answer(question, [hit(stated)], query=analyze(question, gaz), abstain=False)
    assert not b.abstained and "40%" in b.lead, b.lead


def test_the_asked_unit_must_be_in_a_figure_about_the_question(gaz):
    """多少家健康促进医院: a 24% right after the topic counts no 家, and the 3家 further on counts something else."""
    question = "卫东区计划创建多少家健康促进医院？"
    passage = "推进健康促进医院创建工作。全区居民健康素养水平不低于24%。建成社区卫生服务中心3家。"
    a = build_answer(question, [hit(passage)], query=analyze(question, gaz), abstain=False)
    assert a.abstained and a.why == "asked unit absent", a.lead
    assert a.lead.splitlines()[0] == NO_FIGURE_ZH
    stated = "推进健康促进医院创建工作，年内创建健康促进医院5家。建成社区卫生服务中心3家。"
    b = build_answer(question, [hit(stated)], query=analyze(question, gaz), abstain=False)
    assert not b.abstained and "5家" in b.sentences[0].text, b.lead


def test_a_figure_in_a_sentence_about_something_else_does_not_answer(gaz):
    """The only figure is in a sentence sharing no word with the question, and only loosely close in meaning
    (z = 2): it is another indicator's figure, so the answer says the figure is not stated. Close in meaning
    (z = 5: a paraphrase), the same sentence answers."""
    question = "卫东区孕妇地中海贫血免费筛查的目标是多少？"  # (a rate, 筛查率, is answered by a share only)
    text = "开工建设3家标准化社区卫生服务中心。"
    for z, abstains in ((2.0, True), (5.0, False)):
        a = build_answer(question, [hit(text)], query=analyze(question, gaz), abstain=False,
                         sims={"weidong-2021#1": [(0, len(text), 0.3 + 0.1 * z)]}, sim_stats=(0.3, 0.1))
        assert a.abstained is abstains, (z, a.lead)
        if abstains:
            assert a.why == "no figure" and a.lead.splitlines()[0] == NO_FIGURE_ZH


def test_an_ordinal_answers_a_question_that_asks_which_one(gaz):
    """第几届/第几次 asks for the ordinal itself, so 第四届 and 第45次 answer it."""
    passage = "广泛开展全民健身活动，举办第四届全民健身运动会。经区政府第45次常务会议审议通过。"
    for question, shown in (("卫东区要举办的是第几届全民健身运动会？", "第四届"),
                            ("卫东区的方案是区政府第几次常务会议审议通过的？", "第45次")):
        a = build_answer(question, [hit(passage)], query=analyze(question, gaz), abstain=False)
        assert not a.abstained and shown in a.sentences[0].text, a.lead


@pytest.mark.model
@pytest.mark.parametrize("question", [
    "What percentage of elderly people does Gulou want to cover with mental health services?",
    "How much money will Weidong spend on the new hospital?",
    # the indicator's name between "what" and "rate"
    "What family doctor contract rate does Gulou aim for in 2021?"])
def test_an_english_figure_question_the_plan_gives_no_figure_for_says_so(real_retriever, question):
    """Asked in English for a figure (how many, what percentage) the named plan never states."""
    a = respond(real_retriever, question).answer
    assert a.abstained, a.lead
    assert a.lead.splitlines()[0] == NO_FIGURE_EN


@pytest.mark.parametrize("question, passage, answers", [
    ("卫东区给乡镇卫生院配了多少辆救护车？", "为乡镇卫生院配备救护车，提升院前急救能力。", False),
    ("卫东区给乡镇卫生院配了多少辆救护车？", "为乡镇卫生院配备救护车3辆，提升院前急救能力。", True),
    ("卫东区计划在几所学校开展健康教育？", "在全区学校开展健康教育，提升学生健康素养。", False),
    # a magnitude or "more than" between the number and the unit
    ("卫东区要培训多少名家庭医生？", "培训家庭医生1000余名，提升签约服务能力。", True),
    ("卫东区要为多少名老人提供体检？", "为12.8万名老人提供免费健康体检。", True),
    # a masked copy's x家 states the unit, so the unit is not what is missing: the value is
    ("卫东区要建成多少家健康促进医院？", "建成健康促进医院x家，巩固创建成果。", False),
    # money asked without its unit (多少经费, 总投资多少) is asked in 元
    ("卫东区为心理服务试点安排了多少专项经费？", "心理服务试点覆盖率达80%以上，建成心理咨询室。", False),
    ("卫东区为心理服务试点安排了多少专项经费？", "为心理服务试点安排专项经费50万元。", True),
    ("卫东区新院总投资多少？", "新院总投资2.17亿元，年内投用。", True),
])
def test_a_count_asked_with_its_unit_needs_that_unit_stated(gaz, question, passage, answers):
    a = build_answer(question, [hit(passage)], query=analyze(question, gaz), abstain=False)
    assert a.abstained is (not answers), a.lead
    if not answers and "x家" in passage:
        assert a.why == "blank figure" and a.lead.splitlines()[0] == BLANK_FIGURE_ZH.format(blank="x家")
    elif not answers:
        assert a.why == "asked unit absent" and a.lead.splitlines()[0] == NO_FIGURE_ZH


# ---------------------------------------------------------------- a rate is a share of what the question counts
def test_a_share_of_something_else_is_no_answer_to_a_rate_question(gaz):
    text = "建成12个家庭医生签约工作室，组建4个专科联盟，24个社区实现普惠托育全覆盖。"
    question = "卫东区家庭医生签约覆盖率达到了多少？"
    a = build_answer(question, [hit(text)], query=analyze(question, gaz), abstain=False)
    assert a.abstained and a.why == "no figure", a.lead


def test_a_word_naming_the_plan_says_nothing_of_which_rate_is_asked(gaz):
    # "卫生健康…的婴儿死亡率": 卫生健康 names the plan (its title is 2021年全区卫生健康重点工作安排), so a clause sharing
    # only it (居民健康素养水平…30%) states another rate
    from qa.answering.answer import split_sentences

    question = "卫东区卫生健康重点工作安排提出婴儿死亡率要控制在多少？"
    for text, answered in (("全面普及卫生健康知识，居民健康素养水平达到30%以上。", False),
                           ("婴儿死亡率控制在5‰以内，居民健康素养水平达到30%以上。", True)):
        sims = {"weidong-2021#1": [(x, y, 0.8) for x, y in split_sentences(text)]}
        a = build_answer(question, [hit(text)], query=analyze(question, gaz), abstain=False, sims=sims,
                         sim_stats=(0.7, 0.05))
        assert a.abstained != answered, (text, a.lead)


def test_a_share_in_a_clause_naming_the_rate_answers_though_its_subject_came_before(gaz):
    text = "规范严重精神障碍患者管理治疗，确保报告患病率不低于4.5%、规律服药率不低于50%。"
    question = "卫东区严重精神障碍患者规律服药率要达到多少？"
    a = build_answer(question, [hit(text)], query=analyze(question, gaz), abstain=False)
    assert not a.abstained and "规律服药率不低于50%" in a.sentences[0].text, a.lead


def test_another_plans_figure_does_not_answer_for_the_named_plan(gaz):
    from qa.records import Hit

    own = hit("持续推进家庭医生签约服务，提升签约服务质量。")
    other = Hit(chunk_id="gulou-2021#3", doc_id="gulou-2021", text="家庭医生签约服务覆盖率达到45%。", score=0.9,
                section="一、总体 > 3. 条目", district="鼓楼区", city="福州市", province="福建省",
                title="2021年鼓楼区卫生健康工作要点", year=2021, start=0, end=16)
    question = "卫东区家庭医生签约覆盖率达到了多少？"
    a = build_answer(question, [own, other], query=analyze(question, gaz), abstain=False)
    assert a.abstained and a.why == "no figure", a.lead


def test_english_figure_questions_name_their_figure_in_many_ways(gaz):
    from qa.answering.asked import asked_kind, asked_unit
    from qa.answering.figures import ASKS_RATE

    for q in ("What family doctor contract rate does Weidong aim for?", "What infant mortality rate target does Weidong set?"):
        assert asked_kind(analyze(q, gaz)) == "number" and ASKS_RATE.search(q), q
    assert asked_unit(analyze("How much money has Weidong budgeted for its health plan?", gaz)) == "元"
    assert asked_unit(analyze("How much will Weidong invest in the new hospital?", gaz)) == "元"
    assert asked_unit(analyze("How many beds will Weidong add?", gaz)) == ""
    assert not ASKS_RATE.search("What does the plan say about the share of visits?")  # no figure asked of it


@pytest.mark.parametrize("question, counted, other, stated", [
    ("How many family doctor teams does Weidong have?", "家庭医生",
     "组建家庭医生团队，组建4个专科联盟。", "组建12个家庭医生团队，做实签约服务。"),
    # "community-health centres" is the glossary's "community health centre": a hyphenated word is read by its parts
    ("How many community-health centres will Weidong build?", "社区卫生服务中心",
     "组建4个专科联盟，改造社区卫生服务中心。", "新建3个社区卫生服务中心，组建4个专科联盟。"),
])
def test_how_many_is_answered_by_a_figure_counting_what_it_asks(gaz, question, counted, other, stated):
    from qa.answering.answer import split_sentences
    from qa.answering.figures import counted_terms

    assert counted in counted_terms(analyze(question, gaz))
    for text, answered in ((other, False), (stated, True)):
        sims = {"weidong-2021#1": [(x, y, 0.8) for x, y in split_sentences(text)]}
        a = build_answer(question, [hit(text)], query=analyze(question, gaz), abstain=False, lang="en", sims=sims,
                         sim_stats=(0.7, 0.05))
        assert a.abstained != answered and (answered or a.why == "no figure"), (text, a.lead)


def test_the_plan_s_year_in_a_question_about_its_title_words_does_not_pick_the_sentence(gaz):
    # every word of "卫东区2021年卫生健康工作以什么为目标" is a title word; the year names the plan, and a
    # clause repeating it says no more than the one that holds "以…为目标"
    text = ("总结2020年卫生健康工作，安排部署2021年重点工作。"
            "会议要求，做好今年卫生健康工作要以“强基础、补短板、惠民生”为目标，全力推进健康卫东建设。")
    question = "卫东区2021年卫生健康工作以什么为目标？"
    a = build_answer(question, [hit(text)], query=analyze(question, gaz), abstain=False)
    assert "强基础、补短板、惠民生" in a.sentences[0].text, a.lead


def test_a_count_in_chinese_numerals_answers_how_many(gaz):
    text = "会议强调，2021年要重点做好十个方面的工作。参会人员约100人。"
    question = "卫东区2021年要重点做好几个方面的卫生健康工作？"
    a = build_answer(question, [hit(text)], query=analyze(question, gaz), abstain=False)
    assert not a.abstained and a.sentences[0].text.startswith("会议强调"), a.lead


def test_a_count_in_chinese_numerals_answers_an_english_how_many(gaz):
    # "How many" counts things as 几个 does: 三个 answers it though no digit is written, before a sentence
    # holding as many of the question's words and no count
    text = "推进社区卫生服务中心标准化建设，提升社区卫生服务中心服务能力。今年将新建三个社区卫生服务中心。"
    question = "How many community health service centres will Weidong build?"
    a = build_answer(question, [hit(text)], query=analyze(question, gaz), abstain=False, lang="en")
    assert not a.abstained and "三个" in a.sentences[0].text, a.lead


@pytest.mark.parametrize("question, text, count", [
    # everyday measure words ask for a count as 几个 does: the sentence stating one answers, before a sentence
    # sharing more of the question's words and stating none
    ("卫东区今年要铺开几样专门的整治活动？", "会议要求，全区要把专门的整治活动抓实抓细，铺开到各乡镇。深入开展七个专项整治。", "七个"),
    ("卫东区打算分几大块推进健康建设？", "会议要求，全区要分步推进健康建设，抓实抓细。深入开展九大行动，推进健康建设。", "九大"),
])
def test_a_count_asked_in_an_everyday_measure_word_is_answered_by_the_count(gaz, question, text, count):
    a = build_answer(question, [hit(text)], query=analyze(question, gaz), abstain=False)
    assert not a.abstained and count in a.sentences[0].text, a.lead


@pytest.mark.parametrize("question, text, stated", [
    # 比 compares here, it names no ratio (医护比): asked how much earlier or how many more, a count answers
    ("卫东区给困难残疾人改造无障碍设施，比计划早了几年完成？",
     "推进困难残疾人无障碍设施改造，加强统筹协调。困难重度残疾人无障碍改造提前3年完成目标。", "3年"),
    ("卫东区今年比去年多建了几所社区卫生服务站？", "推进社区卫生服务站建设，完善基层网络。今年新建社区卫生服务站5所，比去年增加2所。", "5所"),
])
def test_a_comparison_with_bi_asks_a_count_not_a_share(gaz, question, text, stated):
    assert not ASKS_RATE.search(question)
    a = build_answer(question, [hit(text)], query=analyze(question, gaz), abstain=False)
    assert not a.abstained and stated in a.sentences[0].text, a.lead
    for ratio in ("卫东区医护比要达到多少？", "卫东区的床护比是多少？", "卫东区签约率比去年提高多少？"):
        assert ASKS_RATE.search(ratio), ratio


def test_these_few_years_asks_for_no_figure(gaz):
    # 这几年/那几层 point at years or levels; "老百姓觉得怎么样" asks for no number, so a plan stating none answers
    text = "近年来，卫东区持续推进慢性病综合防控示范区建设。居民对健康服务获得感不断增加。"
    for question in ("卫东区这几年搞慢病防控，老百姓觉得怎么样？", "卫东区那几层看病的地方，现在都够格了没有？"):
        assert asked_kind(analyze(question, gaz)) != "number", question
        a = build_answer(question, [hit(text)], query=analyze(question, gaz), abstain=False)
        assert a.why != "no figure", a.lead
    assert asked_kind(analyze("卫东区这几年新建了几家社区卫生服务站？", gaz)) == "number"  # 几家 still asks


def test_institutions_counted_in_ge_answer_a_question_counting_in_jia(gaz):
    # 个 is the general measure word: "个体诊所113个" says how many 家 there are
    text = "截至2020年底，卫东区共有医疗卫生机构93个，其中个体诊所13个、村卫生室34个。"
    question = "卫东区有多少家个体诊所？"
    a = build_answer(question, [hit(text)], query=analyze(question, gaz), abstain=False)
    assert not a.abstained and "13个" in a.sentences[0].text, a.lead
    people = build_answer("卫东区有多少名村医？", [hit(text)], query=analyze("卫东区有多少名村医？", gaz), abstain=False)
    assert people.abstained, people.lead  # a count of institutions counts no people
    # 个 before a noun counts other things: months, aspects
    for q, other in (("卫东区表彰了多少家先进单位？", "会议表彰了先进单位，并从三个方面对今年工作进行了部署。"),
                     ("卫东区安排几所学校的老师进修学习？", "安排学校老师进修学习，为期3个月。")):
        assert build_answer(q, [hit(other)], query=analyze(q, gaz), abstain=False).abstained, q


def test_people_counted_in_ren_answer_a_question_counting_in_ming(gaz):
    text = "3、孕产妇免费产前筛查5000人。4、新生儿遗传代谢病筛查全覆盖。"
    question = "卫东区计划为多少名孕产妇免费做产前筛查？"
    a = build_answer(question, [hit(text)], query=analyze(question, gaz), abstain=False)
    assert not a.abstained, a.lead
    assert "5000人" in a.sentences[0].text


def test_a_count_in_chinese_numerals_answers_no_rate(gaz):
    # "三个全覆盖" counts; "签约率目标是多少" asks a share, which only the 40% sentence states
    text = "落实家庭医生签约服务“三个全覆盖”。年内家庭医生签约率力争达到40%以上。"
    question = "卫东区家庭医生签约率目标是多少？"
    a = build_answer(question, [hit(text)], query=analyze(question, gaz), abstain=False)
    assert "40%" in a.sentences[0].text, a.lead


def test_an_english_year_finds_the_figure_dated_that_year(gaz):
    """"How much … in 2019?": the passage writes the year as a date (2019年), and the sentence dated so
    states the figure, though it shares no translated word with the question; the sentence before it
    shares the words and gives no figure for that year."""
    from qa.answering.answer import split_sentences

    text = "卫生经费投入逐年增加，保障有力。2019年达1803万元，比上年增长12%。医疗卫生服务网络逐步完善。"
    question = "How much health funding did Weidong have in 2019?"
    sims = {"weidong-2021#1": [(x, y, 0.8) for x, y in split_sentences(text)]}
    a = build_answer(question, [hit(text)], query=analyze(question, gaz), abstain=False, lang="en", sims=sims,
                     sim_stats=(0.7, 0.05))
    assert not a.abstained, a.lead
    assert "1803万元" in a.sentences[0].text


def test_the_year_a_plan_is_titled_by_does_not_pick_the_sentence():
    from qa.answering.sentlex import holds, topic_weights

    assert holds("2005", "2005年达1803万元。") and not holds("2005", "比2000年增长了355%。")
    # "by 2025" of a 2021–2025 plan: every target of the plan is for 2025, the year says nothing
    assert topic_weights({"2025": 6.0, "床位": 2.0}, "卫东区卫生健康事业发展规划（2021—2025年）") == {"床位": 2.0}
    assert topic_weights({"2019": 6.0, "床位": 2.0}, "卫东区卫生健康事业发展规划（2021—2025年）") == {"2019": 6.0, "床位": 2.0}


def test_a_one_line_item_holding_the_asked_figure_answers_itself(gaz):
    """"4.…开展全民自救互救技能培训2.5万人；公共场所投放2台AED机。": the item's first sentence is its heading,
    and it holds the figure the question frames (培训…人); the next sentence counts something else."""
    text = "4.大力推进全民自救互救素养提升工程,开展全民自救互救技能培训2.5万人;公共场所投放2台AED机,配备药品急救包40个;"
    question = "卫东区计划开展全民自救互救技能培训多少人？"
    a = build_answer(question, [hit(text, section="4.大力推进全民自救互救素养提升工程,开展全民自救互救技能培训2.5万人")],
                     query=analyze(question, gaz), abstain=False)
    assert not a.abstained and "2.5万人" in a.sentences[0].text, a.lead


def test_a_figure_dated_before_the_year_asked_is_no_answer(gaz):
    """"2023年计划安排多少个项目" of a summary that counts 2022's: that figure is the year before's."""
    from qa.answering.answer import split_sentences

    question = "卫东区2023年计划安排多少个项目？"

    def answer(text):
        sims = {"weidong-2021#1": [(x, y, 0.8) for x, y in split_sentences(text)]}
        return build_answer(question, [hit(text)], query=analyze(question, gaz), abstain=False, sims=sims,
                            sim_stats=(0.7, 0.05))

    a = answer("2022年卫健委共设置13个项目，总投资2.17亿元。")
    assert a.abstained and a.why == "no figure", a.lead
    for stated in ("2023年卫健委计划设置15个项目，总投资3亿元。",  # the year asked
                   "卫健委计划设置15个项目，总投资3亿元。",  # undated: the plan's own year
                   "到2025年卫健委设置项目达到30个。"):  # a later target the plan sets
        b = answer(stated)
        assert not b.abstained, (stated, b.lead)


@pytest.mark.parametrize("question, stated", [
    # a plan's target table often leaves the unit to the indicator's name
    ("卫东区每万人口全科医生数要达到多少？", "到2025年，每万人口全科医生数达到3.93。"),
    ("卫东区人均预期寿命目标是多少？", "人均预期寿命达到79.5，健康素养水平持续提升。"),
    # a ratio, a rate in words per mille, a score
    ("卫东区医护比要达到多少？", "优化医护结构，医护比达到1:1.25。"),
    ("卫东区婴儿死亡率要控制在多少？", "婴儿死亡率控制在千分之五以下。"),
    ("卫东区群众满意度要达到多少？", "开展满意度测评，群众满意度达90分以上。"),
    # a count of people written in words
    ("卫东区计划培训多少名家庭医生？", "年内完成家庭医生培训两千余人。"),
])
def test_a_figure_written_without_a_unit_word_still_answers(gaz, question, stated):
    a = build_answer(question, [hit(stated)], query=analyze(question, gaz), abstain=False)
    assert not a.abstained, a.lead
    assert a.sentences[0].text in stated


def test_a_clock_time_or_a_year_is_no_figure(gaz):
    # a portal row's time of day and a horizon year count nothing
    question = "卫东区卫生健康工作会议的规模是多少？"
    for text in ("发布日期:2019-03-06 08:56 来源:区政府办公室。卫东区召开卫生健康工作会议。",
                 "卫东区召开卫生健康工作会议，力争达到2025年目标。"):
        a = build_answer(question, [hit(text)], query=analyze(question, gaz), abstain=False)
        assert a.abstained and a.why == "no figure", (text, a.lead)


def test_how_many_people_is_answered_by_a_count_of_people_not_of_leaflets(gaz):
    """"…工作会有多少人参加": the sentence sharing most words counts leaflets handed out (8000余份); the one
    whose figure is followed by the question's own words ("150余人参加") counts people, and answers."""
    from qa.search.query import answer_context_patterns

    question = "卫东区居民健康素养监测工作会有多少人参加？"
    assert any(re.search(p, "工作人员共计150余人参加了会议") for p in answer_context_patterns(question))
    leaflets = "会后，卫东区居民健康素养监测工作会发放健康素养宣传材料8000余份。"
    people = "区卫生健康委、各乡镇的相关领导与工作人员共计150余人参加了会议。"
    other = Hit(chunk_id="weidong-2021#2", doc_id="weidong-2021", text=people, score=0.9, section="一、总体 > 10. 条目",
                district="卫东区", city="平顶山市", province="河南省", title="2021年全区卫生健康重点工作安排",
                year=2021, start=0, end=len(people))
    a = build_answer(question, [hit(leaflets), other], query=analyze(question, gaz), abstain=False)
    assert not a.abstained and "150余人" in a.sentences[0].text, a.lead


def test_what_share_is_answered_by_a_share_not_by_a_count(gaz):
    """"…送进多大比例的人家": the passage's first sentence counts people (59人); the share asked for is a rate."""
    question = "卫东区要把艾滋病宣传资料送进多大比例的家庭？"
    assert ASKS_RATE.search(question) and ASKS_RATE.search("省财政和县财政各承担多少比例？")
    text = ("截止2011年底，卫东区累计报告艾滋病感染者及病人59人，覆盖22个乡镇。"
            "艾滋病防治墙体标语每村不少于5条，宣传资料入户率10%以上。")
    a = build_answer(question, [hit(text)], query=analyze(question, gaz), abstain=False)
    assert not a.abstained and "10%" in a.sentences[0].text, a.lead


@pytest.mark.parametrize("question", ["What average life expectancy does Weidong target for 2030?",
                                      "What health literacy level does Weidong aim to reach by 2030?",
                                      "What maternal mortality target does Weidong set?"])
def test_an_english_target_of_a_measured_indicator_is_a_figure_question(question):
    from qa.answering.asked import ASKS_FIGURE_EN

    assert ASKS_FIGURE_EN.search(question)
    # a target that is no measured indicator asks for words, not a figure
    assert not ASKS_FIGURE_EN.search("What target does Weidong set for its work style?")


def test_an_english_target_is_answered_only_by_a_figure_for_its_indicator(gaz):
    """"What health literacy level does X aim to reach": a figure for another indicator (抗病毒治疗率达到90%)
    shares "达到" and "水平" with the question, but names no 健康素养; the plan does not state the target."""
    from qa.answering.answer import split_sentences

    question = "What health literacy level does Weidong aim to reach in 2021?"

    def answer(text):
        sims = {"weidong-2021#1": [(x, y, 0.8) for x, y in split_sentences(text)]}
        return build_answer(question, [hit(text)], query=analyze(question, gaz), abstain=False, lang="en",
                            sims=sims, sim_stats=(0.7, 0.05))

    a = answer("深入开展健康素养促进行动。感染者和病人抗病毒治疗率达到90%以上，保持低流行水平。")
    assert a.abstained and a.why == "no figure", a.lead
    b = answer("深入开展健康素养促进行动，居民健康素养水平达到25%以上。")
    assert not b.abstained and "25%" in b.sentences[0].text, b.lead
    # "below what level does X aim to keep maternal mortality": "level" names no indicator of its own
    from qa.answering.figures import counted_terms

    assert not counted_terms(analyze("Below what level does Weidong aim to keep it?", gaz))
