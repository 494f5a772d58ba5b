"""The PostgreSQL store: BM25 postings and vector top-N from SQL, the rest as embedded.

BM25: the query's terms' posting blocks come from SQL (postings.py says why not a
row per posting); the app scores them with the embedded index's arithmetic, so
top-N, scores and the collection statistics fusion needs are the embedded store's.

A `PgStore` is a snapshot: the catalogue and chunk records of one index version,
read in one transaction (rows = chunks in insertion order, so a full build has
the embedded store's row order).  Queries run against the live tables through
one connection per thread; `changed()` compares the version (the retriever
asks at most once a second) and returns a fresh snapshot after another
process's build or add.  Between the other process's commit and that check,
a query can see new rows the snapshot lacks: they are skipped.
"""
from __future__ import annotations

import json
import logging
import math
import threading
from collections import Counter
from collections.abc import Iterable, Sequence

import numpy as np

from ...records import Chunk, DocMeta
from ..base import BM25Top, top_of
from ..embedded import STATS_SAMPLE
from .connect import connect, redact
from .postings import unpack
from .schema import check
from .writer import vector_text

log = logging.getLogger(__name__)

_TERM_CACHE = 200_000  # terms remembered per snapshot

class PgStore:
    def __init__(self, url: str, *, _pool=None):
        self.url = url
        self.directory = redact(url)
        self._pool = _pool or _ConnPool(url)
        conn = self._pool.get()
        check(conn)
        with conn.transaction():
            conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
            (self.version, self.n, total_len, ident, manifest) = conn.execute(
                "SELECT version, n_chunks, total_len, identity, manifest FROM qa_state").fetchone()
            docs = conn.execute("SELECT id, doc_id, catalog FROM documents ORDER BY id").fetchall()
            rows = conn.execute("SELECT id, doc, chunk_id, n, kind, heading_path, text, start_offset, end_offset, "
                                "part, parts, n_tokens FROM chunks ORDER BY id").fetchall()
            n_terms, idf_sum = conn.execute(
                "SELECT count(*), coalesce(sum(ln(%s - df + 0.5) - ln(df + 0.5)), 0) FROM terms",
                (float(self.n),)).fetchone()
            self.metas = [DocMeta(**d[2]) for d in docs]
            doc_id_of = {d[0]: d[1] for d in docs}
            self._doc_pk = {d[1]: d[0] for d in docs}
            self.chunks = [Chunk(chunk_id=r[2], doc_id=doc_id_of[r[1]], n=r[3], kind=r[4], heading_path=tuple(r[5]),
                                 text=r[6], start=r[7], end=r[8], part=r[9], parts=r[10]) for r in rows]
            self._pk = np.array([r[0] for r in rows], dtype=np.int64)
            self._row_of = {int(pk): i for i, pk in enumerate(self._pk)}
            # pk → row as an array (-1: not in this snapshot), and each row's token count (BM25's dl)
            self._row_at = np.full(int(self._pk.max()) + 1 if len(rows) else 0, -1, dtype=np.int64)
            self._row_at[self._pk] = np.arange(len(rows))
            self._dl = np.array([r[11] for r in rows], dtype=np.int64)
            sample = self._sample_rows(np.arange(len(rows)))
            vecs = conn.execute("SELECT embedding::text FROM chunks WHERE id = ANY(%s) ORDER BY id",
                                (self._pk[sample].tolist(),)).fetchall()
        self._sample = np.array([json.loads(v[0]) for v in vecs], dtype=np.float32).reshape(len(vecs), -1)
        ident = ident or {}
        bm25 = (ident.get("params") or {}).get("bm25") or {"k1": 1.5, "b": 0.75, "epsilon": 0.25}
        self.k1, self.b, self.epsilon = float(bm25["k1"]), float(bm25["b"]), float(bm25["epsilon"])
        self.avgdl = total_len / self.n if self.n else 1.0
        self.average_idf = float(idf_sum) / n_terms if n_terms else 0.0
        self.manifest = {**(manifest or {}), "version": self.version}
        self._terms: dict[str, tuple[int, int] | None] = {}  # term → (id, df), None = not in the vocabulary
        self._chunk_ids = [c.chunk_id for c in self.chunks]
        rows_by_doc: dict[str, list[int]] = {m.doc_id: [] for m in self.metas}
        for i, c in enumerate(self.chunks):
            rows_by_doc[c.doc_id].append(i)
        self._doc_rows = {d: np.array(r, dtype=np.int64) for d, r in rows_by_doc.items()}
        log.debug("database index version %d: %d documents, %d chunks", self.version, len(self.metas), len(self.chunks))

    @staticmethod
    def _sample_rows(rows: np.ndarray) -> np.ndarray:
        # the embedded store's sample: every ceil(n/4096)-th row
        return rows[:: math.ceil(len(rows) / STATS_SAMPLE)] if len(rows) > STATS_SAMPLE else rows

    def changed(self) -> "PgStore | None":
        v = self._pool.get().execute("SELECT version FROM qa_state").fetchone()[0]
        return PgStore(self.url, _pool=self._pool) if v != self.version else None

    def close(self) -> None:
        self._pool.close()

    def _rows(self, pairs) -> list[tuple[int, float]]:
        """(chunk pk, value) → (row, value), skipping chunks newer than this snapshot."""
        out = []
        for pk, v in pairs:
            i = self._row_of.get(pk)
            if i is not None:
                out.append((i, float(v)))
        return out

    def _docs(self, allowed: frozenset[str]) -> list[int]:
        return [self._doc_pk[d] for d in allowed if d in self._doc_pk]

    # ---------------------------------------------------------------- BM25
    def _term_weights(self, terms: list[str]) -> tuple[list[int], list[float], dict[str, float]]:
        counts = Counter(terms)
        missing = [t for t in counts if t not in self._terms]
        if missing:  # per snapshot: df as of this version, like N and avgdl
            got = {t: (i, df) for i, t, df in self._pool.get().execute(
                "SELECT id, term, df FROM terms WHERE term = ANY(%s)", (missing,)).fetchall()}
            if len(self._terms) < _TERM_CACHE:
                self._terms.update({t: got.get(t) for t in missing})
        else:
            got = {}
        found = [(e[0], t, e[1]) for t in counts for e in [self._terms.get(t) or got.get(t)] if e is not None]
        idf = {}
        for _, term, df in found:
            raw = math.log(self.n - df + 0.5) - math.log(df + 0.5)
            idf[term] = self.epsilon * self.average_idf if raw < 0 else raw
        return [r[0] for r in found], [idf[r[1]] * counts[r[1]] for r in found], idf

    def _mask(self, allowed: frozenset[str] | None) -> np.ndarray | None:
        if allowed is None:
            return None
        mask = np.zeros(len(self.chunks), dtype=bool)
        for d in allowed:
            mask[self._doc_rows.get(d, [])] = True
        return mask

    def _postings(self, term_ids: dict[str, int], idf: dict[str, float]) -> "_Postings":
        """The query terms' postings from SQL, weighted as qa.indexing.bm25 weights them."""
        got: dict[int, list] = {}
        if term_ids:
            for tid, chunks, tfs in self._pool.get().execute(
                    "SELECT term, chunks, tfs FROM term_blocks WHERE term = ANY(%s) ORDER BY term, block",
                    (list(term_ids.values()),), binary=True).fetchall():
                got.setdefault(tid, []).append((chunks, tfs))
        lists = {}
        for term, tid in term_ids.items():
            blocks = got.get(tid, [])
            pks = np.concatenate([unpack(c) for c, _ in blocks]) if blocks else np.zeros(0, np.int64)
            tf = np.concatenate([unpack(f) for _, f in blocks]).astype(np.float64) if blocks else np.zeros(0)
            inside = pks < len(self._row_at)
            rows = self._row_at[pks[inside]]
            live = rows >= 0  # chunks another process added after this snapshot are skipped
            rows, tf = rows[live], tf[inside][live]
            dl = self._dl[rows]
            k1, b = self.k1, self.b
            part = tf * (k1 + 1) / (tf + k1 * (1 - b + b * dl / self.avgdl))  # = BM25Index._term_weights
            lists[term] = (rows, idf[term] * part)
        return _Postings(lists, len(self.chunks))

    def bm25(self, terms: list[str], n: int, allowed: frozenset[str] | None, *, groups=()) -> BM25Top:
        wanted = list(dict.fromkeys(list(terms) + [t for g in groups for t, _ in g.terms]))
        tids, _, idf = self._term_weights(wanted)
        present = [t for t in wanted if t in idf]
        post = self._postings(dict(zip(present, tids)), idf)
        scores = post.scores(terms)
        if groups:  # English: each group worth its best alternative, as the embedded store scores it
            from ...crosslingual import grouped_scores

            scores = scores + grouped_scores(post, groups)
        return top_of(scores, n, self._mask(allowed), self._chunk_ids)

    def vocabulary_idf(self) -> dict[str, float]:
        """term → IDF over the whole vocabulary (for the cross-lingual lexicon, built at load)."""
        out = {}
        for term, df in self._pool.get().execute("SELECT term, df FROM terms").fetchall():
            raw = math.log(self.n - df + 0.5) - math.log(df + 0.5)
            out[term] = self.epsilon * self.average_idf if raw < 0 else raw
        return out

    def idf(self, terms: Iterable[str]) -> dict[str, float]:
        terms = list(terms)
        return self._term_weights(terms)[2] if terms else {}

    def token_set(self, row: int) -> frozenset[str]:
        got = self._pool.get().execute("SELECT t.term FROM chunks c JOIN terms t ON t.id = ANY(c.terms) WHERE c.id = %s",
                                       (int(self._pk[row]),)).fetchall()
        return frozenset(r[0] for r in got)

    # ---------------------------------------------------------------- dense
    def dense_top(self, qv, n: int, allowed: frozenset[str] | None) -> list[tuple[int, float]]:
        v = vector_text(np.asarray(qv, dtype=np.float32).ravel())
        if allowed is None:  # the HNSW index (approximate; hnsw.ef_search in connect.py)
            got = self._pool.get().execute(
                "SELECT id, -(embedding <#> %(v)s::vector) FROM chunks ORDER BY embedding <#> %(v)s::vector LIMIT %(n)s",
                {"v": v, "n": n}).fetchall()
        else:  # a filter: exact over the allowed documents (+ 0 keeps the planner off the HNSW index)
            got = self._pool.get().execute(
                "SELECT id, -(embedding <#> %(v)s::vector) AS cos FROM chunks WHERE doc = ANY(%(docs)s) "
                "ORDER BY (embedding <#> %(v)s::vector) + 0, id LIMIT %(n)s",
                {"v": v, "n": n, "docs": self._docs(allowed)}).fetchall()
        return self._rows(got)

    def dense_scores(self, qv, rows: Sequence[int]) -> list[float]:
        if len(rows) == 0:
            return []
        v = vector_text(np.asarray(qv, dtype=np.float32).ravel())
        got = dict(self._pool.get().execute("SELECT id, -(embedding <#> %s::vector) FROM chunks WHERE id = ANY(%s)",
                                            (v, [int(self._pk[i]) for i in rows])).fetchall())
        return [float(got.get(int(self._pk[i]), 0.0)) for i in rows]

    def dense_stats(self, qv, allowed: frozenset[str] | None) -> tuple[float, float]:
        if allowed is None:
            if not len(self._sample):
                return 0.0, 0.0
            sc = self._sample @ np.asarray(qv, dtype=np.float32).ravel()
        else:
            rows = np.sort(np.concatenate([self._doc_rows.get(d, np.zeros(0, np.int64)) for d in allowed] or
                                          [np.zeros(0, np.int64)]))
            if not len(rows):
                return 0.0, 0.0
            sc = np.array(self.dense_scores(qv, self._sample_rows(rows).tolist()), dtype=np.float32)
        return float(sc.mean()), float(sc.std())


class _Postings:
    """One query's postings with the interface of qa.indexing.bm25.BM25Index that scoring uses."""

    def __init__(self, lists: dict[str, tuple[np.ndarray, np.ndarray]], n: int):
        self.vocab, self._n = lists, n

    def __len__(self) -> int:
        return self._n

    def scores(self, query_tokens) -> np.ndarray:
        out = np.zeros(self._n)
        for tok in query_tokens:  # repeated tokens count repeatedly, as in BM25Index.scores
            got = self.vocab.get(tok)
            if got is not None:
                out[got[0]] += got[1]
        return out


class _ConnPool:
    """One connection per thread (psycopg connections are not for concurrent use)."""

    def __init__(self, url: str):
        self.url = url
        self._local = threading.local()
        self._all: list = []
        self._lock = threading.Lock()

    def get(self):
        conn = getattr(self._local, "conn", None)
        if conn is None or conn.closed:
            conn = connect(self.url)
            self._local.conn = conn
            with self._lock:
                self._all.append(conn)
        return conn

    def close(self) -> None:
        with self._lock:
            for c in self._all:
                c.close()
            self._all.clear()
