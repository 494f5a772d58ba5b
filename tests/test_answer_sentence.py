"""The sentence that answers: place steer, quoted titles, numbers with units, clause trimming, dense weight.

Hand-made hits and hand-computed values; no index, no model.
"""
from __future__ import annotations

import pytest

from qa.answering.answer import build_answer, split_sentences
from qa.corpus.documents import read_catalog
from qa.answering.pick import HAS_NUMBER, dense_weight, own_title, pick_sentences, titleish
from qa.places import Gazetteer
from qa.search.query import analyze
from qa.records import Hit
from qa.answering.sentlex import _MAX_SENT_CHARS, holds, query_terms, question_chars, sentence_score, sentence_tokens, trim


def hit(text: str, doc_id: str = "weidong-2021", district: str = "卫东区", city: str = "平顶山市",
        n: int = 1) -> Hit:
    return Hit(chunk_id=f"{doc_id}#{n}", doc_id=doc_id, text=text, score=1.0, section="一、总体 > 1. 条目",
               district=district, city=city, province="", title="工作要点", year=2021, start=0, end=len(text))


@pytest.fixture(scope="module")
def gaz() -> Gazetteer:
    return Gazetteer(read_catalog())


# ---------------------------------------------------------------- numbers with units
def test_a_bare_number_matches_the_number_written_with_its_unit():
    # "37 articles" in an English question; the tokenizer keeps 条 on the number: 37条
    assert "37条" in sentence_tokens("继续加强“人才新政37条”宣传。")
    assert holds("37", "继续加强“人才新政37条”宣传。")
    assert not holds("37", "落实第370条规定。")  # 370 is another number
    assert not holds("3", "落实第37条规定。")


def test_a_bare_year_is_matched_as_the_date_written():
    # "in 2025" of an English question is the passage's 2025年 (the plan's own frame year is dropped by
    # topic_weights); another year, or the year inside a longer number, is not
    assert holds("2025", "力争到2025年底，建成高地。")
    assert holds("2025", "目标 2025 已定。")
    assert not holds("2025", "落实2024年任务。") and not holds("202", "落实2024年任务。")


def test_sentence_score_counts_the_number_with_its_unit():
    # weights: 37 → 6, 人才 → 2; total 8; the sentence holds both → 1.0, only 人才 → 0.25
    w = {"37": 6.0, "人才": 2.0}
    assert sentence_score("推动人才新政37条落地。", w) == pytest.approx(1.0)
    assert sentence_score("推动人才工作。", w) == pytest.approx(0.25)


def test_a_year_with_its_unit_is_not_a_figure():
    assert not HAS_NUMBER.search("到2025年底前，县域医共体基本建成")
    assert HAS_NUMBER.search("诊疗量占比提高到55%左右")
    assert HAS_NUMBER.search("用3年时间完成")
    # a telephone number is the figure "监督电话是多少？" asks for; a date written with dashes is not
    assert HAS_NUMBER.search("监督举报电话：0557-6031710。")
    assert not HAS_NUMBER.search("发表时间：2021-05-07")


@pytest.mark.parametrize("text", ["投放灭鼠毒饵1250kg、杀虫剂400瓶。", "配备救护车3台、移动方舱2套。", "举办3期培训班，开展义诊12场。",
                                  "新建公厕5座，铺设管网1.5公里。", "突发公共卫生事件分为特别重大(Ⅰ级)、重大(Ⅱ级)、较大(Ⅲ级)和一般(IV级)。"])
def test_a_figure_counted_in_any_common_measure_word_or_a_roman_grade_is_a_figure(text):
    # the measure words of things handed out, built or held, and the grades of a contingency plan
    assert HAS_NUMBER.search(text)


def test_a_roman_numeral_inside_a_word_is_no_grade():
    assert not HAS_NUMBER.search("开展HIV级联检测。") and not HAS_NUMBER.search("推进医保DRG付费改革。")


