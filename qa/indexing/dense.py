"""Dense side of the index: normalised embeddings in faiss.

`IndexFlatIP` (exact inner product = cosine on unit vectors) for small corpora,
`HNSW` for large ones ("auto", the default, picks HNSW from AUTO_HNSW_MIN chunks:
bench at 100k chunks: flat k=100 ~7–17 ms a query, HNSW ~1 ms at recall@10 0.94, efSearch 256).
The raw embedding matrix is written too (as .npy, no pickle) because it is the
embedding cache for rebuilds; in memory `embeddings` is a read-only view of the
vectors faiss already stores (flat and HNSW-flat both keep them uncompressed), so
they are held once (146 MB at 100k chunks) and BM25's candidates are still scored exactly.
"""
from __future__ import annotations

import logging
from pathlib import Path

import numpy as np

log = logging.getLogger(__name__)

KINDS = ("flat", "hnsw")
AUTO_HNSW_MIN = 20_000  # chunks; below it a flat search costs ≲ 3 ms and is exact
# efSearch: on 100k e5-like vectors (bench) 64 found 0.78 of the exact top 10, 256 0.94 at ~1 ms a
# search; the retriever asks 100 candidates (faiss uses max(efSearch, k)). A search-time setting.
EF_SEARCH = 256


def resolve_kind(kind: str, n: int) -> str:
    """The concrete index type for `kind` ("auto" picks by corpus size) over n vectors."""
    if kind == "auto":
        return "hnsw" if n >= AUTO_HNSW_MIN else "flat"
    if kind not in KINDS:
        raise ValueError(f"dense index kind must be auto or one of {KINDS}, not {kind!r}")
    return kind


def _kind_of(index) -> str:
    return "hnsw" if hasattr(index, "hnsw") else "flat"


class _Keeper:
    """Base object of the vector view: holds the faiss index, so the memory outlives every view of it."""

    def __init__(self, raw: np.ndarray, index):
        self.__array_interface__ = raw.__array_interface__
        self._keep = (raw, index)


def _stored_vectors(index, dim: int) -> np.ndarray:
    """The float32 rows faiss holds, as a read-only numpy view (no copy).

    faiss.rev_swig_ptr alone gives an array that does not keep the index alive: a row taken from it
    (the embedding cache of a rebuild) would read freed memory once the old index is dropped.
    """
    import faiss

    flat = faiss.downcast_index(index.storage) if hasattr(index, "storage") else index
    n = int(flat.ntotal)
    if n == 0:
        return np.zeros((0, dim), dtype=np.float32)
    raw = faiss.rev_swig_ptr(flat.get_xb(), n * dim).reshape(n, dim)
    view = np.asarray(_Keeper(raw, index))
    view.flags.writeable = False
    return view


class DenseIndex:
    def __init__(self, embeddings: np.ndarray, *, kind: str = "flat", index=None, hnsw_m: int = 32,
                 ef_search: int = EF_SEARCH):
        import faiss

        embeddings = np.ascontiguousarray(embeddings, dtype=np.float32)
        kind = _kind_of(index) if index is not None else resolve_kind(kind, len(embeddings))
        self.kind = kind
        self.dim = int(embeddings.shape[1]) if embeddings.ndim == 2 else 0
        if index is None:
            if kind == "flat":
                index = faiss.IndexFlatIP(self.dim)
            else:
                index = faiss.IndexHNSWFlat(self.dim, hnsw_m, faiss.METRIC_INNER_PRODUCT)
                index.hnsw.efConstruction = 80
            if len(embeddings):
                index.add(embeddings)
        if kind == "hnsw":
            index.hnsw.efSearch = ef_search
        self.index = index
        self.embeddings = _stored_vectors(index, self.dim)
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
    def load(cls, directory: Path, *, kind: str = "auto", ef_search: int = EF_SEARCH) -> "DenseIndex":
        """Read dense.faiss; its type decides flat/HNSW (`kind` "auto", or it must match).

        embeddings.npy is only checked for its shape (memory-mapped header): the vectors come from
        the faiss index, so a load never holds them twice, not even for a moment.
        """
        import faiss

        directory = Path(directory)
        emb = np.load(directory / "embeddings.npy", allow_pickle=False, mmap_mode="r")
        shape = emb.shape
        del emb
        index = faiss.read_index(str(directory / "dense.faiss"))
        if kind != "auto" and _kind_of(index) != kind:
            raise ValueError(f"dense.faiss is a {_kind_of(index)} index, not {kind}")
        if index.ntotal != shape[0] or (len(shape) == 2 and index.d != shape[1]):
            raise ValueError(f"dense.faiss holds {index.ntotal}×{index.d} vectors but embeddings.npy {shape}")
        return cls(np.zeros((0, index.d), dtype=np.float32), index=index, ef_search=ef_search)
