"""The PostgreSQL store: BM25 and vector top-N from SQL, the rest as embedded.

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
from ..base import BM25Top
from ..embedded import STATS_SAMPLE
from .connect import connect, redact
from .schema import check
from .writer import vector_text

log = logging.getLogger(__name__)

_TERM_CACHE = 200_000  # terms remembered per snapshot

# rank_bm25's BM25Okapi with the epsilon floor (see qa.indexing.bm25), per posting of a query term
_TERM = "q.w * (p.tf * %(k1p1)s / (p.tf + %(k1)s * (1 - %(b)s + %(b)s * p.dl / %(avgdl)s)))"
# grp 0: plain terms, summed; grp > 0: one cross-lingual group (qa.crosslingual), worth its best
# alternative — the same structured query the embedded store scores (crosslingual.grouped_scores)
_GROUPED = f"""
q(term, w, grp) AS (SELECT * FROM unnest(%(terms)s::int[], %(weights)s::float8[], %(grps)s::int[])),
t AS (SELECT p.chunk, q.grp, {_TERM} AS ts FROM postings p JOIN q ON p.term = q.term {{where}}),
g AS (SELECT chunk, CASE WHEN grp = 0 THEN sum(ts) ELSE max(ts) END AS gs FROM t GROUP BY chunk, grp)"""
_BM25_TOP = f"""
WITH {_GROUPED},
s AS MATERIALIZED (SELECT chunk, sum(gs) AS score FROM g GROUP BY chunk)
(SELECT chunk, score, NULL::float8 AS sq FROM s ORDER BY score DESC, chunk LIMIT %(n)s)
UNION ALL
SELECT NULL, coalesce(sum(score), 0), coalesce(sum(score * score), 0) FROM s
"""
_BM25_ROWS = f"""
WITH {_GROUPED.replace("{where}", "WHERE p.chunk = ANY(%(chunks)s)")}
SELECT chunk, sum(gs) FROM g GROUP BY chunk
"""


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
                                "part, parts FROM chunks ORDER BY id").fetchall()
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

    def _params(self, tids, weights, **kw) -> dict:
        return {"terms": tids, "weights": weights, "k1": self.k1, "k1p1": self.k1 + 1, "b": self.b,
                "avgdl": self.avgdl, **kw}

    def bm25(self, terms: list[str], n: int, allowed: frozenset[str] | None, *, groups=()) -> BM25Top:
        tids, weights, idf = self._term_weights(list(terms) + [t for g in groups for t, _ in g.terms])
        plain = Counter(terms)
        ids = dict(zip([t for t in dict.fromkeys(list(terms) + [t for g in groups for t, _ in g.terms]) if t in idf],
                       tids))
        tids, weights, grps = [], [], []
        for t, c in plain.items():
            if t in ids:
                tids.append(ids[t]), weights.append(idf[t] * c), grps.append(0)
        for k, g in enumerate(groups, start=1):
            for t, w in g.terms:
                if t in ids:
                    tids.append(ids[t]), weights.append(g.weight * w * idf[t]), grps.append(k)
        if not tids:
            return BM25Top([], 0.0, 0.0, lambda rows: {})
        where, extra = "", {}
        if allowed is not None:
            where, extra = "WHERE p.doc = ANY(%(docs)s)", {"docs": self._docs(allowed)}
        res = self._pool.get().execute(_BM25_TOP.format(where=where),
                                       self._params(tids, weights, n=n, grps=grps, **extra)).fetchall()
        total, sq = next((r[1], r[2]) for r in res if r[0] is None)
        top = self._rows((r[0], r[1]) for r in res if r[0] is not None and r[1] > 0)
        top.sort(key=lambda kv: (-kv[1], self.chunks[kv[0]].chunk_id))
        count = len(self.chunks) if allowed is None else sum(len(self._doc_rows.get(d, ())) for d in allowed)
        mean = total / count if count else 0.0
        std = math.sqrt(max(sq / count - mean * mean, 0.0)) if count else 0.0

        def score_rows(rows):
            pks = [int(self._pk[i]) for i in rows]
            got = self._pool.get().execute(_BM25_ROWS, self._params(tids, weights, chunks=pks, grps=grps)).fetchall()
            return dict(self._rows(got))
        return BM25Top(top, mean, std, score_rows)

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
        got = self._pool.get().execute("SELECT t.term FROM postings p JOIN terms t ON t.id = p.term WHERE p.chunk = %s",
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