def test_which_ones_asks_to_name_them_and_a_counted_grade_or_round_is_a_figure(gaz):
    from qa.answering.pick import asked_kind

    # 哪几个/哪几类 asks to name the things, which a sentence can do without any figure
    assert asked_kind(analyze("卫东区要组建哪几个医疗集团？", gaz)) == ""
    assert asked_kind(analyze("卫东区要管住哪几类疾病？", gaz)) == "kinds"  # several named, no figure
    assert asked_kind(analyze("卫东区监督体系是几级联动？", gaz)) == "number"
    # the figures such questions ask for: 三级, 第五轮, 3件
    assert HAS_NUMBER.search("健全区、街、居三级协调联动的监督体系")
    assert HAS_NUMBER.search("开展第五轮示范区建设")
    assert HAS_NUMBER.search("人均办案不少于3件")
    assert HAS_NUMBER.search("培训家庭医生1000余名") and HAS_NUMBER.search("培训三百余名医生")


def test_the_number_asked_for_can_be_a_telephone_number(gaz):
    hits = [hit("畅通群众监督渠道，接受社会监督。", n=1), hit("监督举报电话：0371-12345678。", n=2)]
    q = analyze("卫东区的监督举报电话是多少？", gaz)
    split = lambda t: [(0, len(t))]
    picks = pick_sentences(hits, q, {"监督": 2.0, "电话": 2.0}, set(), split=split, score_fn=sentence_score,
                           tokens_fn=sentence_tokens)
    ok = [p.text for p in picks if p.asked_ok]
    assert ok == ["监督举报电话：0371-12345678。"]


def _picked(gaz, question, texts, weights):
    hits = [hit(t, n=i + 1) for i, t in enumerate(texts)]
    split = lambda t: [(0, len(t))]
    picks = pick_sentences(hits, analyze(question, gaz), weights, set(), split=split, score_fn=sentence_score,
                           tokens_fn=sentence_tokens)
    return picks[0].text


def _first_line(gaz, question, passage):
    a = build_answer(question, [hit(passage)], query=analyze(question, gaz), abstain=False)
    return a.sentences[0].text


def test_which_units_lead_a_task_is_answered_by_its_lead_unit_line(gaz):
    # a task list: the task, then its 牵头/协作 units; the question repeats the task's words, so the
    # task matches best, and the line naming the units asked for leads the answer
    passage = "加快发展健康、养老、育幼等服务业，推动生活性服务业升级。\n协作单位:各街道办事处、区有关部门\n牵头单位:区卫健委、区民政局"
    assert _first_line(gaz, "卫东区发展养老、育幼服务业由哪几个部门牵头？", passage) == "牵头单位:区卫健委、区民政局"
    assert _first_line(gaz, "卫东区发展养老、育幼服务业的协作单位有哪些？", passage) == "协作单位:各街道办事处、区有关部门"
    # a bare list under a "责任单位" cell of a flattened table
    row = "全面完成老年人群疫苗接种。\n责任单位\n卫健局、文旅局\n配合单位\n各乡镇"
    assert _first_line(gaz, "卫东区疫苗接种的责任部门是哪几个？", row) == "卫健局、文旅局"


def test_an_ordinary_sentence_listing_hospitals_is_no_list_of_units():
    from qa.answering.pick import names_orgs

    assert not names_orgs("支持县人民医院、中医医院创建三级综合医院，实施16个乡镇卫生院改扩建项目，提升县域服务能力。")
    assert names_orgs("加强慢病管理。（牵头单位：区卫健局；配合单位：各街道）", "牵头")
    assert not names_orgs("配合单位:区民政局、区医保局", "牵头")


def test_which_month_asks_for_a_date(gaz):
    w = {"其他": 2.0, "事项": 2.0, "成效": 2.0}
    assert _picked(gaz, "卫东区其他事项最晚几月底前见到成效？",
                   ["其他事项要取得明显成效并长期坚持。", "其他事项12月底前取得成效。"], w) == "其他事项12月底前取得成效。"


def test_the_documents_own_title_line_is_not_the_answer(gaz):
    # the question names the document by its title; the title line repeats those words and says nothing
    title = hit("工作要点", n=1)  # hit() gives every passage the title 工作要点
    body = hit("监督电话：0371-12345678。", n=2)
    q = analyze("卫东区工作要点留的监督电话是多少？", gaz)
    picks = pick_sentences([title, body], q, {"工作": 2.0, "要点": 2.0, "监督": 1.0, "电话": 1.0}, set(),
                           split=lambda t: [(0, len(t))], score_fn=sentence_score, tokens_fn=sentence_tokens)
    assert picks[0].text == "监督电话：0371-12345678。"


