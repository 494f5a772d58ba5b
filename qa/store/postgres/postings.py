"""BM25 postings as per-term blocks: `term_blocks (term, block, n, chunks, tfs)`.

Why blocks and not a row per (term, chunk): a query reads every posting of its
terms (the z-scores in fusion need the score of every chunk), and PostgreSQL's
executor spends ~1 µs a row joining and aggregating them — 290 ms a question at
100k chunks.  A block holds one term's postings from one write as two packed
arrays (chunk ids and term frequencies, big-endian int32, the bytes of
`int4send`), stored uncompressed out of line; a query fetches a handful of rows
by primary key and the app does the arithmetic in numpy, the same arithmetic as
the embedded store (qa.indexing.bm25), so scores are identical.

Writes append a block per term (an add rewrites nothing); a delete rewrites the
blocks of the deleted chunks' terms (`chunks.terms` lists them); a term whose
blocks pile up past MAX_BLOCKS is merged into one.  All of it runs inside the
writer's transaction.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np

BE = np.dtype(">i4")  # int4send's byte order, so SQL (string_agg(int4send(..))) and numpy agree
MAX_BLOCKS = 16  # per term; more are merged at the end of a write


def pack(a: np.ndarray) -> bytes:
    return np.ascontiguousarray(a, dtype=BE).tobytes()


def unpack(b: bytes) -> np.ndarray:
    return np.frombuffer(b, dtype=BE).astype(np.int64)


def blocks_for(term_ids: Sequence[Sequence[int]], tfs: Sequence[Sequence[int]], pks: Sequence[int]):
    """(term, n, chunk ids, tfs) per term, from each new chunk's distinct term ids and their tfs.

    Chunk ids within a block are ascending (chunks are given in pk order)."""
    counts = np.fromiter(map(len, term_ids), dtype=np.int64, count=len(term_ids))
    terms = np.fromiter((t for ts in term_ids for t in ts), dtype=np.int64, count=int(counts.sum()))
    freqs = np.fromiter((f for fs in tfs for f in fs), dtype=np.int64, count=len(terms))
    chunks = np.repeat(np.asarray(pks, dtype=np.int64), counts)
    order = np.lexsort((chunks, terms))
    terms, chunks, freqs = terms[order], chunks[order], freqs[order]
    cut = np.flatnonzero(np.diff(terms)) + 1
    starts = np.concatenate([[0], cut]) if len(terms) else np.zeros(0, np.int64)
    ends = np.concatenate([cut, [len(terms)]]) if len(terms) else np.zeros(0, np.int64)
    for lo, hi in zip(starts.tolist(), ends.tolist()):
        yield int(terms[lo]), hi - lo, chunks[lo:hi], freqs[lo:hi]


def copy_blocks(conn, block: int, rows: Iterable[tuple[int, int, np.ndarray, np.ndarray]]) -> int:
    """COPY (term, n, chunks, tfs) rows in as block `block`; returns the number of postings."""
    total = 0
    with conn.cursor().copy("COPY term_blocks (term, block, n, chunks, tfs) FROM STDIN (FORMAT BINARY)") as cp:
        cp.set_types(["int4", "int8", "int4", "bytea", "bytea"])
        for term, n, chunks, tfs in rows:
            cp.write_row((term, block, n, pack(chunks), pack(tfs)))
            total += n
    return total


def remove_chunks(conn, dead: Sequence[int]) -> dict[int, int]:
    """Drop the postings of the chunks `dead` (pks) from every block of their terms.
    Returns term → how many of its postings went (the df decrement)."""
    if not len(dead):
        return {}
    terms = sorted({t for (ts,) in conn.execute("SELECT terms FROM chunks WHERE id = ANY(%s)", (list(dead),))
                    for t in ts})
    if not terms:
        return {}
    dead_arr = np.asarray(sorted(dead), dtype=np.int64)
    got = conn.execute("SELECT term, block, chunks, tfs FROM term_blocks WHERE term = ANY(%s)", (terms,),
                       binary=True).fetchall()
    removed: dict[int, int] = {}
    keep = []
    for term, block, chunks, tfs in got:
        c, f = unpack(chunks), unpack(tfs)
        live = ~np.isin(c, dead_arr, assume_unique=False)
        gone = int(len(c) - live.sum())
        if gone:
            removed[term] = removed.get(term, 0) + gone
            keep.append((term, block, c[live], f[live]))
    changed = [(t, b) for t, b, _, _ in keep]
    if changed:
        conn.execute("DELETE FROM term_blocks b USING unnest(%s::int[], %s::bigint[]) AS v(term, block) "
                     "WHERE b.term = v.term AND b.block = v.block",
                     ([t for t, _ in changed], [b for _, b in changed]))
        for term, block, c, f in keep:
            if len(c):
                copy_blocks(conn, block, [(term, len(c), c, f)])
    return removed


def merge_crowded(conn, terms: Sequence[int]) -> int:
    """Merge the blocks of each of `terms` that has more than MAX_BLOCKS into one; returns how many terms."""
    crowded = [t for (t,) in conn.execute(
        "SELECT term FROM term_blocks WHERE term = ANY(%s) GROUP BY term HAVING count(*) > %s",
        (list(terms), MAX_BLOCKS))]
    for term in crowded:
        rows = conn.execute("SELECT block, chunks, tfs FROM term_blocks WHERE term = %s ORDER BY block", (term,),
                            binary=True).fetchall()
        c = np.concatenate([unpack(r[1]) for r in rows])
        f = np.concatenate([unpack(r[2]) for r in rows])
        order = np.argsort(c, kind="stable")
        conn.execute("DELETE FROM term_blocks WHERE term = %s", (term,))
        copy_blocks(conn, rows[0][0], [(term, len(c), c[order], f[order])])
    return len(crowded)
