"""eval.answers: the answer metrics, checked against numbers worked out by hand."""
from __future__ import annotations

import pytest

from eval.answers import AnswerOutcome, calibration, precision_recall, score_answer, sentence_holds
from eval.questions import GoldItem, QuestionsError, parse_question

GOLD = (GoldItem("a", "签约率达到 40%以上"),)


@pytest.mark.parametrize("text, doc, expected", [
    ("年内常住人口签约率达到40%以上。", "a", True),  # contains the evidence (spaces normalised away)
    ("年内常住人口签约率达到40%以上。", "b", False),  # right words, wrong document
    ("扩大家庭医生签约服务范围。", "a", False),  # same passage, not the fact
    ("签约率达到", "a", False),  # too short to stand for the evidence
    ("…签约率达到40%以上", "a", True),  # a trimmed sentence that is part of the evidence
])
def test_sentence_holds(text, doc, expected):
    assert sentence_holds(text, doc, GOLD) is expected


def test_joint_issuers_quoted_one_per_line_are_held_by_an_answer_naming_each():
    gold = (GoldItem("a", "中共某县委办公室\n某县人民政府办公室"),)
    both = "《某县行动方案》的发文机关是中共某县委办公室、某县人民政府办公室。"
    assert sentence_holds(both, "a", gold, "issuer")
    assert not sentence_holds("《某县行动方案》的发文机关是某县人民政府办公室。", "a", gold, "issuer")  # one of two
    assert not sentence_holds(both, "a", gold)  # a content question needs the evidence as quoted


def test_precision_recall_by_hand():
    # named {a, b, c}, gold {a, b, d, e}: 2 right of 3 named, 2 found of 4
    assert precision_recall(["a", "b", "c"], ["a", "b", "d", "e"]) == (2 / 3, 2 / 4)
    assert precision_recall([], ["a"]) == (0.0, 0.0)


def _q(qtype, gold, **extra):
    obj = {"id": "x", "question": "？", "lang": "zh", "type": qtype,
           "gold": [{"doc_id": d, "evidence": e} for d, e in gold], **extra}
    return parse_question(obj, "t")


def test_score_answer_first_and_any_sentence():
    q = _q("number", [("a", "40%以上")])
    out = AnswerOutcome(sentences=(("扩大服务范围。", "a"), ("签约率达到40%以上。", "a")), doc_ids=("a",),
                        abstained=False)
    assert score_answer(q, out) == {"answer@1": 0.0, "answer@any": 1.0}
    abstained = AnswerOutcome(sentences=(("签约率达到40%以上。", "a"),), doc_ids=("a",), abstained=True)
    assert score_answer(q, abstained) == {"answer@1": 0.0, "answer@any": 0.0}  # an abstention answers nothing


def test_score_answer_district_and_lists():
    q = _q("district", [("b", "证据")])
    out = AnswerOutcome(sentences=(("有证据。", "b"),), doc_ids=("b", "c"), abstained=False)
    assert score_answer(q, out)["district_named"] == 1.0
    multi = _q("multi", [("a", "甲"), ("b", "乙")], districts=["a", "b", "d"])  # `districts` overrides the gold docs
    out = AnswerOutcome(sentences=(("甲。", "a"),), doc_ids=("a", "c"), abstained=False)
    s = score_answer(multi, out)
    assert (s["list_precision"], s["list_recall"]) == (1 / 2, 1 / 3)


def test_calibration_by_hand():
    rows = [("直接回答", True, 1.0, False), ("直接回答", True, 0.0, False), ("直接回答", False, None, False),
            ("未找到", False, None, True), ("部分相关", True, 1.0, False)]
    cal = calibration(rows)
    assert cal["直接回答"] == {"n": 3, "answerable": 2, "unanswerable": 1, "right": 1, "right_rate": 1 / 3}
    assert cal["未找到"]["right_rate"] == 1.0 and cal["部分相关"]["right"] == 1


@pytest.mark.parametrize("extra, message", [
    ({"districts": "a"}, "districts"),
    ({"districts": [""]}, "districts"),
    ({"field": "colour"}, "field"),
])
def test_new_question_fields_are_validated(extra, message):
    with pytest.raises(QuestionsError, match=message):
        _q("multi", [("a", "甲")], **extra)


def test_summary_and_report_carry_the_answer_tables():
    from eval.report import render_markdown
    from eval.run import run_all, summarise
    from qa.records import Hit

    class Tiny:
        MODES = ("hybrid",)

        def search(self, question, k=10, mode="hybrid"):
            return [Hit(chunk_id="a#1", doc_id="a", text="签约率达到40%以上。", score=1.0, section="", district="",
                        city="", province="", title="", year=2021, start=0, end=9)]

    qs = [parse_question({"id": "n", "question": "？", "lang": "zh", "type": "number",
                          "gold": [{"doc_id": "a", "evidence": "40%以上"}]}, "t"),
          parse_question({"id": "u", "question": "？？", "lang": "zh", "type": "unanswerable", "gold": []}, "t")]

    def answerer(question, hits, mode):  # answers the first, abstains on the unanswerable one
        if question == "？？":
            return AnswerOutcome((), (), True, "未找到", 1.0)
        return AnswerOutcome((("签约率达到40%以上。", "a"),), ("a",), False, "直接回答", 3.0)

    runs = run_all(Tiny(), qs, ["hybrid"], k=10, answerer=answerer)
    summary = summarise(runs, k=10)
    s = summary["hybrid"]
    assert s["by_type"]["all"]["answer@1"] == 1.0
    a = s["answers"]
    assert a["abstain_rate"] == 1.0 and a["false_abstain_rate"] == 0.0 and a["answer_ms"]["p50"] == 2.0
    assert a["calibration"]["直接回答"]["right"] == 1 and a["calibration"]["未找到"]["right"] == 1
    md = render_markdown({"created": "now", "questions_file": "x", "n_questions": 2,
                          "counts_by_type": {"number": 1, "unanswerable": 1}, "k": 10}, summary)
    assert "## Answers" in md and "Calibration" in md and "直接回答" in md