def test_a_title_broken_over_two_lines_is_not_the_answer(gaz):
    # a portal copy breaks the title over two lines; its first half shares the question's words
    title = "城关镇全面推进县域医疗卫生共同体建设实施方案"
    head = Hit(chunk_id="d#1", doc_id="d", text="城关镇全面推进县域医疗卫生", score=1.0, section="", district="",
               city="", province="", title=title, year=2024, start=0, end=13)
    body = Hit(chunk_id="d#2", doc_id="d", text="以县带乡、以乡带村，推进县乡一体。", score=1.0, section="一、目标",
               district="", city="", province="", title=title, year=2024, start=0, end=17)
    q = analyze("城关镇推进医疗卫生共同体时县乡村怎么带动？", gaz)
    picks = pick_sentences([head, body], q, {"医疗": 1.0, "卫生": 1.0, "共同体": 1.0, "带动": 1.0}, set(),
                           split=lambda t: [(0, len(t))], score_fn=sentence_score, tokens_fn=sentence_tokens)
    assert picks[0].text == "以县带乡、以乡带村，推进县乡一体。"


def test_the_sentence_holding_a_quoted_phrase_leads(gaz):
    # the asker quotes what they read; the transmittal line shares more of the other words
    send = hit("经区人民政府同意，现将方案印发给你们，请认真贯彻执行。", n=1)
    to = hit("各乡镇人民政府，区人民政府各部门：", n=2)
    q = analyze("哪个区的方案发给了“各乡镇人民政府”？", gaz)
    w = {"方案": 1.0, "发给": 1.0, "各乡镇": 1.0, "人民政府": 1.0}
    picks = pick_sentences([send, to], q, w, set(), split=lambda t: [(0, len(t))], score_fn=sentence_score,
                           tokens_fn=sentence_tokens)
    assert picks[0].text == "各乡镇人民政府，区人民政府各部门："


# ---------------------------------------------------------------- the notice's own title
def test_the_title_its_pieces_and_its_notice_are_the_documents_own_title():
    t = "城关镇全面推进县域医疗卫生共同体建设实施方案"
    assert own_title("城关镇全面推进县域医疗卫生", t) and own_title("共同体建设实施方案", t)
    assert own_title("某县人民政府关于印发城关镇全面推进县域医疗卫生共同体建设实施方案的通知", t)
    assert own_title("2023年全市卫生健康工作要点的通知", "2023年全市卫生健康工作要点")  # a wrapped title's tail
    assert not own_title("工作要点", "2023年全市卫生健康工作要点")  # too short to tell from a heading
    assert not own_title("到2025年，共同体全部达到标准。", t)
    assert not own_title("根据《关于印发健康行动实施方案的通知》，制定本方案。", "健康行动实施方案")


def test_a_quoted_notice_title_is_a_citation_not_a_title_line():
    assert titleish("关于印发《健康行动实施方案》的通知")
    assert titleish("现将《健康行动实施方案》印发给你们，请认真贯彻落实。")
    assert not titleish("为贯彻落实《市人民政府关于印发〈健康行动〉的通知》（政发〔2020〕1号），并做好年度工作")
    assert not titleish("根据《国务院关于印发健康中国行动的通知》精神，结合实际。")


# ---------------------------------------------------------------- dense weight
def test_the_cosine_weighs_more_when_no_candidate_shares_the_wording():
    assert dense_weight(0.0) == pytest.approx(12.0)  # 8 × (1 + 0.5)
    assert dense_weight(0.2) == pytest.approx(10.0)  # 8 × (1 + 0.5 × 0.2/0.4)
    assert dense_weight(0.4) == pytest.approx(8.0)
    assert dense_weight(0.9) == pytest.approx(8.0)


