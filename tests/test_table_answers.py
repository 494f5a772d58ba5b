"""Answers from a plan's indicator table, and the small readings that decide a figure question.

A target table (序号 | 指标名称 | 单位 | 2023年 | 2025年 | 2027年 | 牵头单位) gives the year a
question asks about as a column name and the unit once, in its 单位 column. Hand-made hits;
no index, no model.
"""
from __future__ import annotations

import pytest

from eval.answers import sentence_holds
from eval.questions import GoldItem
from qa.answering.answer import build_answer, format_line
from qa.answering.grounding import WHICH_DENSE_Z, WHICH_MIN_LEX, Evidence, ungrounded
from qa.answering.pick import HAS_COUNT, asked_unit
from qa.answering.tablerows import header_before, with_units
from qa.answering.render import answer_html
from qa.corpus.documents import read_catalog
from qa.places import Gazetteer
from qa.records import Hit
from qa.search.query import analyze

HEADER = "序号 |\t指标名称 |\t单位 |\t2023年 |\t2025年 |\t2027年 |\t牵头单位 |"
ROWS = [
    "1 |\t人均预期寿命 |\t岁 |\t78.09 |\t≥79.2 |\t≥80 |\t市卫健局 |",
    "2 |\t居民健康素养水平 |\t% |\t30.15 |\t≥32 |\t≥35 |\t市卫健局 |",
    "3 |\t结核病报告发病率 |\t/10万 |\t76.75 |\t60 |\t50 |\t市卫健局 |",
]


def hit(text: str, n: int = 1) -> Hit:
    return Hit(chunk_id=f"weidong-2021#{n}", doc_id="weidong-2021", text=text, score=1.0, section="主要目标任务",
               district="卫东区", city="平顶山市", province="河南省", title="卫东区人均预期寿命提升行动计划",
               year=2025, start=0, end=len(text))


@pytest.fixture(scope="module")
def gaz() -> Gazetteer:
    return Gazetteer(read_catalog())


def test_a_row_is_read_under_its_header_and_shown_cell_by_cell(gaz):
    cover = "《卫东区人均预期寿命提升行动计划》已经区政府第十八届71次常务会议审议通过,现印发给你们。"
    question = "卫东区2023年的人均预期寿命是多少岁？"
    a = build_answer(question, [hit("\n".join([HEADER, *ROWS])), hit(cover, 0)], query=analyze(question, gaz),
                     abstain=False)
    first = a.sentences[0]
    assert first.text == ROWS[0]  # the row as the document has it: that is what is cited and judged
    assert ("2023年", "78.09") in first.cells and ("单位", "岁") in first.cells
    line = a.lead.splitlines()[0]
    assert "指标名称：人均预期寿命；单位：岁；2023年：78.09；2025年：≥79.2" in line, a.lead
    assert "\t" not in line and "|" not in line
    html = answer_html(a, question=question)
    assert '<span class="qa-cell"><i>2023年</i> 78.09</span>' in html


def test_a_later_part_of_a_long_table_finds_its_header_in_the_section(gaz):
    section = "\n".join([HEADER, *ROWS])
    part = ROWS[2]
    assert header_before(section, part) == HEADER
    assert header_before(section, HEADER) == ""
    question = "卫东区结核病报告发病率到2027年要降到多少？"
    a = build_answer(question, [hit(part, 3)], query=analyze(question, gaz), abstain=False,
                     section_of=lambda cid: section)
    assert ("2027年", "50") in a.sentences[0].cells, a.lead
    without = build_answer(question, [hit(part, 3)], query=analyze(question, gaz), abstain=False)
    assert without.sentences[0].cells == ()  # no header to read it under: shown as the document has it


def test_a_tables_figures_carry_the_unit_of_their_row():
    assert with_units(HEADER, ROWS[0]).endswith("78.09岁 79.2岁 80岁")
    assert with_units("序号\t名称\t目标", "1\t床位\t500") == "序号\t名称\t目标"  # no 单位 column: nothing to add


def test_a_row_with_the_asked_figures_lists_its_place(gaz):
    """哪些县市…不低于79.2岁: the row says ≥79.2 in a 岁 row; a sentence that only mentions the topic does not."""
    other = Hit(chunk_id="gulou-2021#5", doc_id="gulou-2021", text="力争到2025年,全区人均预期寿命稳步提高。",
                score=0.9, section="目标", district="鼓楼区", city="福州市", province="福建省", title="鼓楼区方案",
                year=2021, start=0, end=20)
    question = "哪些县市把人均预期寿命目标定为2025年不低于79.2岁、2027年不低于80岁？"
    q = analyze(question, gaz)
    assert q.which == "many"
    a = build_answer(question, [hit("\n".join([HEADER, *ROWS])), other], query=q, abstain=False)
    assert a.districts == ("平顶山市卫东区",), a.lead


@pytest.mark.parametrize("text, which", [
    ("哪些县市提出了这个目标？", "many"), ("哪些县把它写进了方案？", "many"), ("哪几个县提出了？", "many"),
    ("哪个旗提出了？", "one"), ("Which counties set this target?", "many"), ("Which places' plans set it?", "many"),
])
def test_every_level_can_be_asked_for(gaz, text, which):
    assert analyze(text, gaz).which == which


def test_counts_that_are_and_are_not_figures():
    assert HAS_COUNT.search("有序实施五大重点工作任务")
    assert HAS_COUNT.search("实施十大行动")
    assert not HAS_COUNT.search("深入贯彻党的十九大以来中央会议精神")
    assert not HAS_COUNT.search("学习贯彻二十大精神")


