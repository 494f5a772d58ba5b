"""The database schema, versioned; `python -m qa db init` creates or migrates it.

Tables (PostgreSQL ≥ 13 with the pgvector extension ≥ 0.5):
    qa_schema   the schema version (one row)
    qa_state    one row: index version (bumped by every build/add), chunk count, total
                token count (BM25's avgdl), the identity the index was built with
                (tokenizer, chunker, model, parameters) and a manifest for `qa build`
    documents   one row per catalogue entry: filter fields as columns, the whole
                catalogue entry (DocMeta) as jsonb, and a content hash for incremental sync
    chunks      text, heading path, offsets, token count, embedding vector(384)
    terms       BM25 vocabulary with document frequencies
    term_blocks BM25 postings (term, chunk → tf), one packed block per term per write
                (postings.py says why); BM25's saturated tf weight is computed at query
                time from tf and the chunk's length, so an add (which moves avgdl)
                rewrites no postings.  `chunks.terms` lists a chunk's term ids (deletes,
                coverage).  Version 1–2 kept a row per posting in `postings`.

Migrations only ever append: MIGRATIONS[v] takes a database from v-1 to v.
"""
from __future__ import annotations

import logging

log = logging.getLogger(__name__)

DIM = 384  # multilingual-e5-small; the vector column is typed with it (HNSW needs a fixed dimension)

MIGRATIONS: dict[int, list[str]] = {
    1: [
        "CREATE EXTENSION IF NOT EXISTS vector",
        """CREATE TABLE qa_state (
             id int PRIMARY KEY CHECK (id = 1),
             version bigint NOT NULL,
             n_chunks bigint NOT NULL,
             total_len bigint NOT NULL,
             identity jsonb,
             manifest jsonb,
             updated timestamptz NOT NULL DEFAULT now())""",
        "INSERT INTO qa_state (id, version, n_chunks, total_len) VALUES (1, 0, 0, 0)",
        """CREATE TABLE documents (
             id serial PRIMARY KEY,
             doc_id text NOT NULL UNIQUE,
             content_hash text NOT NULL,
             province text NOT NULL DEFAULT '',
             city text NOT NULL DEFAULT '',
             district text NOT NULL DEFAULT '',
             year int,
             catalog jsonb NOT NULL)""",
        f"""CREATE TABLE chunks (
             id serial PRIMARY KEY,
             doc int NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
             chunk_id text NOT NULL UNIQUE,
             n int NOT NULL,
             kind text NOT NULL,
             heading_path text[] NOT NULL,
             text text NOT NULL,
             start_offset int NOT NULL,
             end_offset int NOT NULL,
             part int NOT NULL,
             parts int NOT NULL,
             n_tokens int NOT NULL,
             embed_key text NOT NULL,
             embedding vector({DIM}) NOT NULL)""",
        "CREATE INDEX chunks_doc ON chunks (doc)",
        "CREATE INDEX chunks_embed_key ON chunks (embed_key)",
        "CREATE TABLE terms (id serial PRIMARY KEY, term text NOT NULL UNIQUE, df int NOT NULL)",
        """CREATE TABLE postings (
             term int NOT NULL,
             chunk int NOT NULL,
             doc int NOT NULL,
             tf int NOT NULL,
             dl int NOT NULL,
             PRIMARY KEY (term, chunk) INCLUDE (doc, tf, dl))""",
        "CREATE INDEX postings_chunk ON postings (chunk)",
    ],
    # 2: approximate nearest neighbours; exact search (a sequential scan) before it
    2: [
        "CREATE INDEX chunks_embedding_hnsw ON chunks USING hnsw (embedding vector_ip_ops) "
        "WITH (m = 16, ef_construction = 64)",
    ],
    # 3: postings packed per term (a row per posting made BM25 cost 290 ms a question at 100k chunks)
    3: [
        """CREATE TABLE term_blocks (
             term int NOT NULL,
             block bigint NOT NULL,
             n int NOT NULL,
             chunks bytea NOT NULL,
             tfs bytea NOT NULL,
             PRIMARY KEY (term, block))""",
        # EXTERNAL: out of line, uncompressed — packed ids barely compress and pglz costs reads
        "ALTER TABLE term_blocks ALTER COLUMN chunks SET STORAGE EXTERNAL, ALTER COLUMN tfs SET STORAGE EXTERNAL",
        "INSERT INTO term_blocks SELECT term, 0, count(*), string_agg(int4send(chunk), ''::bytea ORDER BY chunk), "
        "string_agg(int4send(tf), ''::bytea ORDER BY chunk) FROM postings GROUP BY term",
        "ALTER TABLE chunks ADD COLUMN terms int[] NOT NULL DEFAULT '{}'",
        "UPDATE chunks c SET terms = p.t FROM (SELECT chunk, array_agg(term ORDER BY term) AS t FROM postings "
        "GROUP BY chunk) p WHERE c.id = p.chunk",
        "ALTER TABLE chunks ALTER COLUMN terms DROP DEFAULT",
        "DROP TABLE postings",
    ],
}
SCHEMA_VERSION = max(MIGRATIONS)


class SchemaError(RuntimeError):
    """The database schema is missing, older or newer than this code; the message says what to run."""


def current_version(conn) -> int:
    """0 for an empty database."""
    if conn.execute("SELECT to_regclass('qa_schema')").fetchone()[0] is None:
        return 0
    return conn.execute("SELECT version FROM qa_schema").fetchone()[0]


def check(conn) -> None:
    v = current_version(conn)
    if v == 0:
        raise SchemaError("the database has no qa schema; run: python -m qa db init")
    if v < SCHEMA_VERSION:
        raise SchemaError(f"the database schema is version {v}, this code needs {SCHEMA_VERSION}; "
                          "run: python -m qa db init")
    if v > SCHEMA_VERSION:
        raise SchemaError(f"the database schema is version {v}, newer than this code ({SCHEMA_VERSION}); upgrade the app")


def init(conn, *, target: int = SCHEMA_VERSION) -> tuple[int, int]:
    """Create or migrate the schema up to `target`, each step in its own transaction.
    Returns (version before, version after).  Safe to run concurrently (advisory lock)."""
    if target > SCHEMA_VERSION:
        raise SchemaError(f"no schema version {target}; the newest is {SCHEMA_VERSION}")
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(hashtext('qa_schema'))")
        before = current_version(conn)
    if before > SCHEMA_VERSION:
        raise SchemaError(f"the database schema is version {before}, newer than this code ({SCHEMA_VERSION})")
    v = before
    while v < target:
        with conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(hashtext('qa_schema'))")
            v = current_version(conn)  # another process may have migrated meanwhile
            if v >= target:
                break
            if v == 0:
                conn.execute("CREATE TABLE qa_schema (version int NOT NULL)")
                conn.execute("INSERT INTO qa_schema VALUES (0)")
            for sql in MIGRATIONS[v + 1]:
                conn.execute(sql)
            conn.execute("UPDATE qa_schema SET version = %s", (v + 1,))
            log.info("database schema migrated %d → %d", v, v + 1)
            v += 1
    return before, v