# ---------------------------------------------------------------- the named place
def test_a_sentence_from_another_place_does_not_answer_for_the_named_one(gaz):
    question = "卫东区职业病防治以什么为重点？"
    q = analyze(question, gaz)
    assert "weidong-2021" in q.place_doc_ids
    other = hit("职业病防治以尘肺病为重点，做好职业病防治。", doc_id="gulou-2021", district="鼓楼区", city="福州市")
    own = hit("推进职业病防治工作。", n=2)
    w = query_terms(q)
    picks = pick_sentences([other, own], q, w, set(), split=split_sentences, score_fn=sentence_score,
                           tokens_fn=sentence_tokens)
    assert picks[0].hit.doc_id == "weidong-2021"
    a = build_answer(question, [other, own], query=q, abstain=False)
    assert a.doc_ids[0] == "weidong-2021", a.lead


# ---------------------------------------------------------------- trimming a long sentence
def test_equal_word_share_goes_to_the_clauses_with_more_of_the_question(gaz):
    q = analyze("每个月要评出哪几类先进？", gaz)
    chars = question_chars(q)
    assert {"每", "月", "评", "先", "进"} <= chars and "哪" not in chars and "几" not in chars
    filler = "，".join(["坚持目标引领和过程控制的工作理念"] * 13)
    sentence = f"{filler}，加强督查督促，每月评选出优秀单位、优秀处室，每季评选优秀个人。"
    assert len(sentence) > _MAX_SENT_CHARS
    # no clause holds a whole question word (评出 ≠ 评选出), so the characters decide
    assert sentence_score(sentence, {"评出": 2.0, "先进": 2.0}) == 0.0
    out = trim(sentence, {"评出": 2.0, "先进": 2.0}, None, chars)
    assert "每月评选出优秀单位" in out
    assert out.startswith("…")
    # without the characters the first run wins, as before
    assert "每月评选出" not in trim(sentence, {"评出": 2.0, "先进": 2.0})


# ---------------------------------------------------------------- the issuer, however it is asked
@pytest.mark.parametrize("question, field", [
    ("卫东区的工作要点是哪个机关发的文？", "issuer"),
    ("卫东区的工作安排由哪个单位印发？", "issuer"),
    ("卫东区的工作安排是哪个部门发布的？", "issuer"),
    ("卫东区哪个单位负责职业病防治？", None),  # a unit, but not the one that issued the plan
    ("卫东区的工作要点是哪天签发的？", "date"),  # 签发 asked with 哪天 is the date, not the signer
    ("卫东区的工作要点是谁签发的？", "signer"),
    ("卫东区印发重点工作安排的日期是哪天？", "date"),  # the verb first, the question word last
    ("卫东区的工作要点叫什么？", "title"),
    ("卫东区这份文件的全称是什么？", "title"),
    ("卫东区的工作要点依据哪个文号的文件制定？", None),  # the 文号 of a document the plan cites
    ("卫东区贯彻落实的是哪个部门印发的方案？", None),
])
def test_the_issuer_is_asked_with_any_word_for_the_body(gaz, question, field):
    from qa.answering.header import classify

    metas = {m.doc_id: m for m in read_catalog()}
    hq = classify(analyze(question, gaz), metas)
    assert (hq.field if hq else None) == field
    if hq:
        assert hq.doc_ids == ("weidong-2021",)


@pytest.mark.parametrize("question, field", [
    ("When did the Weidong bureau sign its plan?", "date"),
    ("When was the plan issued?", "date"),
    ("Who signed the plan?", "signer"),
    ("Which provincial plan does the Weidong plan implement, and what is its document number?", ""),
    ("What document number is cited as the basis?", ""),
    # who issued it may stand between the question word and the verb
    ("2021年卫东区卫生健康工作要点是哪天由区卫健局印发的？", "date"),
    ("这份要点是什么时候由区政府办公室下发的？", "date"),
    # a body signs as the issuer; a person is the 签发人
    ("Which office signed Weidong's 2021 work points?", "issuer"),
    ("Who signed Weidong's 2021 work points?", "signer"),
])
def test_english_header_questions_and_questions_about_cited_documents(question, field):
    from qa.search.query import header_field

    assert header_field(question) == field


def test_publication_markers_and_attachment_names_are_not_answers():
    assert titleish("市人民政府办公室2021年5月12日 (此件公开发布) 建设健康城市三年攻坚行动实施方案")
    assert titleish("某区人民政府2020年10月19日（此件主动公开）")
    assert titleish("建设国家健康城市三年行动实施方案(2021—2023年).doc")
    assert not titleish("推进电子病历docx格式统一，完善文档管理。")


