"""Dense side of the index: normalised embeddings in faiss.

`IndexFlatIP` (exact inner product = cosine on unit vectors) by default;
`HNSW` for large corpora.  The raw embedding matrix is kept too (as .npy,
no pickle) because it is the embedding cache for rebuilds and lets us score
BM25's candidates exactly whatever the faiss index type.
"""
from __future__ import annotations

import logging
from pathlib import Path

import numpy as np

log = logging.getLogger(__name__)

KINDS = ("flat", "hnsw")


class DenseIndex:
    def __init__(self, embeddings: np.ndarray, *, kind: str = "flat", index=None, hnsw_m: int = 32, ef_search: int = 64):
        import faiss

        if kind not in KINDS:
            raise ValueError(f"dense index kind must be one of {KINDS}, not {kind!r}")
        self.embeddings = np.ascontiguousarray(embeddings, dtype=np.float32)
        self.kind = kind
        self.dim = int(self.embeddings.shape[1]) if self.embeddings.ndim == 2 else 0
        if index is None:
            if kind == "flat":
                index = faiss.IndexFlatIP(self.dim)
            else:
                index = faiss.IndexHNSWFlat(self.dim, hnsw_m, faiss.METRIC_INNER_PRODUCT)
                index.hnsw.efConstruction = 80
            if len(self.embeddings):
                index.add(self.embeddings)
        if kind == "hnsw":
            index.hnsw.efSearch = ef_search
        self.index = index
        # One query at a time: faiss's OpenMP pool only adds spin-wait contention with
        # torch on 2 cores (bench: flat k=100 at 100k chunks 24.0 → 5.8 ms p50).
        faiss.omp_set_num_threads(1)

    def __len__(self) -> int:
        return int(self.embeddings.shape[0])

    def search(self, query: np.ndarray, k: int) -> list[tuple[int, float]]:
        """Top k (row, cosine) for one unit query vector, best first."""
        k = min(k, len(self))
        if k <= 0:
            return []
        q = np.ascontiguousarray(query.reshape(1, -1), dtype=np.float32)
        scores, ids = self.index.search(q, k)
        return [(int(i), float(s)) for i, s in zip(ids[0], scores[0]) if i >= 0]

    def scores_for(self, query: np.ndarray, rows: np.ndarray) -> np.ndarray:
        """Exact cosine of the query with the given rows."""
        if len(rows) == 0:
            return np.zeros(0, dtype=np.float32)
        return self.embeddings[rows] @ query.astype(np.float32).ravel()

    def save(self, directory: Path) -> list[str]:
        import faiss

        directory = Path(directory)
        np.save(directory / "embeddings.npy", self.embeddings, allow_pickle=False)
        faiss.write_index(self.index, str(directory / "dense.faiss"))
        return ["embeddings.npy", "dense.faiss"]

    @classmethod
    def load(cls, directory: Path, *, kind: str, ef_search: int = 64) -> "DenseIndex":
        import faiss

        directory = Path(directory)
        emb = np.load(directory / "embeddings.npy", allow_pickle=False)
        index = faiss.read_index(str(directory / "dense.faiss"))
        if index.ntotal != emb.shape[0]:
            raise ValueError(f"dense.faiss holds {index.ntotal} vectors but embeddings.npy {emb.shape[0]}")
        return cls(emb, kind=kind, index=index, ef_search=ef_search)
