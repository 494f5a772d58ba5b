"""The embedded store: today's index directory (files + faiss) in this process.

A thin adapter over `qa.indexing.index_store.IndexData` to the `Store` interface; the
arithmetic is the one the retriever did itself before stores existed.
"""
from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

import numpy as np

from ..indexing import index_store
from .base import BM25Top, top_of

STATS_SAMPLE = 4096  # rows sampled to estimate the dense score distribution


class EmbeddedStore:
    def __init__(self, data: index_store.IndexData):
        self.data = data
        self.chunks = data.chunks
        self.metas = data.metas
        self.manifest = data.manifest
        self.directory = data.directory
        rows_by_doc: dict[str, list[int]] = {m.doc_id: [] for m in data.metas}
        for i, c in enumerate(self.chunks):  # one pass: a scan per document is O(docs × chunks)
            rows_by_doc[c.doc_id].append(i)
        self._doc_rows = {d: np.array(rows, dtype=np.int64) for d, rows in rows_by_doc.items()}
        self._all_rows = np.arange(len(self.chunks))
        self._chunk_ids = [c.chunk_id for c in self.chunks]
        self._idf = data.bm25.idf_map()
        # the unfiltered sample's rows, copied once (6 MB at most): gathering 4096 rows scattered
        # over the whole matrix cost ~5 ms a query at 100k chunks, the product on a copy ~0.3 ms
        self._all_sample = self.data.dense.embeddings[self._sample(self._all_rows)]

    def _mask(self, allowed: frozenset[str] | None) -> np.ndarray | None:
        if allowed is None:
            return None
        mask = np.zeros(len(self.chunks), dtype=bool)
        for d in allowed:
            mask[self._doc_rows.get(d, [])] = True
        return mask

    # ---------------------------------------------------------------- BM25
    def bm25(self, terms: list[str], n: int, allowed: frozenset[str] | None, *, groups=()) -> BM25Top:
        scores = self.data.bm25.scores(terms) if terms else np.zeros(len(self.chunks))
        if groups:  # English: a structured query, each group worth its best alternative (qa.crosslingual)
            from ..crosslingual import grouped_scores

            scores = scores + grouped_scores(self.data.bm25, groups)
        return top_of(scores, n, self._mask(allowed), self._chunk_ids)

    def idf(self, terms: Iterable[str]) -> dict[str, float]:
        return {t: self._idf[t] for t in terms if t in self._idf}

    def token_set(self, row: int) -> frozenset[str]:
        return self.data.bm25.row_terms(row)

    # ---------------------------------------------------------------- dense
    def dense_top(self, qv, n: int, allowed: frozenset[str] | None) -> list[tuple[int, float]]:
        if allowed is None:
            return self.data.dense.search(qv, n)
        rows = np.flatnonzero(self._mask(allowed))
        sc = self.data.dense.scores_for(qv, rows)
        order = np.lexsort((rows, -sc))[:n]
        return [(int(rows[j]), float(sc[j])) for j in order]

    def dense_scores(self, qv, rows: Sequence[int]) -> list[float]:
        return [float(s) for s in self.data.dense.scores_for(qv, np.asarray(rows, dtype=np.int64))]

    def dense_stats(self, qv, allowed: frozenset[str] | None) -> tuple[float, float]:
        """From a fixed sample of ≤ 4096 rows: estimates them well and keeps this O(1)
        in corpus size (the exact scan costs ~10 ms at 100k chunks)."""
        if allowed is None:
            sc = self._all_sample @ qv.astype(np.float32).ravel()  # = dense.scores_for(qv, sample rows)
        else:
            sc = self.data.dense.scores_for(qv, self._sample(np.flatnonzero(self._mask(allowed))))
        return float(sc.mean()), float(sc.std())

    @staticmethod
    def _sample(rows: np.ndarray) -> np.ndarray:
        return rows[:: math.ceil(len(rows) / STATS_SAMPLE)] if len(rows) > STATS_SAMPLE else rows

    def changed(self) -> None:
        return None  # one process owns the files; Retriever.load rebuilds when stale