def test_a_short_sentence_announcing_what_follows_hands_over_to_the_next(gaz):
    text = "结合工作实际，2021年卫生健康工作要点如下：\n以推进健康建设专项行动为主要抓手，补齐短板。"
    question = "卫东区2021年卫生健康工作以什么为主要抓手？"
    q = analyze(question, gaz)
    picks = pick_sentences([hit(text)], q, query_terms(q), set(), split=split_sentences, score_fn=sentence_score,
                           tokens_fn=sentence_tokens)
    assert picks[0].text.startswith("以推进健康建设专项行动为主要抓手")
    assert [p.is_heading for p in picks if p.text.endswith("如下：")] == [True]


def _titled(text: str, title: str, n: int = 1) -> Hit:
    return Hit(chunk_id=f"weidong-2021#{n}", doc_id="weidong-2021", text=text, score=1.0, section="一、总体要求",
               district="卫东区", city="平顶山市", province="", title=title, year=2023, start=0, end=len(text))


def test_the_words_that_name_the_plan_do_not_choose_the_clause_of_a_long_sentence(gaz):
    # 2023年 and 卫生健康 name the plan (its title holds them) and open its first sentence; the clause
    # that answers is the one holding the rest of the question (抓手)
    long = ("2023年全区卫生健康工作要坚持以人民健康为中心，深入贯彻上级决策部署，巩固提升各项工作成果，"
            "推动服务体系建设提质增效，持续增进群众健康福祉，努力开创全区卫生健康工作新局面，"
            "加快补齐公共卫生短板弱项，全面深化医药卫生体制改革，以“三个强化、四个提升”为抓手，"
            "着力推动卫生健康事业高质量发展，为建设健康城区作出新的更大贡献。")
    a = build_answer("卫东区2023年卫生健康工作靠什么具体抓手来推进？", [_titled(long, "2023年全区卫生健康工作要点")],
                     query=analyze("卫东区2023年卫生健康工作靠什么具体抓手来推进？", gaz), abstain=False)
    assert "为抓手" in a.sentences[0].text


def test_the_named_plans_title_words_do_not_make_its_cover_letter_the_answer(gaz):
    # the cover letter repeats the plan's title (健康卫东行动实施方案), the words the question names
    # the plan with; the sentence with the year it asks about answers, though the encoder puts the
    # cover letter a little closer to the question (cosines as measured on such a pair)
    title = "健康卫东行动实施方案"
    cover = _titled("为加快健康卫东建设，经区政府同意，现将《健康卫东行动实施方案》印发给你们，请认真贯彻落实。", title, 1)
    goal = _titled("到2030年，建成相对完善的全民健康服务体系。", title, 2)
    sims = {h.chunk_id: [(0, len(h.text), c)] for h, c in ((cover, 0.925), (goal, 0.904))}
    q = analyze("卫东区健康行动方案给2030年定的目标是什么？", gaz)
    picks = pick_sentences([cover, goal], q, query_terms(q), set(), sims=sims, split=lambda t: [(0, len(t))],
                           score_fn=sentence_score, tokens_fn=sentence_tokens)
    assert picks[0].text.startswith("到2030年")


def test_a_portal_key_row_is_not_the_answer(gaz):
    from qa.metadata.portal import metadata_row

    assert metadata_row("| 发布机构: | 卫东区政府(政府办公室) |") and metadata_row("文号：卫政〔2020〕53号")
    row = hit("| 发布机构: | 卫东区政府(政府办公室) |", n=1)
    body = hit("全面落实《省人民政府关于推进健康行动的实施意见》。", n=2)
    q = analyze("卫东区的方案落实省里哪个文件？", gaz)
    picks = pick_sentences([row, body], q, {"落实": 1.0, "省里": 1.0}, set(), split=lambda t: [(0, len(t))],
                           score_fn=sentence_score, tokens_fn=sentence_tokens)
    assert picks[0].text.startswith("全面落实")


def test_an_addressee_line_names_the_units_a_plan_was_sent_to(gaz):
    from qa.answering.pick import names_orgs

    assert names_orgs("各乡镇人民政府、街道办事处，区直有关部门：")
    passage = "健康卫东建设领导小组各成员单位:\n为做好年度工作，现将计划印发给你们，请各单位认真组织实施。"
    assert _first_line(gaz, "卫东区的计划是下发给哪些单位的？", passage) == "健康卫东建设领导小组各成员单位:"


