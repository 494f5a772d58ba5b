"""Judge the *answer* (not only the passages): answer@1, answer@any, district named,
which-district list precision/recall, abstention, and the confidence calibration.

An answerer is any callable ``(question_text, hits, mode) -> AnswerOutcome``;
`qa_answerer` wraps the assistant's own pipeline (`qa.answering.respond.respond`), so the
evaluation scores exactly what a user reads.
"""
from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from .judge import normalise
from .questions import Question

ELLIPSIS = "…"
MIN_PART_CHARS = 6  # an answer sentence shorter than this cannot stand for the gold evidence


@dataclass(frozen=True, slots=True)
class AnswerOutcome:
    """What one answer says, reduced to what the metrics need."""

    sentences: tuple[tuple[str, str], ...]  # (answer sentence text, doc_id of the passage it cites), in order
    doc_ids: tuple[str, ...]  # documents (places) the answer names
    abstained: bool
    confidence: str = ""  # the label shown to the user, e.g. 直接回答 / 部分相关 / 未找到
    ms: float = 0.0  # time to build the answer from the hits
    why: str = ""  # which rule abstained (qa.answering.answer.Answer.why), for reading per_question.jsonl
    # what the confidence label was judged on (qa.answering.confidence.Signals as a dict; None when no
    # threshold applied: abstained, a which-places list, a header answer): `python -m eval.calibrate` refits on it
    signals: dict | None = None


Answerer = Callable[[str, Sequence, str], AnswerOutcome]


# a date as a header states it: 2021年3月18日 / 二〇二一年三月十八日
_DATE_LINE = re.compile(r"(?:19|20)\d{2}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日|[〇○零一二三四五六七八九]{4}年[一二三四五六七八九十]{1,3}月[一二三四五六七八九十]{1,3}日")


def _field_evidence(evidence: str, field: str) -> str:
    """The part of a header question's evidence that states the field asked for.

    Annotators quote a signature block ("XX县人民政府办公室\n2025年4月25日") to show where a
    date stands; the date is what the question asks, and what an answer states.
    """
    if field == "date":
        m = _DATE_LINE.search(evidence)
        if m:
            return m.group(0)
    return evidence


def sentence_holds(text: str, doc_id: str, gold, field: str = "") -> bool:
    """True iff the answer sentence comes from a gold document and holds its evidence.

    The sentence holds the evidence when it contains it, or when the sentence
    (cut with … around its clauses) is itself a part of the evidence: a long
    evidence string cannot fit in a trimmed sentence but is still what it says.
    For a header question (`field`), it holds the evidence's statement of that field.
    """
    s = normalise(text)
    parts = [p for p in s.split(ELLIPSIS) if p]
    for g in gold:
        if g.doc_id != doc_id:
            continue
        ev = normalise(g.evidence)
        if ev in s or any(ev in p for p in parts):
            return True
        if field and normalise(_field_evidence(g.evidence, field)) in s:
            return True
        lines = [normalise(x) for x in g.evidence.splitlines() if x.strip()]
        if field == "issuer" and len(lines) > 1 and all(x in s for x in lines):
            return True  # joint issuers quoted one per line, as they sign: the answer names each
        if parts and all(len(p) >= MIN_PART_CHARS and p.rstrip("。；;") in ev for p in parts):
            return True
    return False


def precision_recall(named: Iterable[str], gold: Iterable[str]) -> tuple[float, float]:
    """(precision, recall) of the named set against the gold set; nothing named → (0, 0)."""
    named, gold = set(named), set(gold)
    if not named or not gold:
        return 0.0, 0.0
    hit = len(named & gold)
    return hit / len(named), hit / len(gold)


def score_answer(question: Question, out: AnswerOutcome) -> dict[str, float]:
    """Metric name → value for one answerable question's answer.

    answer@1 / answer@any: the first / any answer sentence holds gold evidence;
    district_named (type "district"): a gold document's place is named;
    list_precision / list_recall (type "multi"): the places listed against
    the gold documents (``question.districts`` when given, else the gold doc ids).
    """
    if not question.answerable:
        return {}
    sents = [] if out.abstained else list(out.sentences)
    scores = {
        "answer@1": 1.0 if sents and sentence_holds(*sents[0], question.gold, question.field) else 0.0,
        "answer@any": 1.0 if any(sentence_holds(t, d, question.gold, question.field) for t, d in sents) else 0.0,
    }
    gold_docs = set(question.districts) or {g.doc_id for g in question.gold}
    named = () if out.abstained else out.doc_ids
    if question.type == "district":
        scores["district_named"] = 1.0 if gold_docs & set(named) else 0.0
    if question.type == "multi":
        scores["list_precision"], scores["list_recall"] = precision_recall(named, gold_docs)
    return scores


def calibration(rows: Sequence[tuple[str, bool, float | None, bool]]) -> dict[str, dict]:
    """Reliability per confidence label.

    rows: (label, answerable, answer@1 or None, abstained). An answer is right
    when it is answerable and its first sentence holds the evidence, or when
    the question is unanswerable and the answer abstained.
    """
    out: dict[str, dict] = {}
    for label, answerable, a1, abstained in rows:
        b = out.setdefault(label or "–", {"n": 0, "answerable": 0, "unanswerable": 0, "right": 0})
        b["n"] += 1
        b["answerable" if answerable else "unanswerable"] += 1
        b["right"] += int(bool(a1) if answerable else abstained)
    for b in out.values():
        b["right_rate"] = b["right"] / b["n"] if b["n"] else None
    return out


def _signals(s) -> dict | None:
    if s is None:
        return None
    return {"lex": s.lex, "dense_z": s.dense_z, "agree": s.agree, "asked_ok": s.asked_ok, "missing": list(s.missing)}


def qa_answerer(retriever) -> Answerer:
    """The assistant's own answer pipeline over already-searched hits."""
    from qa.answering.respond import respond, warm

    warm(retriever)

    def answer(question: str, hits: Sequence, mode: str) -> AnswerOutcome:
        t0 = time.perf_counter()
        res = respond(retriever, question, [], mode=mode, hits=list(hits))
        ms = (time.perf_counter() - t0) * 1000
        a = res.answer
        doc_of = {c.n: c.hit.doc_id for c in a.citations}
        return AnswerOutcome(
            sentences=tuple((s.text, doc_of.get(s.n, "")) for s in a.sentences),
            doc_ids=tuple(getattr(a, "doc_ids", ())),
            abstained=bool(a.abstained),
            confidence=str(getattr(a, "confidence", "")),
            ms=ms,
            why=str(getattr(a, "why", "")),
            signals=_signals(getattr(a, "signals", None)),
        )

    return answer
