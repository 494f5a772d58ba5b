"""Score fusion: small pure functions over id → score dicts.

Ties always break on the id, so rankings are deterministic.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping, Sequence


def rank(scores: Mapping[str, float]) -> list[tuple[str, float]]:
    """Best first; equal scores ordered by id."""
    return sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))


def rrf(rankings: Sequence[Sequence[str]], *, k: int = 60, weights: Sequence[float] | None = None) -> dict[str, float]:
    """Reciprocal-rank fusion: sum over lists of w / (k + rank), rank from 1."""
    weights = weights or [1.0] * len(rankings)
    out: dict[str, float] = {}
    for w, ids in zip(weights, rankings):
        for r, doc in enumerate(ids, start=1):
            out[doc] = out.get(doc, 0.0) + w / (k + r)
    return out


def max_normalize(scores: Mapping[str, float]) -> dict[str, float]:
    """s / max(s); BM25 scores are ≥ 0 and 0 means no shared term."""
    top = max(scores.values(), default=0.0)
    if top <= 0:
        return {d: 0.0 for d in scores}
    return {d: max(s, 0.0) / top for d, s in scores.items()}


def z_normalize(scores: Mapping[str, float], *, mean: float, std: float) -> dict[str, float]:
    """(s - mean) / std, with mean/std taken over the whole (filtered) collection.

    Why z-scores: BM25 scores are unbounded and e5 squeezes every Chinese
    passage into cosines of 0.75–0.9, so neither raw scale nor max-scaling
    makes the two comparable; "how many standard deviations above a typical
    chunk" does, and it keeps each side's confidence (a lone outlier stays
    far out, a flat list stays flat).
    """
    if std <= 1e-12:
        return {d: 0.0 for d in scores}
    return {d: (s - mean) / std for d, s in scores.items()}


def combine(parts: Sequence[tuple[float, Mapping[str, float]]]) -> dict[str, float]:
    """Weighted sum over the union of ids (a missing score counts 0)."""
    out: dict[str, float] = {}
    for w, scores in parts:
        for d, s in scores.items():
            out[d] = out.get(d, 0.0) + w * s
    return out


@dataclass(frozen=True, slots=True)
class QuerySignals:
    """What the query and the two result lists tell us about whom to trust."""

    script: str  # "zh" | "en" | "mixed"
    en_coverage: float = 0.0  # share of English content words the glossary translated
    bm25_coverage: float = 0.0  # IDF share of the query's terms found in BM25's best chunk
    exact_match: bool = False  # a number / document number of the query occurs verbatim in BM25's best chunk


def adaptive_weights(sig: QuerySignals) -> tuple[float, float]:
    """(w_bm25, w_dense) for `combine` of z-normalised BM25 and dense scores.

    - Chinese: lexical evidence is strong when BM25's best chunk covers most of
      the query's weighted terms; weak coverage means BM25 is matching stray
      common words, so it gets less say.  A verbatim number or 文号 is the
      strongest evidence there is.
    - English: BM25 only sees the glossary's Chinese terms, so its weight is
      scaled by how much of the question the glossary covered: an English
      question gets almost nothing from Chinese BM25 unless the glossary
      translated it.
    """
    cov = min(max(sig.bm25_coverage, 0.0), 1.0)
    if sig.script == "zh":
        w_bm25 = 0.3 + cov
    else:
        w_bm25 = 2.0 * min(max(sig.en_coverage, 0.0), 1.0) * cov
    if sig.exact_match:
        w_bm25 += 0.5
    return w_bm25, 1.0


_STEER_MARGIN = 0.01  # score gap between the last steered chunk and the first demoted one (> the 1e-6 rounding)


def steer(ranked: list[tuple[str, float]], inside) -> list[tuple[str, float]]:
    """Chunks for which inside(chunk_id) holds first; the others shifted below them.

    Moving the steered chunks up without touching the rest's scores would leave
    the list out of score order (a demoted chunk can outscore a steered one);
    shifting the demoted scores down by one constant keeps their order and
    keeps scores descending.
    """
    ins = [kv for kv in ranked if inside(kv[0])]
    out = [kv for kv in ranked if not inside(kv[0])]
    if ins and out:
        gap = out[0][1] - ins[-1][1] + _STEER_MARGIN
        if gap > 0:
            out = [(c, s - gap) for c, s in out]
    return ins + out
