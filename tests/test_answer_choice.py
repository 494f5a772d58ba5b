"""Which sentence leads an answer, and when the answer says the documents do not answer.

Pure cases use hand-made hits (no index, no model); the abstention cases run
the real pipeline over the shipped corpus (marked `model`).
"""
from __future__ import annotations

import pytest

from qa.answering.answer import ABSTAIN_ZH, build_answer
from qa.answering.asked import asked_kind
from qa.answering.sentlex import _MAX_SENT_CHARS
from qa.corpus.documents import read_catalog
from qa.places import Gazetteer
from qa.search.query import analyze
from qa.records import Hit
from qa.answering.respond import respond


def hit(text: str, section: str = "一、总体 > 10. 条目") -> Hit:
    return Hit(chunk_id="weidong-2021#1", doc_id="weidong-2021", text=text, score=1.0, section=section,
               district="卫东区", city="平顶山市", province="河南省", title="2021年全区卫生健康重点工作安排",
               year=2021, start=0, end=len(text))


@pytest.fixture(scope="module")
def gaz() -> Gazetteer:
    return Gazetteer(read_catalog())


def test_an_item_heading_hands_the_first_line_to_the_sentence_under_it(gaz):
    text = "10. 深入推进职业健康工作。以尘肺病、噪声聋为重点，持续深化重点行业专项治理。加强宣传。"
    question = "卫东区深入推进职业健康工作有什么安排？"
    a = build_answer(question, [hit(text)], query=analyze(question, gaz), abstain=False)
    assert not a.abstained
    assert a.sentences[0].text.startswith("以尘肺病、噪声聋为重点"), a.lead
    assert "10. 深入推进" not in a.lead.splitlines()[0]


@pytest.mark.parametrize("question", ["卫东区要实施的关爱行动叫什么名字？", "卫东区这项关爱行动的名称是什么？"])
def test_asked_what_a_thing_is_called_the_item_title_writing_its_name_answers(gaz, question):
    """The item's title is the only line that writes the coined name; the sentence under it says what is done,
    which is not what was asked."""
    text = "3. 实施“暖阳护航”关爱行动。建立困难家庭帮扶台账，开展上门走访慰问。"
    a = build_answer(question, [hit(text, "二、重点工作 > 3. 实施“暖阳护航”关爱行动")], query=analyze(question, gaz),
                     abstain=False)
    assert "“暖阳护航”" in a.sentences[0].text, a.lead


def test_a_long_sentence_is_cut_to_the_clauses_that_answer(gaz):
    filler = "，".join(["坚持以人民健康为中心的发展思想"] * 14)
    sentence = f"按照“两新三强”定位、“五个大幅提升”目标，{filler}，全面提升公共卫生能力。"
    question = "卫东区提升公共卫生能力要按照什么定位和目标？"
    a = build_answer(question, [hit(sentence)], query=analyze(question, gaz), abstain=False)
    first = a.sentences[0].text
    assert len(first.replace("…", "")) <= _MAX_SENT_CHARS < len(sentence)
    assert "“两新三强”定位、“五个大幅提升”目标" in first, a.lead


@pytest.mark.model
@pytest.mark.parametrize("question", ["哪个区计划建设方舱医院？", "哪个区安排了HPV疫苗免费接种？"])
def test_a_kind_no_document_names_gets_no_answer(real_retriever, question):
    """The passages speak of 医院 and 疫苗 in general; none names the kind asked for."""
    a = respond(real_retriever, question).answer
    assert a.abstained, a.lead
    assert a.lead.splitlines()[0] == ABSTAIN_ZH


@pytest.mark.model
def test_everyday_rewording_still_gets_its_answer(real_retriever):
    """卫生机构, 方便群众, 化验 occur in no passage, but they reword what one says: not a missing kind."""
    a = respond(real_retriever, "卫东区在基层卫生机构试点哪种方便群众的快速化验服务？").answer
    assert not a.abstained, a.lead
    assert "卫东" in a.lead