def test_which_ones_is_not_a_count(gaz):
    assert asked_unit(analyze("卫东区要求建起哪几张清单？", gaz)) == ""
    assert asked_unit(analyze("卫东区一共部署了几项重点任务？", gaz)) == "项"


def test_a_count_of_items_answers_how_many_items(gaz):
    """几项重点工作任务 is answered by 五大重点工作任务: the 项 is not written, the count is."""
    text = "有序实施营造健康环境、优化健康服务、培育健康文化、发展健康产业五大重点工作任务。"
    question = "卫东区健康城市建设一共部署了几项重点工作任务？"
    a = build_answer(question, [hit(text)], query=analyze(question, gaz), abstain=False)
    assert not a.abstained, a.lead
    assert "五大重点工作任务" in a.sentences[0].text


def test_a_near_quote_is_not_refused_for_a_word_no_passage_has():
    """哪个市的工作要点还发给了X？ — 发给 is in no passage, but the best sentence is the recipients line itself."""
    base = dict(script="zh", which_unnamed=True, which_one=True, absent=("发给",), absent_nouns=("发给",),
                en_coverage=0.0)
    assert ungrounded(Evidence(**base, lex=0.64, dense_z=5.7)) == ""
    assert ungrounded(Evidence(**base, lex=WHICH_MIN_LEX - 0.01, dense_z=5.7)) == "which-place, absent thing"
    assert ungrounded(Evidence(**base, lex=0.9, dense_z=WHICH_DENSE_Z - 0.1)) == "which-place, absent thing"


def test_a_date_question_is_judged_on_the_date_its_evidence_quotes():
    """Annotators quote the signature block to locate a date; a header answer states the date alone."""
    gold = (GoldItem("d", "卫东区人民政府办公室\n2025年4月25日"),)
    line = "《卫东区人均预期寿命提升行动计划》的印发日期是2025年4月25日。"
    assert sentence_holds(line, "d", gold, "date")
    assert not sentence_holds(line, "d", gold)  # a content question needs the evidence itself
    assert not sentence_holds("《…》的印发日期是2025年4月26日。", "d", gold, "date")


def test_a_plain_line_for_a_sentence_without_cells_is_unchanged(gaz):
    question = "卫东区要提升什么能力？"
    a = build_answer(question, [hit("全面提升基层医疗卫生服务能力。")], query=analyze(question, gaz), abstain=False)
    assert format_line(a.sentences[0], en=False) == "平顶山市卫东区：全面提升基层医疗卫生服务能力。 [1]"


def test_a_figure_for_an_indicator_the_table_lacks_is_said_to_be_missing(gaz):
    """Every row holds figures, but none is the asked indicator: the table does not state it."""
    from qa.answering.answer import NO_FIGURE_ZH

    table = hit("\n".join([HEADER, *ROWS]))
    question = "卫东区2025年每千常住人口执业医师数要达到多少？"
    q = analyze(question, gaz)
    a = build_answer(question, [table], query=q, abstain=False)
    assert a.abstained and a.why == "no figure", a.lead
    assert a.lead.splitlines()[0] == NO_FIGURE_ZH
    asked = "卫东区2025年居民健康素养水平要达到多少？"
    b = build_answer(asked, [table], query=analyze(asked, gaz), abstain=False)
    assert not b.abstained and ("2025年", "≥32") in b.sentences[0].cells, b.lead


def test_a_copys_pipe_table_states_its_figures_in_their_cells(gaz):
    """A web copy flattens the indicator table to "类别 | 序号 | 指标名称 | 单位 | 2025年 |" rows with spaces
    around the bars: the figure is a cell of its own, the unit another."""
    table = hit("\n".join(["类别 | 序号 | 指标名称 | 单位 | 2025年 |",
                           "健康水平 指标 | 1 | 人均期望寿命 | 岁 | 83 |",
                           "服务体系 指标 | 6 | 每千常住人口执业(助理)医师数 | 人 | 2.99 |",
                           "服务效能 指标 | 12 | 基层就诊率 | % | >65 |"]))
    for question, figure in (("卫东区到2025年人均期望寿命达到多少岁？", "83"),
                             ("卫东区到2025年每千常住人口执业（助理）医师数的目标是多少？", "2.99"),
                             ("卫东区把基层就诊率的目标定为多少？", ">65")):
        a = build_answer(question, [table], query=analyze(question, gaz), abstain=False)
        assert not a.abstained, (question, a.lead)
        assert f"| {figure} |" in a.sentences[0].text, (question, a.sentences[0].text)


def test_a_pipe_table_row_under_a_merged_category_cell_lines_up_with_its_header(gaz):
    """The category is printed once ("健康水平 指标 | 1 | …"); the rows under it start at their 序号 and
    their cells line up from the right, so the unit and the year's figure are read from the right column."""
    table = hit("\n".join(["类别 | 序号 | 指标名称 | 单位 | 2025年 |",
                           "健康水平 指标 | 1 | 人均期望寿命 | 岁 | 83 |",
                           "2 | 婴儿死亡率 | ‰ | <5 | |"]))
    question = "卫东区2025年婴儿死亡率要控制在多少？"
    a = build_answer(question, [table], query=analyze(question, gaz), abstain=False)
    assert not a.abstained and a.sentences[0].text.startswith("2 | 婴儿死亡率"), a.lead
    assert ("单位", "‰") in a.sentences[0].cells and ("2025年", "<5") in a.sentences[0].cells
    line = a.lead.splitlines()[0]
    assert "指标名称：婴儿死亡率；单位：‰；2025年：<5" in line and "序号" not in line, line
