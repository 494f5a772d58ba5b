"""`Retriever`: the public search API over the persisted index.

    r = Retriever.load()
    hits = r.search("哪个区要求报告患病率不低于4.5%？", k=10, district=None, year=None, mode="hybrid")

Modes: "hybrid" (query-adaptive fusion + place steering, the default),
"bm25", "dense", and "rrf" (plain reciprocal-rank fusion, kept as the
baseline that hybrid has to beat).  Search is read-only on shared state
and safe to call from many threads.
"""
from __future__ import annotations

import functools
from dataclasses import replace
import logging
import os
import threading
import time
from pathlib import Path

import numpy as np

from .. import crosslingual
from . import fusion
from .abbrev import contraction_table, contractions
from .filters import allowed_docs
from .frames import frame_in
from .store_views import IdfView, store_crosslingual, store_names, store_vocabulary
from ..indexing import index_store
from ..store import database_url as _database_url
from ..store.embedded import EmbeddedStore
from ..corpus.documents import DEFAULT_CORPUS
from ..metadata.header import header_states
from ..places import Gazetteer, issuer_kind, short_forms
from .query import Query, analyze
from ..records import Chunk, DocMeta, Hit
from ..indexing.tokenize import tokenize, word_spans
from ..indexing.script import simplified

log = logging.getLogger(__name__)

MAX_DENSE_QUERY_CHARS = 256  # see Retriever.query_vector
DEFAULT_PARAMS = {"bm25": {"k1": 1.5, "b": 0.75, "epsilon": 0.25}, "dense_kind": "auto"}
MAX_K = 100
_CANDIDATES = 100  # per side, before fusion
# z-units for a header passage that states the header fact asked for: where a 文号 or
# a signature date is, is known; what remains is which document
HEADER_BOOST = 3.0
# z-units for a passage of a document whose issuer is the kind of unit the question asks for ("哪个县…"):
# evidence, not a filter — a question may call a county-level city a 县
KIND_BOOST = float(os.environ.get("QA_KIND_BOOST", "1.5"))
ANSWER_CONTEXT_BOOST = 0.5  # z-units for a passage matching the question's frame (qa.search.query.answer_context_patterns)
_REFRESH_SECONDS = 1.0  # how often a shared (database) store is asked whether another process changed it


