"""(c) A bilingual term table the embedding model derives from the index.

At build time every Chinese content term of the index vocabulary (a BM25
token of 2–8 CJK characters) is embedded once with e5's `query: ` prompt —
the symmetric prompt, which gave clearly better word-to-word neighbours
than `passage: ` (vaccination → 疫苗 0.91 vs 0.86, laboratory → 实验室 0.92).
Vectors are cached by a content hash like the passage embeddings, so a
rebuild embeds only new terms.  At query time an English word or phrase is
embedded with the same prompt and mapped to its nearest terms whose cosine
stands at least `margin` above its mean cosine to all terms (e5 puts every
pair of short texts at 0.75–0.9, so an absolute threshold means nothing;
the mean over the table is q · centroid, one dot product).

Files (in the build directory, listed with checksums in the manifest):
    xling_terms.json         {"format", "model_id", "prompt", "noise", "terms": [...], "keys": [...]}
    xling_term_vectors.npy   float16 (n_terms, dim), unit rows, allow_pickle=False
"""
from __future__ import annotations

import hashlib
import json
import logging
import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

import numpy as np

log = logging.getLogger(__name__)

TERMS_FILE = "xling_terms.json"
VECTORS_FILE = "xling_term_vectors.npy"
FORMAT = "qa-xling-terms 1"
MAX_TERMS = 50_000  # most frequent first: ~7 ms each to embed on a busy CPU core, 768 bytes each stored
_CONTENT_TERM = re.compile(r"^[\u3400-\u9fff]{2,8}$")
# Letter strings that mean nothing in any language: the best margin they reach over the table is
# what chance gives with this encoder (e5: ≤ 0.06; a hashing stand-in like FakeEncoder: ~0.7),
# and a real match must beat it — so an encoder without meaning maps no English word at all.
NONSENSE = ("zxq", "qwpd", "vbnk", "xkcd", "jzvq", "pfft", "grxl", "mnbv", "tzwk", "qqxz", "dwzj", "fjkq",
            "hxvb", "kzqt", "wvxp", "bzrk")


def term_key(model_id: str, term: str) -> str:
    return hashlib.sha256(f"{model_id}\0query\0{term}".encode()).hexdigest()[:32]


def content_terms(tokens: Iterable[Sequence[str]], *, limit: int = MAX_TERMS) -> list[str]:
    """The index's Chinese content terms, by document frequency then term (deterministic)."""
    df: dict[str, int] = {}
    for row in tokens:
        for t in set(row):
            if _CONTENT_TERM.match(t):
                df[t] = df.get(t, 0) + 1
    return sorted(df, key=lambda t: (-df[t], t))[:limit]


class TermTable:
    """Chinese terms and their unit vectors; `nearest` maps query vectors onto them."""

    def __init__(self, terms: Sequence[str], vectors: np.ndarray, keys: Sequence[str], model_id: str, *,
                 noise: float = 0.0):
        if len(terms) != len(vectors) or len(terms) != len(keys):
            raise ValueError(f"term table: {len(terms)} terms, {len(vectors)} vectors, {len(keys)} keys")
        self.terms = tuple(terms)
        self.keys = tuple(keys)
        self.model_id = model_id
        self.embedded = 0  # how many terms the build that made this table had to embed
        self.noise = float(noise)  # best margin a NONSENSE string reaches: matches must beat it
        self.vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        self.vectors.flags.writeable = False
        self.centroid = self.vectors.mean(axis=0) if len(self.terms) else np.zeros(self.vectors.shape[1:])

    def __len__(self) -> int:
        return len(self.terms)

    @classmethod
    def build(cls, terms: Sequence[str], encoder, *, previous: "TermTable | None" = None) -> "TermTable":
        """Embed terms (reusing previous's vectors for unchanged keys)."""
        keys = [term_key(encoder.model_id, t) for t in terms]
        cache: Mapping[str, np.ndarray] = {}
        if previous is not None and previous.model_id == encoder.model_id:
            cache = {k: previous.vectors[i] for i, k in enumerate(previous.keys)}
        vectors = np.zeros((len(terms), encoder.dim), dtype=np.float32)
        todo = [i for i, k in enumerate(keys) if k not in cache]
        for i, k in enumerate(keys):
            if k in cache:
                vectors[i] = cache[k]
        if todo:
            log.info("term table: embedding %d of %d terms", len(todo), len(terms))
            vectors[todo] = encoder.encode_queries([terms[i] for i in todo])
        table = cls(terms, vectors, keys, encoder.model_id)
        table.embedded = len(todo)
        if len(terms):
            table.noise = round(max(m for m in table.margins(encoder.encode_queries(list(NONSENSE)))), 4)
        return table

    def margins(self, queries: np.ndarray) -> list[float]:
        """Per query vector: its best cosine over the table minus its mean cosine."""
        q = np.asarray(queries, dtype=np.float32)
        return [float(x) for x in (q @ self.vectors.T).max(axis=1) - q @ self.centroid]

    def nearest(self, queries: np.ndarray, *, margin: float, k: int = 3, band: float = 0.01
                ) -> list[list[tuple[str, float, float]]]:
        """Per query vector: up to k (term, weight, margin) with cosine ≥ mean + margin
        (and above the table's noise level, see NONSENSE).

        Only terms within `band` of the best are kept (a clear best term stands
        alone); weight = its margin / the best's margin, in (0, 1].
        """
        if not len(self.terms) or not len(queries):
            return [[] for _ in range(len(queries))]
        margin = max(margin, self.noise + 0.01)
        sims = np.asarray(queries, dtype=np.float32) @ self.vectors.T
        means = np.asarray(queries, dtype=np.float32) @ self.centroid
        out = []
        for row, mean in zip(sims, means):
            n = min(k, len(row))
            top = np.argpartition(-row, n - 1)[:n]
            top = sorted(top.tolist(), key=lambda j: (-row[j], self.terms[j]))
            best = float(row[top[0]] - mean)
            if best < margin:
                out.append([])
                continue
            out.append([(self.terms[j], round(float(row[j] - mean) / best, 4), round(float(row[j] - mean), 4))
                        for j in top if float(row[top[0]] - row[j]) <= band])
        return out

    # ------------------------------------------------------------ persistence
    def save(self, directory: Path) -> list[str]:
        directory = Path(directory)
        meta = {"format": FORMAT, "model_id": self.model_id, "prompt": "query", "noise": self.noise,
                "terms": list(self.terms), "keys": list(self.keys)}
        (directory / TERMS_FILE).write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
        np.save(directory / VECTORS_FILE, self.vectors.astype(np.float16), allow_pickle=False)
        return [TERMS_FILE, VECTORS_FILE]

    @classmethod
    def load(cls, directory: Path) -> "TermTable":
        directory = Path(directory)
        meta = json.loads((directory / TERMS_FILE).read_text(encoding="utf-8"))
        if meta.get("format") != FORMAT:
            raise ValueError(f"{directory / TERMS_FILE}: format {meta.get('format')!r}, expected {FORMAT!r}")
        vectors = np.load(directory / VECTORS_FILE, allow_pickle=False).astype(np.float32)
        if vectors.ndim != 2:
            raise ValueError(f"{directory / VECTORS_FILE}: expected a 2-d array, got shape {vectors.shape}")
        return cls(meta["terms"], vectors, meta["keys"], meta["model_id"], noise=float(meta.get("noise", 0.0)))