def test_a_frame_word_after_an_absent_word_is_no_kind_of_thing():
    # 名次 is in no passage, 目标 is in the answer: but 目标 frames the question (what target), so
    # 名次目标 is no kind of 目标 the documents lack, as 方舱医院 is a kind of 医院
    from qa.answering.topic import unmatched_kind
    from qa.search.query import analyze

    known = lambda t: t in {"目标", "医院", "建设", "争先"}
    assert unmatched_kind(analyze("卫东区给自己定了什么名次目标？", None), ("名次",), known,
                          frozenset({"目标", "争先"})) == ""
    assert unmatched_kind(analyze("哪个区计划建设方舱医院？", None), ("方舱",), known,
                          frozenset({"医院", "建设"})) == "方舱"


@pytest.mark.parametrize("question, missing, sentence, kind", [
    # two words of one pattern side by side are a pair, not a kind of the second
    ("甲区灭蚊灭鼠是只靠专业队伍吗？", ("灭蚊",), "开展夏季蚊媒消杀和灭鼠防鼠工作。", ""),
    # the plan qualifies the same head with a word opening like the question's: a rewording
    ("甲区对重症精神病人救助多少人？", ("重症",), "救治救助贫困重性精神病患者180人。", ""),
    # …or one sharing a character with it, in another order (货源 of 进货)
    ("甲区怎样管住餐饮行业的货源质量？", ("货源",), "加强餐饮行业监管，严把商品进货质量关。", ""),
    # a new kind of the head the answer names is still a kind the documents lack
    ("哪个区计划建设方舱医院？", ("方舱",), "推进区人民医院新院区建设。", "方舱"),
    ("甲区流感疫苗接种率的目标是多少？", ("流感",), "适龄儿童免疫规划疫苗接种率达到90%以上。", "流感"),
])
def test_an_absent_word_before_a_head_the_answer_has(question, missing, sentence, kind):
    from qa.answering.sentlex import sentence_tokens
    from qa.answering.topic import unmatched_kind
    from qa.search.query import analyze

    tokens = sentence_tokens(sentence)
    known = lambda t: t in tokens  # noqa: E731 — the answer's words are in the index, the missing ones not
    assert unmatched_kind(analyze(question, None), missing, known, tokens, sentence) == kind


@pytest.mark.model
def test_an_english_question_asking_what_level_may_be_answered_in_words(real_retriever):
    """"what level" is answered by a phrase (达到全国平均水平) as often as by a figure: not refused for lacking one."""
    a = respond(real_retriever, "What level of service does Weidong want its village clinics to reach?").answer
    assert a.why != "no figure", a.lead


@pytest.mark.parametrize("question, n", [
    ("卫东区健康环境建设行动的第一项工作是什么？", 1), ("卫东区方案的第三个方面讲什么？", 3), ("第十一项任务由谁负责？", 11),
    ("What is the first key task listed in Weidong's plan?", 1), ("What is the second basic principle?", 2),
    ("What was the first of the five requirements at Weidong's meeting?", 1),
    ("卫东区“十四五”规划有哪些目标？", None), ("卫东区要进入全省第一方阵吗？", None), ("第一项以上的任务", None)])
def test_a_question_asking_for_the_nth_item_is_recognised(question, n):
    from qa.answering.pick import asked_nth
    assert asked_nth(question) == n


def test_the_nth_items_own_title_answers_a_question_asking_for_it(gaz):
    """"第一项工作是什么": the item numbered 1 is the answer, though a sentence above shares more of the words
    and its own title would otherwise hand over to the sentence under it."""
    text = ("到2027年，健康环境建设行动取得明显成效，有利于健康的支持性环境基本建成。"
            "1.全面推进健康城镇建设。深入开展健康村社区、健康机关建设。2.加强健康步道建设。完善社区健身场地设施。")
    for question in ("卫东区健康环境建设行动的第一项工作是什么？", "卫东区健康环境建设行动的第二项工作是什么？"):
        a = build_answer(question, [hit(text)], query=analyze(question, gaz), abstain=False)
        want = "1.全面推进健康城镇建设" if "第一" in question else "2.加强健康步道建设"
        assert a.sentences[0].text.startswith(want), a.lead
    # without an ordinal asked, the item title still hands over to what is done under it
    plain = "卫东区健康城镇建设要做什么？"
    b = build_answer(plain, [hit(text)], query=analyze(plain, gaz), abstain=False)
    assert not b.sentences[0].text.startswith("1."), b.lead


