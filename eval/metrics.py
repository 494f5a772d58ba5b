"""Ranking metrics as small pure functions (no numpy).

Two input shapes, both for *one* query:

- ``flags``: the ranked list of "is this result relevant?" booleans, rank 1
  first. `eval.judge` produces it from hits and gold items.
- ``ranked_ids`` + ``relevant_ids``: ids in rank order and the set of ids that
  are relevant; `flags_from_ids` turns them into flags.

Rules, fixed here so every caller agrees:

- Ranks are 1-based; ``k`` must be >= 1; a list shorter than ``k`` is scored
  as if padded with non-relevant results.
- Ties in score are not looked at: the order given *is* the ranking (the
  retriever already breaks ties on ``(-score, id)``).
- Duplicates: an id repeated in ``ranked_ids`` keeps its slot but only its
  first occurrence can be relevant, so one relevant item is never counted
  twice (a ranx or TREC run cannot hold an id twice at all).
- Gains are binary; nDCG's ideal DCG puts ``min(n_relevant, k)`` relevant
  items at the top ranks.
- A query with nothing relevant gets 0.0 from every metric here; callers
  keep such queries (unanswerable questions) out of the averages.
"""
from __future__ import annotations

import math
from collections.abc import Hashable, Iterable, Mapping, Sequence

__all__ = [
    "dcg_at_k",
    "first_relevant_rank",
    "flags_from_ids",
    "hit_at_k",
    "mean",
    "mean_by_group",
    "ndcg_at_k",
    "percentile",
    "recall_at_k",
    "reciprocal_rank_at_k",
]


def _check_k(k: int) -> None:
    if not isinstance(k, int) or isinstance(k, bool) or k < 1:
        raise ValueError(f"k must be a positive integer, got {k!r}")


def flags_from_ids(
    ranked_ids: Sequence[Hashable],  # ids, rank 1 first
    relevant_ids: Iterable[Hashable],  # set of relevant ids
) -> list[bool]:
    """Relevance flags for ``ranked_ids``; a repeated id is relevant only once."""
    relevant = set(relevant_ids)
    seen: set[Hashable] = set()
    flags = []
    for rid in ranked_ids:
        flags.append(rid in relevant and rid not in seen)
        seen.add(rid)
    return flags


def first_relevant_rank(flags: Sequence[bool]) -> int | None:
    """1-based rank of the first relevant result, or None if there is none."""
    for i, flag in enumerate(flags):
        if flag:
            return i + 1
    return None


def hit_at_k(flags: Sequence[bool], k: int) -> float:
    """1.0 if any of the top ``k`` results is relevant, else 0.0."""
    _check_k(k)
    return 1.0 if any(flags[:k]) else 0.0


def reciprocal_rank_at_k(flags: Sequence[bool], k: int) -> float:
    """1/rank of the first relevant result within the top ``k``, else 0.0."""
    _check_k(k)
    rank = first_relevant_rank(flags[:k])
    return 0.0 if rank is None else 1.0 / rank


def dcg_at_k(flags: Sequence[bool], k: int) -> float:
    """Sum of 1/log2(rank + 1) over relevant results in the top ``k``."""
    _check_k(k)
    return sum(1.0 / math.log2(i + 2) for i, flag in enumerate(flags[:k]) if flag)


def ndcg_at_k(flags: Sequence[bool], k: int, *, n_relevant: int) -> float:
    """DCG@k divided by the DCG of ``min(n_relevant, k)`` relevant results at the top.

    ``n_relevant`` is how many relevant items exist for the query (not how
    many were retrieved); it cannot be smaller than the number of True flags.
    """
    _check_k(k)
    n_flagged = sum(1 for flag in flags if flag)
    if n_relevant < n_flagged:
        raise ValueError(
            f"n_relevant={n_relevant} but {n_flagged} results are flagged relevant; "
            "pass the number of relevant items for the query"
        )
    ideal = dcg_at_k([True] * min(n_relevant, k), k) if n_relevant else 0.0
    return dcg_at_k(flags, k) / ideal if ideal else 0.0


def recall_at_k(
    ranked_ids: Sequence[Hashable],  # ids, rank 1 first (None = not an id)
    relevant_ids: Iterable[Hashable],  # set of relevant ids
    k: int,
) -> float:
    """Fraction of ``relevant_ids`` that appear in the top ``k`` of ``ranked_ids``.

    The denominator is the number of relevant ids, not ``min(that, k)``.
    """
    _check_k(k)
    relevant = set(relevant_ids)
    if not relevant:
        return 0.0
    return len(relevant.intersection(ranked_ids[:k])) / len(relevant)


def mean(values: Iterable[float]) -> float | None:
    """Arithmetic mean, or None for no values (so an empty group is not 0.0)."""
    values = list(values)
    return sum(values) / len(values) if values else None


def mean_by_group(
    scores: Mapping[str, float],  # qid => score
    groups: Mapping[str, str],  # qid => group name
) -> dict[str, float]:
    """Mean score per group, groups in sorted order; qids without a group are an error."""
    missing = [qid for qid in scores if qid not in groups]
    if missing:
        raise KeyError(f"no group for query ids {missing[:5]}")
    buckets: dict[str, list[float]] = {}
    for qid, score in scores.items():
        buckets.setdefault(groups[qid], []).append(score)
    return {name: sum(vals) / len(vals) for name, vals in sorted(buckets.items())}


def percentile(values: Iterable[float], p: float) -> float | None:
    """The ``p``-th percentile (0-100) with linear interpolation between the two
    nearest ranks (numpy's default method); None for no values."""
    if not 0 <= p <= 100:
        raise ValueError(f"p must be in [0, 100], got {p}")
    ordered = sorted(values)
    if not ordered:
        return None
    pos = (len(ordered) - 1) * p / 100
    lo = math.floor(pos)
    hi = min(lo + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo)
