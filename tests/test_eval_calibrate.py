"""`python -m eval.calibrate`: refitting the confidence thresholds, and checking them on sets left out.

The rows and the two-point grid are small enough to count by hand (see each test's comment).
"""
from __future__ import annotations

import json

from eval.calibrate import Row, Tally, cross_validate, fit, main, read_rows, tally
from qa.answering.answer import build_answer
from qa.answering.confidence import Signals, Thresholds, label
from qa.search.query import analyze
from test_answer_choice import gaz, hit  # noqa: F401 (gaz is a fixture)

LOOSE = Thresholds(0.3, 0.2, 2.5, 0.1)
STRICT = Thresholds(0.5, 0.4, float("inf"), 0.3)
GRID = (LOOSE, STRICT)


def _row(group: str, lex: float, right: bool, z: float | None = None) -> Row:
    return Row(group, Signals(lex, z, False, True), right)


# LOOSE calls all six 直接回答 (a2, a3, b2 by their lexical share, b3 by z 3.0 with share 0.1), 4 of them right;
# STRICT only a1 and b1, both right.
ROWS = [_row("A", 0.6, True), _row("A", 0.35, True), _row("A", 0.35, False),
        _row("B", 0.6, True), _row("B", 0.4, False), _row("B", 0.1, True, z=3.0)]


def test_tally_counts_direct_and_partial_answers_and_how_many_are_right():
    assert tally(ROWS, LOOSE) == Tally(6, 4, 0, 0)
    assert tally(ROWS, STRICT) == Tally(2, 2, 4, 2)
    assert Tally(2, 2, 4, 2).direct_rate == 1.0 and Tally(2, 2, 4, 2).partial_rate == 0.5


def test_fit_labels_the_most_right_answers_direct_at_the_target_precision():
    assert fit(ROWS, 0.6, GRID) == LOOSE  # 4 right at 0.667 beats 2 right at 1.0
    assert fit(ROWS, 0.9, GRID) == STRICT  # LOOSE's 0.667 falls short
    assert fit(ROWS, 1.01, GRID) is None  # nothing reaches it


def test_cross_validation_labels_each_set_with_the_thresholds_fit_on_the_others():
    # target 0.6: either set alone gives LOOSE (2 of 3 right), which labels the other set all direct
    assert cross_validate(ROWS, 0.6, GRID) == Tally(6, 4, 0, 0)
    # target 0.7: either set alone gives STRICT (1 of 1), which labels one answer of the other set direct, right,
    # and two partial, one of them right
    assert cross_validate(ROWS, 0.7, GRID) == Tally(2, 2, 4, 2)
    # no thresholds reach the target: the left-out set is labelled all partial
    assert cross_validate(ROWS, 1.01, GRID) == Tally(0, 0, 6, 4)


def _run(folder, name, rows):
    d = folder / name
    d.mkdir(parents=True)
    (d / "per_question.jsonl").write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows),
                                          encoding="utf-8")


def _q(qid, *, mode="hybrid", type_="lexical", answerable=True, a1=1.0, signals=True):
    sig = {"lex": 0.4, "dense_z": 3.1, "agree": True, "asked_ok": True, "missing": []} if signals else None
    return {"id": qid, "type": type_, "mode": mode, "answerable": answerable,
            "answer": {"abstained": False, "signals": sig}, "answer_scores": {"answer@1": a1} if answerable else {}}


def test_rows_come_from_each_folders_newest_run_and_only_where_thresholds_decide(tmp_path, capsys):
    folder = tmp_path / "fresh99"
    _run(folder, "20260101T000000", [_q("old")])  # an older run: not read
    _run(folder, "20260102T000000", [
        _q("right"), _q("wrong", a1=0.0), _q("unanswerable", answerable=False),
        _q("dense mode", mode="dense"), _q("a list", type_="multi"), _q("abstained", signals=False)])
    rows = read_rows([folder])
    assert [(r.group, r.right) for r in rows] == [("fresh99", True), ("fresh99", False), ("fresh99", False)]
    assert rows[0].signals == Signals(0.4, 3.1, True, True, ())
    assert main([str(folder), "--target", "0.5"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("3 answers from 1 question sets (hybrid)")
    assert "| target 0.50" in out and "the other groups (left out)" in out


def test_an_answer_records_the_signals_its_label_was_judged_on(gaz):
    question = "卫东区家庭医生签约覆盖率目标是多少？"
    a = build_answer(question, [hit("年内家庭医生签约覆盖率力争达到40%以上。")], query=analyze(question, gaz), abstain=False)
    assert a.signals is not None and a.signals.asked_ok
    assert label(a.signals, abstained=False) == a.confidence
    no = build_answer(question, [hit("深化家庭医生签约服务内涵。")], query=analyze(question, gaz), abstain=False)
    assert no.abstained and no.signals is None  # a declined answer is labelled 未找到 whatever the thresholds