NOTICE = ("各乡镇卫生院、社区卫生服务中心，委属各单位，机关各科室：现将《2021年全区卫生健康工作要点》印发给你们，"
          "请结合实际，建立任务清单、责任清单和成果清单，认真贯彻落实。")


def test_the_addressee_line_answers_only_who_was_sent_the_plan(gaz):
    """The notice's addressee line (各…：) names who receives the plan: it answers "发给了哪些单位" and
    "which units was it sent to", and nothing else, however many of a question's words it shares."""
    text = ("各乡镇卫生院、社区卫生服务中心，委属各单位，机关各科室：\n" + NOTICE.split("：", 1)[1]
            + "\n工作要点明确了各单位全年卫生健康工作的重点任务，发挥各单位作用。")
    from qa.answering.answer import split_sentences

    sims = {"weidong-2021#1": [(a, b, 0.8) for a, b in split_sentences(text)]}  # equally close in meaning: z = 3
    for question in ("卫东区的工作要点印发给了谁？", "卫东区的工作要点主送谁？"):
        a = build_answer(question, [hit(text)], query=analyze(question, gaz), abstain=False, sims=sims,
                         sim_stats=(0.5, 0.1))
        assert a.sentences[0].text.startswith("各乡镇卫生院"), a.lead
    other = "卫东区要求建立哪几张清单？"
    b = build_answer(other, [hit(text)], query=analyze(other, gaz), abstain=False)
    assert "任务清单、责任清单和成果清单" in b.sentences[0].text, b.lead


def test_which_bureaus_asks_for_organisations_and_sent_to_asks_for_the_addressees():
    from qa.answering.pick import ASKS_RECIPIENT, asked_kind
    assert ASKS_RECIPIENT.search("Which units was Weidong's 2021 work plan sent to?")
    assert ASKS_RECIPIENT.search("To whom was the plan copied?")
    assert not ASKS_RECIPIENT.search("卫东区要建立哪几张清单？")
    q = analyze("Which bureaus are responsible for building up the health education network?", None)
    assert asked_kind(q).startswith("org")


# ---------------------------------------------------------------- a document, a person, asked for by name
def test_which_document_a_plan_implements_is_answered_by_the_sentence_quoting_its_title(gaz):
    text = ("以基层服务能力提升为抓手，全面实施基层卫生机构建设三年行动计划。"
            "落实《某省基层卫生机构建设三年行动计划（2020-2022年）》要求，加强规范化建设。")
    for question in ("卫东区的重点工作安排落实了哪个文件？",
                     "Which provincial three-year action plan for primary care does Weidong implement?"):
        a = build_answer(question, [hit(text)], query=analyze(question, gaz), abstain=False)
        assert "《某省基层卫生机构建设三年行动计划" in a.sentences[0].text, a.lead


def test_a_province_named_above_the_plan_says_whose_cited_document_is_asked_for(gaz):
    text = ("为贯彻落实《平顶山市卫东区关于推进健康卫东建设的实施意见》，做好年度工作，制定本安排。"
            "根据《国务院关于实施健康中国行动的意见》《河南省人民政府关于推进健康中原行动的实施意见》，推进健康卫东建设。")
    question = "卫东区推进健康卫东建设依据了河南省的哪个文件？"
    a = build_answer(question, [hit(text)], query=analyze(question, gaz), abstain=False)
    assert "河南省人民政府关于推进健康中原行动的实施意见" in a.sentences[0].text, a.lead


