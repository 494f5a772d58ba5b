"""Shared by the library tests: a corpus copy with one document taken out, and that document as a .docx."""
from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HELD_OUT = "gulou-2021"  # taken out of the copy, then uploaded through the library


def corpus_without(tmp: Path, doc_id: str = HELD_OUT) -> tuple[Path, dict, str]:
    """Copy corpus/ into tmp/corpus without `doc_id`; returns (dir, its catalogue entry, its text)."""
    corpus = tmp / "corpus"
    shutil.copytree(ROOT / "corpus", corpus)
    cat = json.loads((corpus / "catalog.json").read_text(encoding="utf-8"))
    entry = next(d for d in cat["documents"] if d["doc_id"] == doc_id)
    cat["documents"] = [d for d in cat["documents"] if d["doc_id"] != doc_id]
    text = (corpus / entry["file"]).read_text(encoding="utf-8")
    (corpus / entry["file"]).unlink()
    (corpus / "catalog.json").write_text(json.dumps(cat, ensure_ascii=False, indent=2), encoding="utf-8")
    return corpus, entry, text


def write_docx(text: str, path: Path) -> Path:
    import docx

    d = docx.Document()
    for para in text.split("\n"):
        if para.strip():
            d.add_paragraph(para.strip())
    d.save(str(path))
    return path


def tree_digest(*dirs: Path) -> dict[str, str]:
    """sha256 of every file under the given directories (relative path → digest)."""
    out = {}
    for d in dirs:
        for p in sorted(Path(d).rglob("*")):
            if p.is_file():
                out[str(p.relative_to(d.parent))] = hashlib.sha256(p.read_bytes()).hexdigest()
    return out
