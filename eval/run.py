"""Run questions through a retriever and score them: questions → `QuestionResult` → summary dict.

The retriever is duck-typed (see `qa.Retriever`): ``MODES``,
``search(question, k=, mode=)`` returning ranked hits with ``chunk_id``,
``doc_id``, ``text`` and ``score``, and optionally
``should_abstain(question, hits)`` and ``chunks``.
"""
from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

from . import metrics
from .answers import Answerer, AnswerOutcome, calibration, score_answer
from .judge import Judgement, judge, normalise
from .questions import TYPES, Question

log = logging.getLogger(__name__)

HIT_CUTOFFS = (1, 3, 5, 10)
ALL = "all"  # the group of every answerable question


class EvalError(ValueError):
    """A usage error in running the evaluation (unknown mode, bad k, …)."""


@dataclass(frozen=True, slots=True)
class QuestionResult:
    """One question run in one mode. ``scores`` is empty for unanswerable questions."""

    id: str
    type: str
    mode: str
    answerable: bool
    rank: int | None  # 1-based rank of the first correct passage
    top_chunk_ids: tuple[str, ...]
    top_scores: tuple[float, ...]
    relevant_chunk_ids: tuple[str, ...]  # top-k chunks satisfying any gold item
    latency_ms: float
    abstained: bool | None  # None when the retriever has no should_abstain
    scores: dict[str, float] = field(default_factory=dict)
    answer: AnswerOutcome | None = None  # None when no answerer was given
    answer_scores: dict[str, float] = field(default_factory=dict)  # see eval.answers.score_answer


def metric_names(k: int) -> list[str]:
    """Column names for a run at depth ``k``: hit@1,3,5,10 (those ≤ k, plus k), mrr@k, ndcg@k."""
    cutoffs = sorted({c for c in HIT_CUTOFFS if c <= k} | {k})
    return [f"hit@{c}" for c in cutoffs] + [f"mrr@{k}", f"ndcg@{k}"]


def score_question(question: Question, hits: Sequence, k: int) -> dict[str, float]:
    """Metric name → value for one answerable question's top-``k`` hits."""
    return score_judgement(judge(hits[:k], question.gold), k)


def score_judgement(j: Judgement, k: int) -> dict[str, float]:
    """Metric name → value from a judgement of (at most) the top-``k`` hits."""
    scores = {}
    for name in metric_names(k):
        kind, cutoff = name.split("@")
        cutoff = int(cutoff)
        if kind == "hit":
            scores[name] = metrics.hit_at_k(j.flags, cutoff)
        elif kind == "mrr":
            scores[name] = metrics.reciprocal_rank_at_k(j.flags, cutoff)
        else:
            scores[name] = metrics.ndcg_at_k(j.flags, cutoff, n_relevant=j.n_gold)
    scores[f"recall@{k}"] = metrics.recall_at_k(j.found_doc_ids, j.gold_doc_ids, k)
    return scores


def resolve_modes(retriever, requested: Sequence[str] | None) -> list[str]:
    """The modes to run: ``requested`` (validated) or all of ``retriever.MODES``."""
    available = list(getattr(retriever, "MODES", ("hybrid",)))
    if not requested:
        return available
    unknown = [m for m in requested if m not in available]
    if unknown:
        raise EvalError(f"unknown mode(s) {unknown}; this retriever offers {available}")
    return list(dict.fromkeys(requested))


def run_mode(retriever, questions: Sequence[Question], mode: str, *, k: int,
             answerer: Answerer | None = None) -> list[QuestionResult]:
    """Search every question in ``mode``; latency times ``search`` only.

    With an ``answerer`` each question's hits are also turned into an answer
    and scored (`eval.answers`); its time is ``answer.ms``.
    """
    if k < 1:
        raise EvalError(f"--k must be at least 1, got {k}")
    abstain = getattr(retriever, "should_abstain", None)
    abstain = abstain if callable(abstain) else None
    # One untimed search first, so lazy loading (model, index) is not in p95.
    retriever.search(questions[0].question, k=k, mode=mode)
    results = []
    # a retriever may cache query embeddings; latency must include computing them
    clear_cache = getattr(retriever, "clear_cache", lambda: None)
    for q in questions:
        clear_cache()
        t0 = time.perf_counter()
        hits = list(retriever.search(q.question, k=k, mode=mode))[:k]
        latency_ms = (time.perf_counter() - t0) * 1000
        j = judge(hits, q.gold)
        outcome = answerer(q.question, hits, mode) if answerer else None
        results.append(
            QuestionResult(
                id=q.id,
                type=q.type,
                mode=mode,
                answerable=q.answerable,
                rank=j.first_rank,
                top_chunk_ids=tuple(h.chunk_id for h in hits),
                top_scores=tuple(float(h.score) for h in hits),
                relevant_chunk_ids=tuple(h.chunk_id for h, c in zip(hits, j.covers) if c),
                latency_ms=latency_ms,
                abstained=bool(abstain(q.question, hits)) if abstain else None,
                scores=score_judgement(j, k) if q.answerable else {},
                answer=outcome,
                answer_scores=score_answer(q, outcome) if outcome else {},
            )
        )
    return results