def test_a_provincial_document_asked_for_is_a_title_naming_a_province(gaz):
    # "依据的省级规划是哪一个": the document named first, then "which one"; of the provincial level, so
    # the plan's own title line and the city's document are no answer
    text = ("卫东区“十四五”卫生与健康规划。"
            "为推进健康卫东建设,根据《平顶山市“十四五”卫生与健康规划》和《河南省“十四五”卫生与健康规划》(豫政〔2017〕12号),制定本规划。")
    question = "卫东区“十四五”卫生与健康规划依据的省级规划是哪一个？"
    q = analyze(question, gaz)
    assert asked_kind(q) == "title:省"
    a = build_answer(question, [hit(text)], query=q, abstain=False)
    assert "河南省“十四五”卫生与健康规划" in a.sentences[0].text, a.lead
    assert asked_kind(analyze("Which provincial plan does Weidong's 2021 work arrangement implement?", gaz)) == "title:省"


def test_a_question_about_a_plan_naming_none_asks_for_the_plan_not_a_quoted_title(gaz):
    # "哪个文件提出…" names no plan: it asks which document says so, not for a title the text quotes
    from qa.answering.pick import asked_kind

    assert asked_kind(analyze("哪个文件提出要建设互联网医院？", gaz)) != "title"
    assert asked_kind(analyze("卫东区的重点工作安排依据了哪个文件？", gaz)) == "title"
    assert asked_kind(analyze("Which meeting approved the Healthy Weidong action plan?", gaz)) != "title"


def test_which_official_attended_is_answered_by_the_line_naming_an_office_holder(gaz):
    text = ("3月1日，全区卫生健康系统春季工作会议召开，部署今年卫生健康工作。"
            "区政协副主席、卫生健康委主任张某某参加会议。会议要求抓好重点任务落实。")
    from qa.answering.answer import split_sentences

    # equal sentence cosines (as if embedded): only what the question asks for tells the sentences apart
    sims = {"weidong-2021#1": [(x, y, 0.8) for x, y in split_sentences(text)]}
    question = "卫东区春季卫生健康工作会议有哪位领导参加？"
    a = build_answer(question, [hit(text)], query=analyze(question, gaz), abstain=False, sims=sims,
                     sim_stats=(0.7, 0.05))
    assert a.sentences[0].text.startswith("区政协副主席、卫生健康委主任张某某"), a.lead
    from qa.answering.pick import asked_kind

    # English questions are translated by the index's lexicon (not here); they ask for the same kind
    for q in ("Which official attended Weidong's spring health work meeting?", "Who heads the leading group?"):
        assert asked_kind(analyze(q, gaz)) == "person"


# ---------------------------------------------------------------- what a coined term stands for
def test_a_term_the_plan_only_uses_is_not_explained_by_the_sentence_using_it(gaz):
    text = "全年持续聚焦“232”工作主线，全面建成覆盖城乡的基本医疗卫生制度，构建优质均衡的医疗服务体系。"
    question = "卫东区的“232”工作主线具体是指什么？"
    a = build_answer(question, [hit(text)], query=analyze(question, gaz), abstain=False)
    assert a.abstained and a.why == "not spelled out"
    assert a.lead.startswith("文件提到了“232”，但没有说明它具体指什么"), a.lead
    assert a.citations and "“232”工作主线" in a.citations[0].hit.text  # the passage using it is still shown


def test_a_term_the_plan_spells_out_is_answered_with_its_explanation(gaz):
    for text in ("全年聚焦“232”工作主线，即两大体系、三大集团、两个中心，建成覆盖城乡的医疗卫生制度。",
                 "构建“两建三融”工作格局。三融：将健康促进融入文明创建、融入爱国卫生、融入全民健身；",
                 "推进健康促进融入文明创建、融入爱国卫生、融入全民健身的“三融”工作。"):
        term = "232" if "232" in text else "三融"
        question = f"卫东区的“{term}”具体是指什么？"
        a = build_answer(question, [hit(text)], query=analyze(question, gaz), abstain=False)
        assert not a.abstained, (text, a.lead)


