"""Writing the index into PostgreSQL: a build or an add is one transaction.

`sync` brings the database in line with a corpus directory (documents whose
content hash changed are replaced, new ones added, vanished ones deleted);
`write` does it for records already chunked, tokenised and embedded (the
benchmark's synthetic corpora).  Embedding happens before the transaction
opens; inside it the single qa_state row is locked (one writer at a time),
rows are bulk-loaded with COPY, document frequencies and length statistics
updated, the version bumped and NOTIFY qa_changed sent — all or nothing, so a
writer killed mid-way leaves the previous index serving.
"""
from __future__ import annotations

import hashlib
import json
import logging
import sys
import time
from collections import Counter
from dataclasses import asdict
from pathlib import Path

import numpy as np

from ...corpus.chunking import CHUNKER_VERSION, chunk_corpus
from ...corpus.documents import corpus_hash, load_corpus
from ...indexing.index_store import EMBED_TEXT_VERSION, _embed_key, embed_text, index_text
from ...indexing.tokenize import TOKENIZER_VERSION, tokenize
from . import postings
from .connect import connect, redact
from .schema import DIM, check

log = logging.getLogger(__name__)

FORMAT = "postgres-1"


def identity(model_id: str, params: dict) -> dict:
    """What the stored index must match to be extended rather than rebuilt."""
    return {"format": FORMAT, "tokenizer_version": TOKENIZER_VERSION, "chunker_version": CHUNKER_VERSION,
            "embed_text_version": EMBED_TEXT_VERSION, "model_id": model_id, "params": params}


def _doc_hash(doc) -> str:
    h = hashlib.sha256(json.dumps(asdict(doc.meta), ensure_ascii=False, sort_keys=True).encode())
    h.update(b"\0" + doc.source.encode())
    return h.hexdigest()


def vector_text(v: np.ndarray) -> str:
    """pgvector's text form; %.9g round-trips float32 exactly."""
    return "[" + ",".join(f"{x:.9g}" for x in v.tolist()) + "]"


def _copy_escape(s: str) -> str:
    return s.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def sync(url: str, corpus_dir: Path, encoder, params: dict, *, rebuild: bool = False,
         show_progress: bool = False, hook=None) -> bool:
    """Make the database mirror corpus_dir.  True if anything changed."""
    started = time.perf_counter()
    if encoder.dim != DIM:
        raise ValueError(f"the database stores {DIM}-dim vectors; this encoder gives {encoder.dim}")
    docs = load_corpus(corpus_dir)
    ident = identity(encoder.model_id, params)
    with connect(url) as conn:
        check(conn)  # an older schema gets "run: python -m qa db init", not an SQL error mid-write
        stored_ident = conn.execute("SELECT identity FROM qa_state").fetchone()[0]
        stored = dict(conn.execute("SELECT doc_id, content_hash FROM documents").fetchall())
    full = rebuild or stored_ident != ident
    hashes = {d.doc_id: _doc_hash(d) for d in docs}
    changed = [d for d in docs if full or stored.get(d.doc_id) != hashes[d.doc_id]]
    gone = set(stored) - set(hashes)
    if not changed and not gone:
        return False
    chunks = chunk_corpus(changed)
    by_id = {d.doc_id: d.meta for d in docs}
    tokens = [[sys.intern(t) for t in tokenize(index_text(c, by_id[c.doc_id]))] for c in chunks]
    texts = [embed_text(c, by_id[c.doc_id]) for c in chunks]
    keys = [_embed_key(encoder.model_id, t) for t in texts]
    vectors = np.zeros((len(chunks), encoder.dim), dtype=np.float32)
    todo = list(range(len(chunks)))
    if chunks and stored_ident and stored_ident.get("model_id") == encoder.model_id:
        with connect(url) as conn:  # the embedding cache: unchanged text keeps its vector
            cached = dict(conn.execute("SELECT embed_key, embedding::text FROM chunks WHERE embed_key = ANY(%s)",
                                       (list(set(keys)),)).fetchall())
        for i, k in enumerate(keys):
            if k in cached:
                vectors[i] = np.array(json.loads(cached[k]), dtype=np.float32)
        todo = [i for i, k in enumerate(keys) if k not in cached]
    if todo:
        log.info("embedding %d of %d chunks", len(todo), len(chunks))
        vectors[todo] = encoder.encode_passages([texts[i] for i in todo], show_progress=show_progress)
    manifest = {**ident, "corpus_hash": corpus_hash(corpus_dir), "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
                "counts": {"documents": len(docs), "dim": int(encoder.dim), "embedded": len(todo),
                           "reused": len(chunks) - len(todo)}}
    write(url, [d.meta for d in changed], {d.doc_id: hashes[d.doc_id] for d in changed}, chunks, tokens, vectors,
          keys, ident=ident, delete=None if full else sorted(gone), manifest=manifest, started=started, hook=hook)
    return True


