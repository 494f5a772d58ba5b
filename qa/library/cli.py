"""`python -m qa docs` (list the library) and `python -m qa remove DOC_ID`.

A running app notices the new build (index/CURRENT) and switches to it; after
`remove` run `python -m qa build` (or let the next search rebuild).
"""
from __future__ import annotations

import sys
from pathlib import Path


def cmd_docs(args) -> int:
    from .store import Library

    entries = Library(args.corpus, Path(".")).entries()
    if args.json:
        import dataclasses
        import json

        for e in entries:
            print(json.dumps({**dataclasses.asdict(e.meta), "added": e.added, "chars": e.chars}, ensure_ascii=False))
        return 0
    for e in entries:
        m = e.meta
        print(f"{m.doc_id:<24} {m.place or '(place unknown)':<14} {m.year or '':<5} {m.doc_number or '-':<18} "
              f"{e.chars:>6} chars  added {e.added[:16]}  {m.title or m.file}")
    print(f"{len(entries)} documents in {args.corpus}")
    return 0


def cmd_remove(args) -> int:
    from .store import Library, LibraryError

    try:
        meta = Library(args.corpus, Path(".")).remove(args.doc_id)
    except LibraryError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    print(f"removed {meta.doc_id}: {meta.place} {meta.title}")
    print("The index is rebuilt on the next search (or run: python -m qa build); a running app then switches to it.")
    return 0


def add_library_commands(sub) -> None:
    d = sub.add_parser("docs", help="list the documents in the library")
    d.add_argument("--json", action="store_true", help="one JSON object per document")
    d.set_defaults(func=cmd_docs)
    r = sub.add_parser("remove", help="remove a document from the library (by doc_id; see `docs`)")
    r.add_argument("doc_id")
    r.set_defaults(func=cmd_remove)