def test_the_term_asked_about_is_the_one_right_before_the_question_of_its_meaning(gaz):
    from qa.answering.asked import asked_meaning, spells_out

    assert asked_meaning(analyze("卫东区“两建三融四行动”中的“三融”是指哪三个融入？", gaz)) == "三融"
    assert asked_meaning(analyze("哪个区提出“三融”？", gaz)) == ""  # asks where, not what it means
    # asks about something the term leads to, not what the term stands for
    assert asked_meaning(analyze("卫东区落实“两个允许”过程中在基层遇到的主要困难包括哪些？", gaz)) == ""
    assert asked_meaning(analyze("卫东区“两个允许”政策落实情况具体有哪些要求？", gaz)) == ""
    assert asked_meaning(analyze("What does “232” stand for in Weidong's plan?", gaz)) == ""  # English: not handled
    assert spells_out("232", "“232”工作主线,即两大体系") and spells_out("232", "“232”工作(两大体系、三大集团)")
    assert not spells_out("232", "持续聚焦“232”工作主线，全面建成") and not spells_out("三融", "构建“两建三融四行动”格局")


def test_a_composite_term_spelled_out_part_by_part_is_answered_with_its_parts(gaz):
    text = ("构建“一建两融”工作格局，深入推进全民健康促进。一建：建立健全健康教育工作体系；"
            "两融：将健康促进融入文明创建、融入全民健身活动；加强队伍建设。")
    question = "卫东区的“一建两融”具体是指什么？"
    a = build_answer(question, [hit(text)], query=analyze(question, gaz), abstain=False)
    assert not a.abstained, a.lead
    assert [s.text[:3] for s in a.sentences] == ["一建：", "两融："], a.lead


def test_a_question_naming_a_label_is_answered_by_what_stands_under_it(gaz):
    # "…的活动主题是什么": the theme line repeats none of the question's words; the opening sentence repeats most
    opening = hit("为深入贯彻落实爱国卫生运动的重要指示精神，现就做好2021年第八个“爱国卫生日”活动有关事项通知如下：",
                  section="前言")
    theme = hit("爱国卫生运动 全民共同参与", section="一、活动主题")
    question = "卫东区2021年第八个“爱国卫生日”的活动主题是什么？"
    a = build_answer(question, [opening, theme], query=analyze(question, gaz), abstain=False)
    assert a.sentences[0].text == "爱国卫生运动 全民共同参与", a.lead


@pytest.mark.parametrize("question, label, asks", [
    ("卫东区爱国卫生日的活动主题是什么？", "活动主题", True),
    ("卫东区新生儿筛查的服务对象有哪些？", "服务对象", True),
    ("卫东区的工作目标包括哪些？", "工作目标", True),
    ("卫东区围绕活动主题开展了哪些工作？", "活动主题", False),  # the label is written, but not asked about
    ("卫东区的活动时间是几月几日？", "活动主题", False),
    # a word of the same kind as the label's: 对象 asks for what stands under 目标人群, 时间安排 under 实施时间
    ("卫东区补助项目的补助对象是哪些学生？", "目标人群", True),
    ("卫东区筛查的实施进度是怎样的？", "实施时间", True),
    ("卫东区补助项目的补助对象是哪些学生？", "实施时间", False),
])
def test_a_label_is_asked_about_when_the_question_word_follows_it(question, label, asks):
    from qa.answering.pick import asks_label

    assert asks_label(question, label) == asks


@pytest.mark.parametrize("section, label", [("一、活动主题", "活动主题"), ("总则 > (二)服务对象", "服务对象"),
                                            ("3. 工作目标：", "工作目标"), ("一、总体要求和主要任务安排", ""),
                                            ("前言", "")])
def test_section_labels(section, label):
    from qa.answering.pick import section_label

    assert section_label(section) == label


