"""(b) Cross-lingual pseudo-relevance feedback: the dense side understood the
English question; the Chinese words of its best passages tell BM25 what to
look for.  Pure functions over token lists.

salience(t) = idf(t) · Σ_i w_i · tf_i(t) / |p_i|

over the feedback passages p_i with weights w_i (the dense rank: 1/i), i.e.
relevance-model term weights (RM1 with a rank prior) times idf, so words every
passage uses (工作, 推进) do not crowd out the specific ones.
"""
from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

_CONTENT_TERM = re.compile(r"^[\u3400-\u9fff]{2,}$")


def rank_weights(n: int) -> list[float]:
    """1, 1/2, 1/3, … for the feedback passages in dense rank order."""
    return [1.0 / (i + 1) for i in range(n)]


def feedback_terms(passages: Sequence[Sequence[str]], weights: Sequence[float], idf: Mapping[str, float], *,
                   n_terms: int) -> tuple[tuple[str, float], ...]:
    """The n_terms most salient Chinese content terms of the passages, weight relative to the best (0, 1].

    passages: token lists (chunk text only, no place/title header); weights: one per passage.
    Ties break on the term, so the result is deterministic.
    """
    if n_terms <= 0:
        return ()
    score: dict[str, float] = {}
    for toks, w in zip(passages, weights):
        if not toks or w <= 0:
            continue
        n = len(toks)
        for t in toks:
            if _CONTENT_TERM.match(t) and idf.get(t, 0.0) > 0:
                score[t] = score.get(t, 0.0) + w / n
    for t in score:
        score[t] *= idf[t]
    top = sorted(score.items(), key=lambda kv: (-kv[1], kv[0]))[:n_terms]
    if not top:
        return ()
    best = top[0][1]
    return tuple((t, round(s / best, 6)) for t, s in top)