def write(url: str, metas, hashes: dict[str, str], chunks, tokens, vectors: np.ndarray, keys, *, ident: dict,
          delete: list[str] | None, manifest: dict, started: float | None = None, hook=None) -> None:
    """One transaction: delete documents (`delete`, plus every doc in `metas`; None = all),
    insert metas/chunks/postings (term blocks), update statistics, bump the version.

    `hook(stage)` is called between stages (the crash test kills the process there)."""
    started = started or time.perf_counter()
    hook = hook or (lambda stage: None)
    with connect(url) as conn, conn.transaction():
        check(conn)
        state = conn.execute("SELECT version, n_chunks, total_len FROM qa_state FOR UPDATE").fetchone()
        version, n_chunks, total_len = state
        if delete is None:
            conn.execute("DELETE FROM term_blocks")
            conn.execute("DELETE FROM documents")  # chunks cascade
            conn.execute("DELETE FROM terms")
            n_chunks = total_len = 0
        else:
            drop = [r[0] for r in conn.execute("SELECT id FROM documents WHERE doc_id = ANY(%s)",
                                               (list(delete) + [m.doc_id for m in metas],))]
            if drop:
                ids = [r[0] for r in conn.execute("SELECT id FROM chunks WHERE doc = ANY(%s)", (drop,))]
                removed_len = conn.execute("SELECT coalesce(sum(n_tokens), 0) FROM chunks WHERE id = ANY(%s)",
                                           (ids,)).fetchone()[0]
                gone = postings.remove_chunks(conn, ids)
                if gone:
                    conn.execute("UPDATE terms t SET df = t.df - v.c FROM unnest(%s::int[], %s::int[]) AS v(id, c) "
                                 "WHERE t.id = v.id", (list(gone), list(gone.values())))
                conn.execute("DELETE FROM documents WHERE id = ANY(%s)", (drop,))
                conn.execute("DELETE FROM terms WHERE df <= 0")
                n_chunks -= len(ids)
                total_len -= int(removed_len)
        hook("deleted")
        doc_pk = {}
        for m in metas:
            doc_pk[m.doc_id] = conn.execute(
                "INSERT INTO documents (doc_id, content_hash, province, city, district, year, catalog) "
                "VALUES (%s, %s, %s, %s, %s, %s, %s) RETURNING id",
                (m.doc_id, hashes.get(m.doc_id, ""), m.province, m.city, m.district, m.year,
                 json.dumps(asdict(m), ensure_ascii=False))).fetchone()[0]
        vocab = list({t for toks in tokens for t in toks})
        if vocab:
            conn.execute("INSERT INTO terms (term, df) SELECT unnest(%s::text[]), 0 ON CONFLICT (term) DO NOTHING", (vocab,))
        term_id = dict(conn.execute("SELECT term, id FROM terms WHERE term = ANY(%s)", (vocab,)).fetchall()) if vocab else {}
        bags = [Counter(term_id[t] for t in toks) for toks in tokens]  # a chunk's term ids → tf
        with conn.cursor().copy("COPY chunks (doc, chunk_id, n, kind, heading_path, text, start_offset, end_offset, "
                                "part, parts, n_tokens, terms, embed_key, embedding) FROM STDIN") as cp:
            for c, toks, bag, k, v in zip(chunks, tokens, bags, keys, vectors):
                cp.write_row((doc_pk[c.doc_id], c.chunk_id, c.n, c.kind, list(c.heading_path), c.text, c.start,
                              c.end, c.part, c.parts, len(toks), sorted(bag), k, vector_text(v)))
        hook("chunks")
        pk = dict(conn.execute("SELECT chunk_id, id FROM chunks WHERE doc = ANY(%s)", (list(doc_pk.values()),)).fetchall())
        order = sorted(range(len(chunks)), key=lambda i: pk[chunks[i].chunk_id])
        df: Counter = Counter()
        for bag in bags:
            df.update(bag.keys())
        postings.copy_blocks(conn, version + 1, postings.blocks_for(
            [list(bags[i]) for i in order], [list(bags[i].values()) for i in order],
            [pk[chunks[i].chunk_id] for i in order]))
        hook("postings")
        if df:
            conn.execute("UPDATE terms t SET df = t.df + v.c FROM unnest(%s::int[], %s::int[]) AS v(id, c) "
                         "WHERE t.id = v.id", (list(df), list(df.values())))
            if delete is not None:  # a full build writes one block per term; adds pile them up
                postings.merge_crowded(conn, list(df))
        n_chunks += len(chunks)
        total_len += sum(map(len, tokens))
        manifest = {**manifest, "database": redact(url), "build_seconds": round(time.perf_counter() - started, 2)}
        manifest["counts"] = {**manifest.get("counts", {}), "chunks": int(n_chunks)}
        conn.execute("UPDATE qa_state SET version = %s, n_chunks = %s, total_len = %s, identity = %s, manifest = %s, "
                     "updated = now()", (version + 1, n_chunks, total_len, json.dumps(ident), json.dumps(manifest)))
        conn.execute("NOTIFY qa_changed")
        hook("commit")
    log.info("database index version %d: %d chunks written, %d in total, %.1f s",
             version + 1, len(chunks), n_chunks, time.perf_counter() - started)
