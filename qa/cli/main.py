"""`python -m qa …`: chunks, add, build, ask.

Exit codes: 0 ok, 1 failure while working, 2 bad input (argparse's own).
"""
from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from pathlib import Path

from ..corpus.documents import DEFAULT_CORPUS, CorpusError, load_corpus

log = logging.getLogger("qa")


def _percentile(values: list[int], q: float) -> int:
    if not values:
        return 0
    s = sorted(values)
    k = (len(s) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(s) - 1)
    return round(s[lo] + (s[hi] - s[lo]) * (k - lo))


def chunk_stats_table(chunks) -> str:
    """Markdown table: chunk counts and length percentiles per document."""
    by_doc: dict[str, list] = {}
    for c in chunks:
        by_doc.setdefault(c.doc_id, []).append(c)
    rows = ["| document | chunks | header | table | split parts | min | p10 | p50 | p90 | max |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    groups = list(by_doc.items()) + [("ALL", list(chunks))]
    for doc_id, cs in groups:
        lens = [len(c.text) for c in cs]
        rows.append(
            f"| {doc_id} | {len(cs)} | {sum(c.kind == 'header' for c in cs)} | {sum(c.kind == 'table' for c in cs)}"
            f" | {sum(c.parts > 1 for c in cs)} | {min(lens)} | {_percentile(lens, .1)} | {_percentile(lens, .5)}"
            f" | {_percentile(lens, .9)} | {max(lens)} |"
        )
    return "\n".join(rows)


def cmd_chunks(args) -> int:
    from ..corpus.chunking import chunk_corpus

    docs = load_corpus(args.corpus)
    if args.doc:
        docs = [d for d in docs if d.doc_id == args.doc]
        if not docs:
            print(f"error: no document {args.doc!r}", file=sys.stderr)
            return 2
    chunks = chunk_corpus(docs)
    if args.stats:
        print(chunk_stats_table(chunks))
        return 0
    for c in chunks:
        if args.json:
            print(json.dumps({"chunk_id": c.chunk_id, "kind": c.kind, "section": c.section, "start": c.start,
                              "end": c.end, "text": c.text}, ensure_ascii=False))
        else:
            print(f"{c.chunk_id:<16} {c.kind:<6} {len(c.text):>4}  {c.section or '(header)'}")
    return 0


def cmd_add(args) -> int:
    from ..corpus.chunking import chunk_document
    from ..corpus.documents import load_document
    from ..corpus.ingest import IngestError, add_documents
    from ..metadata.report import metadata_table

    try:
        metas = add_documents([Path(p) for p in args.paths], args.corpus)
    except IngestError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    for m in metas:
        n = len(chunk_document(load_document(m, args.corpus)))
        print(f"added {m.doc_id}: {m.file}  {m.place or '(place not recognised)'}  {m.title or '(no title found)'}  {n} chunks")
        print(metadata_table(m, header=False))
        print()
    print("A field shown as unresolved or not found can be set in corpus/catalog.json.")
    from ..store import database_url

    url = database_url(args.database_url)
    if url is None:
        print("The index is rebuilt on the next search (or run: python -m qa build).")
        return 0
    from ..embed.encoder import get_default_encoder
    from ..search.retriever import DEFAULT_PARAMS
    from ..store.postgres import open_synced

    store, _ = open_synced(url, args.corpus, get_default_encoder(), dict(DEFAULT_PARAMS), show_progress=True)
    print(f"indexed in the database (version {store.version}, {len(store.chunks)} chunks): searchable now from every app process")
    store.close()
    return 0


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m qa", description="Cited-passage search over district health-bureau work plans.")
    p.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help="corpus directory (default: %(default)s)")
    p.add_argument("-v", "--verbose", action="store_true", help="log progress details")
    p.add_argument("--database-url", default=None, metavar="URL",
                   help="keep the index in PostgreSQL (default: $QA_DATABASE_URL, else the embedded index/)")
    sub = p.add_subparsers(dest="cmd", required=True)

    c = sub.add_parser("chunks", help="list the section chunks, or --stats for a table")
    c.add_argument("--stats", action="store_true", help="chunk counts and length percentiles per document")
    c.add_argument("--doc", help="only this doc_id")
    c.add_argument("--json", action="store_true", help="one JSON object per chunk")
    c.set_defaults(func=cmd_chunks)

    a = sub.add_parser("add", help="add .txt/.md/.docx/.pdf documents to the corpus")
    a.add_argument("paths", nargs="+")
    a.set_defaults(func=cmd_add)

    from ..library.cli import add_library_commands

    add_library_commands(sub)

    from .db import add_db_commands

    add_db_commands(sub)

    try:
        from .search import add_search_commands
    except ImportError:  # the retriever commands live beside the retriever
        pass
    else:
        add_search_commands(sub)
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("jieba").setLevel(logging.WARNING)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    if args.database_url:  # Retriever.load() and the db commands read it
        os.environ["QA_DATABASE_URL"] = args.database_url
    try:
        return args.func(args)
    except CorpusError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