def test_a_question_asking_for_a_key_is_answered_by_the_line_that_states_it(gaz):
    text = ("公示时间为2021年6月11日至6月18日,若有异议,可通过来信、来电、来访等形式向卫东区卫生健康委反映。\n"
            "地址:卫东区建设路9号邮编:467000\n")
    question = "卫东区卫生健康委的地址在哪里？"
    notice = Hit(chunk_id="weidong-2021#9", doc_id="weidong-2021", text=text, score=1.0, section="公示",
                 district="卫东区", city="平顶山市", province="河南省", title="重点民生实事项目任务公示", year=2021,
                 start=0, end=len(text))
    a = build_answer(question, [notice], query=analyze(question, gaz), abstain=False)
    assert a.sentences[0].text.startswith("地址:卫东区建设路9号"), a.lead


def test_a_heading_holding_the_quoted_phrase_of_a_which_question_is_its_evidence(gaz):
    # the chunker makes the last item of an enumeration a section, and the next paragraph follows it
    text = "十是坚持党建引领，实施“党建+卫生健康”工程。\n会议要求，做好今年卫生健康工作要坚持以人民为中心。"
    item = hit(text, section="2021年工作会议 > 十是坚持党建引领，实施“党建+卫生健康”工程")
    question = "哪个区提出要实施“党建+卫生健康”工程？"
    a = build_answer(question, [item], query=analyze(question, gaz), abstain=False)
    assert a.sentences[0].text.startswith("十是坚持党建引领"), a.lead


def test_a_point_of_a_list_of_one_line_points_is_not_a_title(gaz):
    """"七是整合资源，打造五个县域医疗分中心。八是…": each point says what is done; none is a title whose body
    follows, so the point holding the question's words answers, not the next point."""
    text = ("会议强调，今年要重点做好八个方面的工作。六是全力以赴，通过卫生县城创建。七是整合资源，打造五个县域医疗分中心。"
            "八是示范带动，建设县乡村三级医疗健康服务网络。")
    question = "卫东区今年要打造几个县域医疗分中心？"
    a = build_answer(question, [hit(text, section="甲县召开卫生健康工作会议")], query=analyze(question, gaz), abstain=False)
    assert not a.abstained and a.sentences[0].text.startswith("七是整合资源"), a.lead
    # read as a title, a short point would lose HEADING_PENALTY to any longer sentence sharing as many words
    from qa.answering.answer import split_sentences
    from qa.answering.pick import pick_sentences
    from qa.answering.sentlex import sentence_score, sentence_tokens

    picks = pick_sentences([hit(text, section="甲县召开卫生健康工作会议")], analyze(question, gaz), {"分中心": 3.0}, set(),
                           split=split_sentences, score_fn=sentence_score, tokens_fn=sentence_tokens)
    assert {p.text[:2]: p.is_heading for p in picks} == {"会议": False, "六是": False, "七是": False, "八是": False}
    # a short item followed by its own text is the title over it
    titled = pick_sentences([hit("七是整合资源。打造五个县域医疗分中心，建成后覆盖全县。")], analyze(question, gaz),
                            {"分中心": 3.0}, set(), split=split_sentences, score_fn=sentence_score, tokens_fn=sentence_tokens)
    assert [p.is_heading for p in titled if p.text.startswith("七是")] == [True]


@pytest.mark.parametrize("question, kind", [
    ("Which major infectious diseases does Weidong single out for prevention?", "several"),
    ("Which four specialist alliances has the district set up?", "several"),
    ("Which district plans to build a proton therapy centre?", ""),  # "plans" is the verb
    ("Which batch of key medical disciplines does Jiading start building?", ""),  # one batch
    ("Which districts have Internet hospitals?", ""),  # a list of places
])
def test_an_english_which_with_a_plural_noun_asks_for_several_named(question, kind):
    from qa.answering.asked import asked_kind

    assert asked_kind(analyze(question, None)) == kind