# ---------------------------------------------------------------- the role a plan gives a thing
@pytest.mark.parametrize("question, answer", [
    ("卫东区推进健康行动靠什么来驱动？", "以体制机制改革创新为动力"),
    ("卫东区推进健康行动主要借助什么？", "以各类群众性活动为载体"),
    ("卫东区推进全民健康走的是什么路子？", "以预防为主、共建共享为基本路径"),
    ("卫东区卫健委把什么作为融合推进行动的主轴？", "以铸牢共同体意识为主线"),
])
def test_a_question_about_what_drives_or_carries_the_work_is_answered_by_the_role_clause(gaz, question, answer):
    # "以X为动力/载体/路径" says it in other words than the question; the sentence sharing more words does not
    text = ("全面推进健康卫东行动，开展健康促进，全民健康水平明显提升。"
            "推进健康卫东行动，坚持以体制机制改革创新为动力，以各类群众性活动为载体，以预防为主、共建共享为基本路径。"
            "卫健委坚持以铸牢共同体意识为主线。")
    a = build_answer(question, [hit(text)], query=analyze(question, gaz), abstain=False)
    assert answer in a.sentences[0].text, a.lead


@pytest.mark.parametrize("question", ["卫东区鼓励社会力量开办哪些类型的医疗机构？",
                                      "What kinds of hospitals does Weidong encourage social forces to set up?"])
def test_a_question_for_kinds_of_things_is_answered_by_the_sentence_naming_several(gaz, question):
    from qa.answering.asked import asked_kind

    assert asked_kind(analyze(question, gaz)) == "kinds"
    text = "积极开展老年友善医疗机构建设，鼓励社会力量参与。鼓励社会力量举办老年医院、康复医院、护理院等医疗机构。"
    a = build_answer(question, [hit(text)], query=analyze(question, gaz), abstain=False,
                     lang="en" if question.isascii() else "zh")
    assert a.sentences[0].text.startswith("鼓励社会力量举办老年医院"), a.lead


def test_a_proper_name_spelled_in_pinyin_identifies_the_sentence(gaz):
    """"…in Xuhang and Waigang towns?": the sentence writing 徐行 and 外冈 is the one asked about, though
    another shares as many of the question's common words."""
    from dataclasses import replace

    from qa.crosslingual import TermGroup

    question = "Which district plans new community health service centres in Xuhang and Waigang towns?"
    q = analyze(question, gaz)
    q = replace(q, xling=tuple(q.xling) + (TermGroup("names", "Xuhang", 1.0, (("徐行", 1.0),)),
                                          TermGroup("names", "Waigang", 1.0, (("外冈", 1.0),))))
    other = hit("新建乡镇社区卫生服务中心，推进社区卫生服务中心建设。", n=1)
    named = hit("推进徐行镇、外冈镇社区卫生服务站建设。", doc_id="jiading-2024", district="嘉定区", city="上海市", n=2)
    a = build_answer(question, [named, other], query=q, abstain=False, lang="en")
    assert a.sentences[0].text.startswith("推进徐行镇"), a.lead


@pytest.mark.parametrize("text, office", [
    ("旗政府副旗长阿拉塔出席会议并讲话。", True),  # a banner's head (旗长), as a county's (县长)
    ("乡长、镇长参加会议。", True), ("副州长出席。", True),
    ("办好家长学校。", False), ("经济增长较快。", False),
])
def test_the_heads_of_banners_leagues_townships_and_prefectures_are_office_holders(text, office):
    from qa.answering.asked import HAS_OFFICE

    assert bool(HAS_OFFICE.search(text)) is office


def test_a_main_axis_asked_in_other_words_is_the_plans_main_line():
    # "把什么作为…的主轴" is answered by the plan's "以X为主线", whatever X is
    import re

    from qa.search.query import role_frames

    frames = role_frames("卫东区卫健委把什么作为融合各项工作的主轴？")
    assert any(re.search(f, "坚持以铸牢中华民族共同体意识为主线，推动各项工作") for f in frames)