def run_all(
    retriever, questions: Sequence[Question], modes: Sequence[str], *, k: int,
    answerer: Answerer | None = None,
) -> dict[str, list[QuestionResult]]:
    """mode => results, in question order."""
    out = {}
    for mode in modes:
        log.info("running %d questions in mode %s", len(questions), mode)
        out[mode] = run_mode(retriever, questions, mode, k=k, answerer=answerer)
    return out


def _rate(values: list[bool]) -> float | None:
    return metrics.mean(1.0 if v else 0.0 for v in values)


def summarise_mode(results: Sequence[QuestionResult], *, k: int) -> dict:
    """by_type (each answerable type present, then "all"), latency_ms and abstention."""
    names = metric_names(k)
    answerable = [r for r in results if r.answerable]
    groups: dict[str, list[QuestionResult]] = {}
    for t in TYPES:
        members = [r for r in answerable if r.type == t]
        if members:
            groups[t] = members
    groups[ALL] = answerable
    by_type = {}
    for group, members in groups.items():
        row: dict = {"n": len(members)}
        for name in names:
            row[name] = metrics.mean(r.scores[name] for r in members)
        if group == "multi":
            row[f"recall@{k}"] = metrics.mean(r.scores[f"recall@{k}"] for r in members)
        for name in ANSWER_METRICS:  # only where the metric applies (district named: type district)
            values = [r.answer_scores[name] for r in members if name in r.answer_scores]
            if values:
                row[name] = metrics.mean(values)
        by_type[group] = row
    latencies = [r.latency_ms for r in results]
    unanswerable = [r for r in results if not r.answerable]
    available = any(r.abstained is not None for r in results)
    return {
        "by_type": by_type,
        "latency_ms": {
            "p50": metrics.percentile(latencies, 50),
            "p95": metrics.percentile(latencies, 95),
            "mean": metrics.mean(latencies),
            "n": len(latencies),
        },
        "abstention": {
            "available": available,
            "n_unanswerable": len(unanswerable),
            "abstain_rate": _rate([bool(r.abstained) for r in unanswerable]) if available else None,
            "n_answerable": len(answerable),
            "false_abstain_rate": _rate([bool(r.abstained) for r in answerable]) if available else None,
        },
        "answers": _answers_block(results),
    }


ANSWER_METRICS = ("answer@1", "answer@any", "district_named", "list_precision", "list_recall")


def _answers_block(results: Sequence[QuestionResult]) -> dict:
    """Abstention and false abstention *of the answer*, its build time, and the calibration table."""
    done = [r for r in results if r.answer is not None]
    if not done:
        return {"available": False}
    unanswerable = [r for r in done if not r.answerable]
    answerable = [r for r in done if r.answerable]
    ms = [r.answer.ms for r in done]
    return {
        "available": True,
        "n_unanswerable": len(unanswerable),
        "abstain_rate": _rate([r.answer.abstained for r in unanswerable]),
        "n_answerable": len(answerable),
        "false_abstain_rate": _rate([r.answer.abstained for r in answerable]),
        "answer_ms": {"p50": metrics.percentile(ms, 50), "p95": metrics.percentile(ms, 95)},
        "calibration": calibration([(r.answer.confidence, r.answerable, r.answer_scores.get("answer@1"),
                                     r.answer.abstained) for r in done]),
    }


def summarise(runs: dict[str, list[QuestionResult]], *, k: int) -> dict[str, dict]:
    """mode => `summarise_mode` output."""
    return {mode: summarise_mode(results, k=k) for mode, results in runs.items()}


def unmatched_gold(questions: Sequence[Question], chunks: Sequence) -> list[dict]:
    """Gold items no chunk in the index satisfies: a typo in the evidence, a
    wrong doc_id, or a chunker that split the evidence across chunks."""
    by_doc: dict[str, list[str]] = {}
    for c in chunks:
        by_doc.setdefault(c.doc_id, []).append(normalise(c.text))
    missing = []
    for q in questions:
        for g in q.gold:
            ev = normalise(g.evidence)
            if not any(ev in text for text in by_doc.get(g.doc_id, [])):
                missing.append({"id": q.id, "doc_id": g.doc_id, "evidence": g.evidence})
    return missing


__all__ = [
    "ALL",
    "ANSWER_METRICS",
    "EvalError",
    "QuestionResult",
    "metric_names",
    "resolve_modes",
    "run_all",
    "run_mode",
    "score_judgement",
    "score_question",
    "summarise",
    "summarise_mode",
    "unmatched_gold",
]