def test_several_asked_for_lead_with_the_sentence_naming_them():
    """"Which major infectious diseases does Weidong single out?": the sentence naming 艾滋病、结核病 answers, not
    one about disease control in general that shares as many of the question's words."""
    from qa.answering.answer import split_sentences
    from qa.answering.pick import pick_sentences
    from qa.answering.sentlex import query_terms, sentence_score, sentence_tokens

    text = "加强重大传染病防控工作，提升疾控能力。重点防控艾滋病、结核病等重大传染病。"
    q = analyze("Which major infectious diseases does Weidong single out for prevention?", None)
    sims = {"weidong-2021#1": [(a, b, 0.8) for a, b in split_sentences(text)]}
    picks = pick_sentences([hit(text)], q, query_terms(q), set(), sims=sims, split=split_sentences,
                           score_fn=sentence_score, tokens_fn=sentence_tokens)
    assert picks[0].text.startswith("重点防控艾滋病"), [p.text for p in picks]


@pytest.mark.parametrize("question, answer", [
    ("卫东区推进健康卫东建设靠什么来驱动？", "以卫生健康体制机制改革创新为动力"),
    ("卫东区创建健康城市主要借助什么来推动？", "以各类健康促进活动为载体"),
    ("卫东区用什么办法让家庭医生服务落到每一户？", "通过家医+网格的方式精确到户"),
    ("卫东区用什么办法让家庭医生平时坚持学习？", "坚持支部大会、小组学习和个人自学相结合"),
    ("卫东区抓卫生健康工作是按照什么工作路子来走的？", "围绕卫生健康“一主两翼”工作路径"),
])
def test_asked_by_what_means_the_sentence_saying_so_in_a_plans_fixed_way_answers(gaz, question, answer):
    # the question's own frame ("靠…来驱动") is not how a plan writes a means: 以…为动力, 通过…方式 are. The
    # purpose clause before it shares more of the question's words and is as close in meaning.
    from qa.answering.answer import split_sentences

    passage = f"为全面推进健康城市创建和家庭医生服务工作，制定本方案。坚持预防为主，{answer}，全面提升服务能力。"
    sims = {"weidong-2021#1": [(x, y, c) for (x, y), c in zip(split_sentences(passage), (0.85, 0.84))]}
    a = build_answer(question, [hit(passage)], query=analyze(question, gaz), abstain=False, sims=sims,
                     sim_stats=(0.7, 0.05))
    assert not a.abstained and answer in a.sentences[0].text, a.lead


def test_how_something_is_done_is_no_question_for_a_document_called_an_act(gaz):
    # a plan's 办法 is a kind of document ("依据什么办法"), but 用/有/采取什么办法 asks how it is done
    from qa.answering.asked import asked_kind

    for q, kind in (("卫东区用什么办法让党员坚持学习？", ""), ("卫东区有什么办法解决看病难？", ""),
                    ("卫东区采取什么办法推进签约服务？", ""), ("卫东区的方案依据什么办法制定？", "title")):
        assert asked_kind(analyze(q, gaz)) == kind, q


def test_how_many_a_question_asks_for_is_no_topic_the_plans_lack():
    # "哪两项要求": 两项 counts what is asked, and no plan needs to write it
    from qa.answering.topic import unknown_terms

    q = analyze("卫东区要求认真落实哪两项要求？", None)
    assert unknown_terms(q, {"两项": 2.0, "落实": 2.0}, lambda t: t == "落实") == ()
    assert unknown_terms(q, {"质子": 2.0}, lambda t: False) == ("质子",)


