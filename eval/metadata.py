"""The metadata extractor against hand-checked values, without building an index.

    python -m eval.metadata eval/metadev [eval/fresh …]

Each directory holds a `manifest.json` in the `--extra` format (`eval/extra.py`). Every
listed file is read with `qa.corpus.ingest.extract_text` and `qa.metadata.extract_metadata`,
as `qa add` would, and compared with the manifest's `expected` values: per field, how many of
the values the text states were found, then each wrong value and each value invented where
the text states none (a portal's publication date taken for the issue date, a district
guessed from the body). Tune the extractor on development sets only.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .extra import ExtraError, _catalog_fields, agreement, read_manifest, render_agreement


def extract_all(dirs: list[Path]) -> tuple[list, dict]:
    """(the manifests' documents, doc_id → the catalogue fields extracted from each)."""
    from qa.corpus.ingest import extract_text
    from qa.metadata import extract_metadata

    docs, extracted = [], {}
    for d in dirs:
        for doc in read_manifest(d):
            docs.append(doc)
            extracted[doc.doc_id] = _catalog_fields(extract_metadata(extract_text(doc.path)))
    return docs, extracted


def report(result: dict) -> str:
    lines = [render_agreement(result)]
    if result["wrong"]:
        lines.append("Wrong or missed (expected → got):\n")
        lines += [f"- {w['doc_id']} {w['field']}: {w['expected']!r} → {w['got']!r}" for w in result["wrong"]]
    if result["invented"]:
        lines.append("\nInvented (the text states none):\n")
        lines += [f"- {w['doc_id']} {w['field']}: {w['got']!r}" for w in result["invented"]]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m eval.metadata", description=__doc__.split("\n\n")[0])
    ap.add_argument("dirs", nargs="+", type=Path, help="directories with a manifest.json (the --extra format)")
    args = ap.parse_args(argv)
    try:
        docs, extracted = extract_all(args.dirs)
    except ExtraError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    sys.stdout.write(report(agreement(docs, extracted)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