class Retriever:
    MODES = ("hybrid", "bm25", "dense", "rrf")

    def __init__(self, data, encoder, *, corpus_dir: Path = DEFAULT_CORPUS):
        """`data`: a `qa.store.base.Store`, or an `index_store.IndexData` (wrapped in the embedded store)."""
        self._data = data
        self.encoder = encoder
        self.corpus_dir = Path(corpus_dir)
        self.built_now = False
        self.xling = getattr(data, "crosslingual", None) or store_crosslingual(data)
        self.xling_config = crosslingual.DEFAULT  # which English mechanisms run (eval.crosslingual varies it)
        self._qvec = functools.lru_cache(maxsize=512)(self._encode_query)
        self._refresh_lock = threading.Lock()
        self._use(EmbeddedStore(data) if isinstance(data, index_store.IndexData) else data)

    @property
    def build_id(self) -> str:
        """Which index is serving: the embedded build directory's name, or `db-v<version>` for a
        database store (its directory is a URL)."""
        where = getattr(self._store, "directory", None)
        if isinstance(where, Path):
            return where.name
        version = getattr(self._store, "version", None)
        return f"db-v{version}" if version is not None else ""

    @property
    def in_database(self) -> bool:
        return not isinstance(getattr(self._store, "directory", None), Path)

    def _use(self, store) -> None:
        self._store = store
        self.chunks: list[Chunk] = store.chunks
        self.metas: dict[str, DocMeta] = {m.doc_id: m for m in store.metas}
        self.gazetteer = Gazetteer(store.metas)
        self._row = {c.chunk_id: i for i, c in enumerate(self.chunks)}
        self._token_sets_cache: dict[int, frozenset] = {}
        # term → IDF for the cross-lingual layer and the answer code: the embedded store's dict,
        # or a view asking a database store term by term
        self._idf = getattr(store, "_idf", None) or IdfView(store)
        self.xling.names = store_names(store)
        self._vocabulary, self._contracted = store_vocabulary(store), None
        self.manifest = {k: v for k, v in store.manifest.items() if not k.startswith("_")}
        self._checked = time.monotonic()
        log.debug("retriever over %d chunks in %s", len(self.chunks), store.directory)

    def refresh(self, *, force: bool = False) -> bool:
        """Pick up another process's add or build (shared stores; at most once a second
        unless forced).  True if the index changed."""
        if not force and time.monotonic() - self._checked < _REFRESH_SECONDS:
            return False
        with self._refresh_lock:
            if not force and time.monotonic() - self._checked < _REFRESH_SECONDS:
                return False
            self._checked = time.monotonic()
            fresh = self._store.changed()
            if fresh is None:
                return False
            self._use(fresh)
            return True

    # ---------------------------------------------------------------- loading
    @classmethod
    def load(cls, index_dir: Path | str | None = None, corpus_dir: Path | str | None = None, *, encoder=None,
             rebuild: bool = False, dense_kind: str = "auto", show_progress: bool = False,
             progress=None, database_url: str | None = None, reuse_from: Path | None = None) -> "Retriever":
        """Load the index over corpus_dir, building it when missing, stale or damaged.

        `progress(stage, done, total)` and `reuse_from` are passed to the build (see index_store.build).
        With a database URL (argument or $QA_DATABASE_URL) the index lives in PostgreSQL
        (`qa.store.postgres`); the corpus is synced into it the same way.
        """
        url = _database_url(database_url)
        corpus_dir = Path(corpus_dir or os.environ.get("QA_CORPUS_DIR") or DEFAULT_CORPUS)
        if encoder is None:
            from ..embed.encoder import get_default_encoder

            encoder = get_default_encoder()
        params = {**DEFAULT_PARAMS, "dense_kind": dense_kind}
        if url is not None:
            from ..store.postgres import open_synced

            store, built = open_synced(url, corpus_dir, encoder, params, rebuild=rebuild, show_progress=show_progress)
            r = cls(store, encoder, corpus_dir=corpus_dir)
            r.built_now = built
            return r
        index_dir = Path(index_dir or os.environ.get("QA_INDEX_DIR") or index_store.DEFAULT_INDEX)
        expect = index_store.identity(corpus_dir, encoder.model_id, params)
        data, built = None, False
        if not rebuild:
            try:
                data = index_store.load(index_dir, expect=expect)
            except index_store.IndexUnusable as e:
                log.warning("%s — rebuilding the index", e)
        if data is None:
            data = index_store.build(index_dir, corpus_dir, encoder, params, show_progress=show_progress,
                                     progress=progress, reuse_from=reuse_from)
            built = True
        r = cls(data, encoder, corpus_dir=corpus_dir)
        r.built_now = built
        return r

    # ---------------------------------------------------------------- metadata
    def districts(self) -> list[str]:
        return sorted({m.district for m in self.metas.values() if m.district})

    def cities(self) -> list[str]:
        return sorted({m.city for m in self.metas.values() if m.city})

    def years(self) -> list[int]:
        return sorted({m.year for m in self.metas.values() if m.year})

    def doc(self, doc_id: str) -> DocMeta:
        return self.metas[doc_id]

    def chunk(self, chunk_id: str) -> Chunk:
        return self.chunks[self._row[chunk_id]]

    def section_chunks(self, chunk_id: str) -> list[Chunk]:
        """All parts of the section a chunk belongs to, in order (for 'show whole section')."""
        c = self.chunk(chunk_id)
        return [x for x in self.chunks if x.doc_id == c.doc_id and x.heading_path == c.heading_path and x.kind == c.kind]

    def analyze(self, text: str) -> Query:
        q = crosslingual.enrich(analyze(text, self.gazetteer), self.xling, encoder=self.encoder,
                                config=self.xling_config)
        if q.script == "zh":
            # the index's contractions of the question's words (医疗…养老…结合 → 医养结合) search and score with it
            found = contractions(q.text, word_spans(q.text), self._contraction_table())
            if found:
                q = replace(q, expansion=tuple(dict.fromkeys(q.expansion + tuple(t for t, _ in found))),
                            contracted=found)
        return q

    def _contraction_table(self):
        if self._contracted is None:
            self._contracted = contraction_table(self._vocabulary() if self._vocabulary else ())
        return self._contracted

    def _allowed(self, district, city, year) -> frozenset[str] | None:
        return allowed_docs(self.metas.values(), self.gazetteer, district, city, year)

    # ---------------------------------------------------------------- search
    def search(self, query: str, k: int = 10, district: str | None = None, year: int | None = None,
               mode: str = "hybrid", *, city: str | None = None) -> list[Hit]:
        """Ranked, cited passages.  ValueError on empty query, bad k/mode/filter."""
        if mode not in self.MODES:
            raise ValueError(f"unknown mode {mode!r}; use one of {', '.join(self.MODES)}")
        if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1:
            raise ValueError(f"k must be a positive integer, not {k!r}")
        k = min(int(k), MAX_K)
        self.refresh()
        q = self.analyze(query)
        allowed = self._allowed(district, city, year)
        if allowed is not None and not allowed:  # e.g. a district in another city: nothing to rank
            return []
        rows = self._rank(q, k, allowed, mode, steer=district is None and city is None)
        return [self._hit(i, s, sig) for i, s, sig in rows[:k]]

    def _states(self, chunk_id: str, field: str) -> bool:
        """Is `chunk_id` a header passage stating a value of `field` (a 文号, a date…)?"""
        c = self.chunks[self._row[chunk_id]]
        return c.kind == "header" and header_states(field, c.text)

    def _selector_terms(self, doc_ids) -> frozenset:
        """Tokens every chunk of these documents carries in its index text (place, title).

        They select the document but cannot tell its chunks apart; left in the
        query they only favour the chunk that repeats them — the header.
        """
        out: set[str] = set()
        for d in doc_ids:
            m = self.metas[d]
            for text in (m.title, m.district, m.city, m.province, *short_forms(m.district), *short_forms(m.city)):
                if text:
                    out.update(tokenize(text))
        return frozenset(out)

    def _bm25_side(self, q: Query, allowed, *, steer_docs=frozenset(), groups=()):
        terms = tokenize(q.text)
        if steer_docs:
            selectors = self._selector_terms(steer_docs)
            for p in q.places:
                selectors |= set(tokenize(p.surface))
            # only the question's own words: a translated English question has too few to spare
            terms = [t for t in terms if t not in selectors] or terms
        grouped = crosslingual.group_terms(groups)
        flat = [t for t in q.expansion if t not in grouped]  # the glossary's; grouped terms score per group
        if flat:
            terms += tokenize(" ".join(flat))
        res = self._store.bm25(terms, _CANDIDATES, allowed, groups=groups)
        return terms, res, [i for i, _ in res.top]

    def _dense_side(self, q: Query, allowed):
        qv = self.query_vector(q.text)
        hits = self._store.dense_top(qv, _CANDIDATES, allowed)
        return qv, [i for i, _ in hits], dict(hits)

    def _coverage(self, terms: list[str], row: int) -> float:
        """IDF-weighted share of the query's distinct terms present in chunk `row`."""
        uniq = set(terms)
        if not uniq:
            return 0.0
        have = self._token_set(row)
        idf = self._store.idf(uniq)
        total = sum(max(idf.get(t, 0.0), 0.0) for t in uniq)
        if total <= 0:
            return 0.0
        return sum(max(idf.get(t, 0.0), 0.0) for t in uniq if t in have) / total

    def _token_set(self, row: int) -> frozenset:
        s = self._token_sets_cache.get(row)
        if s is None:
            s = self._store.token_set(row)
            if len(self._token_sets_cache) < 4096:
                self._token_sets_cache[row] = s
        return s

    def _rank(self, q: Query, k: int, allowed, mode: str, *, steer: bool):
        cid = lambda i: self.chunks[i].chunk_id  # noqa: E731 — ids for the pure fusion functions
        groups, dense_first = q.xling, None
        if q.script != "zh" and self.xling_config.prf and mode in ("hybrid", "rrf"):
            # cross-lingual feedback: the dense side read the English; its best passages' Chinese terms go to BM25
            dense_first = self._dense_side(q, allowed)
            fb = [tokenize(self.chunks[i].text) for i in dense_first[1][: self.xling_config.prf_docs]]
            groups = groups + crosslingual.feedback_groups(fb, self._idf, config=self.xling_config)
        steer_docs = q.place_doc_ids if (steer and mode == "hybrid") else frozenset()
        terms, bm25_res, bm25_top = (self._bm25_side(q, allowed, steer_docs=steer_docs, groups=groups)
                                     if mode != "dense" else ([], None, []))
        if mode == "bm25":
            return [(i, s, {"bm25": s, "bm25_rank": r + 1}) for r, (i, s) in enumerate(bm25_res.top)]
        qv, dense_top, cos = dense_first or self._dense_side(q, allowed)
        if mode == "dense":
            return [(i, cos[i], {"dense": cos[i], "dense_rank": r + 1}) for r, i in enumerate(dense_top)]

        cand = list(dict.fromkeys(dense_top + bm25_top))
        missing = [i for i in cand if i not in cos]
        if missing:
            cos.update(zip(missing, self._store.dense_scores(qv, missing)))
        bm25_scores = bm25_res.scores_for(cand)
        bm25_rank = {i: r + 1 for r, i in enumerate(bm25_top)}
        dense_rank = {i: r + 1 for r, i in enumerate(dense_top)}
        framed: set[str] = set()
        if mode == "rrf":
            fused = fusion.rrf([[cid(i) for i in bm25_top], [cid(i) for i in dense_top]])
            weights = (1.0, 1.0)
        else:
            cov = self._coverage(terms, bm25_top[0]) if bm25_top else 0.0
            if groups and bm25_top:  # English: how much of what the question asks for the best chunk holds
                cov = max(cov, crosslingual.group_coverage(groups, self._token_set(bm25_top[0]), self._idf))
            exact = bool(bm25_top) and any(
                any(ch.isdigit() for ch in t) and t in self._token_set(bm25_top[0]) for t in set(terms))
            sig = fusion.QuerySignals(q.script, q.en_coverage, cov, exact)
            weights = fusion.adaptive_weights(sig)
            b_mean, b_std = bm25_res.mean, bm25_res.std
            d_mean, d_std = self._dense_stats(qv, allowed)
            b = fusion.z_normalize({cid(i): float(bm25_scores[i]) for i in cand}, mean=b_mean, std=b_std)
            d = fusion.z_normalize({cid(i): cos[i] for i in cand}, mean=d_mean, std=d_std)
            fused = fusion.combine([(weights[0], b), (weights[1], d)])
            framed = self._answer_context(q, cand)
            fused = {c: s + (ANSWER_CONTEXT_BOOST if c in framed else 0.0) for c, s in fused.items()}
            kind_docs = self._kind_docs(q.asked_kinds) if not steer_docs else frozenset()
            if kind_docs:
                fused = {c: s + (KIND_BOOST if self.chunks[self._row[c]].doc_id in kind_docs else 0.0)
                         for c, s in fused.items()}
            if q.header_field:  # 文号, 印发日期, 签发人, 发文机关 are stated in the header passage
                fused = {c: s + (HEADER_BOOST if self._states(c, q.header_field) else 0.0) for c, s in fused.items()}
        ranked = fusion.rank(fused)
        if steer_docs:  # a question naming a place is about that place's document(s)
            ranked = fusion.steer(ranked, lambda c: self.chunks[self._row[c]].doc_id in steer_docs)
        out = []
        for chunk_id, score in ranked:
            i = self._row[chunk_id]
            out.append((i, float(score), {
                "bm25": float(bm25_scores[i]), "bm25_rank": bm25_rank.get(i), "dense": cos.get(i),
                "dense_rank": dense_rank.get(i), "w_bm25": round(weights[0], 3), "w_dense": round(weights[1], 3),
                "steered": bool(steer_docs) and self.chunks[i].doc_id in steer_docs,
                "framed": chunk_id in framed if mode == "hybrid" else False,
            }))
        return out

    def _kind_docs(self, kinds: frozenset[str]) -> frozenset[str]:
        """Documents whose issuer is of one of `kinds`; empty when that tells no document apart."""
        if not kinds:
            return frozenset()
        docs = frozenset(d for d, m in self.metas.items() if issuer_kind(m.district, m.city) in kinds)
        return docs if len(docs) < len(self.metas) else frozenset()

    def _answer_context(self, q: Query, rows) -> set[str]:
        """Chunk ids among rows whose text matches one of the question's answer frames."""
        if not q.answer_patterns:
            return set()
        return {self.chunks[i].chunk_id for i in rows if frame_in(q.answer_patterns, self.chunks[i].text)}

    def _dense_stats(self, qv: np.ndarray, allowed) -> tuple[float, float]:
        """Mean/std of the query's cosine over the collection, from a fixed sample (see the store)."""
        return self._store.dense_stats(qv, allowed)

    def dense_scores(self, qv: np.ndarray, rows: list[int]) -> list[float]:
        """Exact cosine of the query with the given rows."""
        return self._store.dense_scores(qv, rows)

    def _hit(self, row: int, score: float, signals: dict) -> Hit:
        c = self.chunks[row]
        m = self.metas[c.doc_id]
        return Hit(chunk_id=c.chunk_id, doc_id=c.doc_id, text=c.text, score=round(score, 6), section=c.section,
                   district=m.district, city=m.city, province=m.province, title=m.title, year=m.year,
                   start=c.start, end=c.end, signals=signals)

    # ---------------------------------------------------------------- abstention
    def query_vector(self, text: str) -> np.ndarray:
        """The question's embedding (cached: the UI and should_abstain ask again).

        Only the first MAX_DENSE_QUERY_CHARS characters are embedded: the encoder runs one
        query at a time, so a pasted 1000-character question held every other question up for
        its whole 512-token pass (a normal question waited 2.6 s behind pasted ones). Real
        questions are far shorter; BM25 still sees all of a long one.
        """
        return self._qvec(simplified(text[:MAX_DENSE_QUERY_CHARS]))

    def clear_cache(self) -> None:
        """Forget cached query embeddings (benchmarks time the embedding too)."""
        self._qvec.cache_clear()
        self.xling.clear_cache()

    def _encode_query(self, text: str) -> np.ndarray:
        v = self.encoder.encode_queries([text])[0]
        v.flags.writeable = False
        return v

    def should_abstain(self, query: str | Query, hits: list[Hit]) -> bool:
        """True when the documents do not seem to answer the question (see qa.answering.abstain)."""
        from ..answering.abstain import should_abstain

        q = query if isinstance(query, Query) else self.analyze(query)
        return should_abstain(self, q, hits)