def test_who_did_what_at_a_meeting_is_answered_by_the_person_who_did_it(gaz):
    # 由谁来总结 asks for the person, not for the unit (由谁牵头): the sentence naming the office holder
    # answers, not the one that repeats the question's words
    question = "卫东区这次会上由谁来总结去年的卫生工作？"
    text = ("卫东区卫生健康工作会议总结了去年卫生工作成绩，部署了今年卫生工作任务。"
            "会议最后，区卫生健康委主任王某某总结回顾了去年全区卫生工作。")
    q = analyze(question, gaz)
    assert asked_kind(q) == "person"
    a = build_answer(question, [hit(text)], query=q, abstain=False)
    assert not a.abstained and "王某某" in a.sentences[0].text, a.lead
    for en in ("Who reviewed last year's health work at Weidong's meeting?",
               "Who presented Weidong's health literacy monitoring plan at the meeting?"):
        assert asked_kind(analyze(en, gaz)) == "person", en
    assert asked_kind(analyze("卫东区由谁牵头负责家庭医生签约服务？", gaz)).startswith("org")



def test_the_nth_point_of_an_announced_list_answers_though_the_announcement_matches_more(gaz):
    # the copy's chunker cut "提出三点要求:" from its points: the point asked for is in another passage
    question = "卫东区示范区创建启动会上，副区长提出的第一点要求是什么？"
    parts = ["卫东区示范区创建启动会上，副区长结合示范区建设提出三点要求:",
             "一是统一思想、提高站位,切实增强创建工作紧迫感和责任感。",
             "二是压实责任、协同推进,形成工作合力。"]
    hits = [Hit(chunk_id=f"weidong-2021#{i}", doc_id="weidong-2021", text=t, score=1.0 - i / 10, section="一、总体",
                district="卫东区", city="平顶山市", province="河南省", title="2021年全区卫生健康重点工作安排",
                year=2021, start=0, end=len(t)) for i, t in enumerate(parts)]
    from qa.answering.answer import split_sentences

    sims = {h.chunk_id: [(x, y, 0.8) for x, y in split_sentences(h.text)] for h in hits}
    a = build_answer(question, hits, query=analyze(question, gaz), abstain=False, sims=sims, sim_stats=(0.7, 0.05))
    assert not a.abstained and a.sentences[0].text.startswith("一是统一思想"), a.lead


@pytest.mark.parametrize("announce, first, second", [
    # a speaker's points announced by a full stop, not a colon, and numbered 一要/二要 as well as 一是
    ("区长就下一步工作强调了三点意见。", "一是提高政治站位,切实增强创建工作紧迫感和责任感。", "二是压实责任、协同推进,形成工作合力。"),
    ("会议提出五点要求。", "一要务必做到只争朝夕,加快推进示范区建设。", "二要务必做到协同推进,形成工作合力。"),
])
def test_the_first_point_of_a_speakers_announced_points_answers(gaz, announce, first, second):
    question = "卫东区示范区创建启动会上，区长提出的第一点是什么？"
    text = "卫东区示范区创建启动会上，" + announce + first + second
    from qa.answering.answer import split_sentences

    sims = {"weidong-2021#1": [(x, y, 0.8) for x, y in split_sentences(text)]}
    a = build_answer(question, [hit(text)], query=analyze(question, gaz), abstain=False, sims=sims, sim_stats=(0.7, 0.05))
    assert not a.abstained and a.sentences[0].text.startswith(first[:4]), a.lead


def test_a_heading_that_states_its_value_answers_itself(gaz):
    """"(一)…统筹模式为:A+B+C。" is a heading that says what the item is; the sentences under it only
    elaborate its parts, so it leads (a heading naming the item only, "1.倡导健康生活方式。", gives way)."""
    question = "卫东区新农合基金采用什么统筹模式？"
    text = ("(一)卫东区新农合基金统筹模式为:住院统筹+门诊统筹+重大疾病统筹。"
            "住院统筹包括普通住院和住院分娩费用补偿;门诊统筹包括普通门诊和慢性病门诊费用补偿;")
    a = build_answer(question, [hit(text, section="一、总体 > (一)卫东区新农合基金统筹模式为:住院统筹+门诊统筹+重大疾病统筹")],
                     query=analyze(question, gaz), abstain=False)
    assert not a.abstained and "模式为" in a.sentences[0].text, a.lead
