"""The interface the retriever searches through, whatever holds the index.

Rows are positions in `Store.chunks` (row i = chunks[i]); `allowed` is None
(every document) or a frozenset of doc_ids.  Tokenising and query embedding
happen in the app; a store only ranks and scores.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from ..records import Chunk, DocMeta


@dataclass(frozen=True, slots=True)
class BM25Top:
    """BM25 for one query: the top rows, the collection's score statistics, and a way
    to score further rows (fusion needs BM25 scores for dense-only candidates)."""

    top: list[tuple[int, float]]  # (row, score > 0), best first
    mean: float  # over every allowed chunk, zeros included (z-scoring in fusion)
    std: float
    _score_rows: object = field(repr=False, compare=False)  # callable(rows) -> dict[row, score]

    def scores_for(self, rows: Iterable[int]) -> dict[int, float]:
        """row → BM25 score (0.0 where no term matches) for the given rows."""
        rows = list(rows)
        known = dict(self.top)
        need = [i for i in rows if i not in known]
        if need:
            known.update(self._score_rows(need))
        return {i: float(known.get(i, 0.0)) for i in rows}


def top_of(scores, n: int, mask, chunk_ids: Sequence[str]) -> BM25Top:
    """BM25Top from every chunk's score (a float64 numpy array, row order) — one code path for
    every store, so equal scores give equal results.  `mask`: None or a boolean array of allowed rows."""
    import numpy as np

    if mask is not None:
        scores = np.where(mask, scores, 0.0)
    n = min(n, len(scores))
    top = np.argpartition(-scores, n - 1)[:n] if n < len(scores) else np.arange(len(scores))
    top = [int(i) for i in top if scores[i] > 0]
    top.sort(key=lambda i: (-scores[i], chunk_ids[i]))
    vals = scores[mask] if mask is not None else scores
    return BM25Top([(i, float(scores[i])) for i in top], float(vals.mean()) if len(vals) else 0.0,
                   float(vals.std()) if len(vals) else 0.0, lambda rows: {int(i): float(scores[i]) for i in rows})


class Store(Protocol):
    chunks: Sequence[Chunk]
    metas: list[DocMeta]
    manifest: dict
    directory: object  # where it lives (a path, or a redacted database URL), for logs

    def bm25(self, terms: list[str], n: int, allowed: frozenset[str] | None, *, groups=()) -> BM25Top:
        """Top n BM25 rows for the terms, plus cross-lingual term groups (qa.crosslingual.TermGroup)."""

    def idf(self, terms: Iterable[str]) -> dict[str, float]: ...

    def token_set(self, row: int) -> frozenset[str]: ...

    def dense_top(self, qv, n: int, allowed: frozenset[str] | None) -> list[tuple[int, float]]:
        """Up to n (row, cosine), best first."""

    def dense_scores(self, qv, rows: Sequence[int]) -> list[float]:
        """Exact cosine of the query with each given row."""

    def dense_stats(self, qv, allowed: frozenset[str] | None) -> tuple[float, float]:
        """Mean and std of the query's cosine over the (allowed) collection, from a fixed sample."""

    def changed(self) -> "Store | None":
        """A fresh store if another process changed the index since this one was read, else None."""
