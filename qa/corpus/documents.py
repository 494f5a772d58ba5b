"""The corpus: catalogue entries + source files → `Document`s.

The catalogue (`corpus/catalog.json`) records one curated `DocMeta` per file;
it is the source of truth for metadata, and the header rules in
`qa.metadata` are how a new document's entry is first filled.
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
from dataclasses import asdict, dataclass, fields
from pathlib import Path

from .cleaning import CleanText, clean
from ..records import DocMeta

log = logging.getLogger(__name__)

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_CORPUS = REPO_ROOT / "corpus"
CATALOG_NAME = "catalog.json"
CATALOG_FORMAT = 1


class CorpusError(Exception):
    """The corpus directory or its catalogue is unusable; the message says why."""


@dataclass(frozen=True)
class Document:
    meta: DocMeta
    source: str  # the file's text exactly as stored in corpus/
    cleaned: CleanText

    @property
    def doc_id(self) -> str:
        return self.meta.doc_id


def read_catalog(corpus_dir: Path = DEFAULT_CORPUS) -> list[DocMeta]:
    path = Path(corpus_dir) / CATALOG_NAME
    if not path.exists():
        raise CorpusError(f"no catalogue at {path}; a corpus directory needs {CATALOG_NAME}")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as e:
        raise CorpusError(f"{path} is not valid JSON: {e}") from e
    known = {f.name for f in fields(DocMeta)}
    metas = []
    for i, entry in enumerate(data.get("documents", [])):
        unknown = set(entry) - known
        if unknown or "doc_id" not in entry or "file" not in entry:
            raise CorpusError(f"{path}: entry {i} has unknown fields {sorted(unknown)} or lacks doc_id/file")
        metas.append(DocMeta(**entry))
    ids = [m.doc_id for m in metas]
    if len(set(ids)) != len(ids):
        raise CorpusError(f"{path}: duplicate doc_id in {ids}")
    return metas


def write_catalog(metas: list[DocMeta], corpus_dir: Path = DEFAULT_CORPUS) -> None:
    """Write the catalogue atomically (temp file + rename)."""
    path = Path(corpus_dir) / CATALOG_NAME
    payload = {"format": CATALOG_FORMAT, "documents": [asdict(m) for m in metas]}
    text = json.dumps(payload, ensure_ascii=False, indent=2) + "\n"
    fd, tmp = tempfile.mkstemp(prefix=".catalog.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def load_document(meta: DocMeta, corpus_dir: Path = DEFAULT_CORPUS) -> Document:
    path = Path(corpus_dir) / meta.file
    try:
        source = path.read_text(encoding="utf-8")
    except FileNotFoundError as e:
        raise CorpusError(f"catalogue entry {meta.doc_id!r} names {path}, which does not exist") from e
    except UnicodeDecodeError as e:
        raise CorpusError(f"{path} is not UTF-8 text: {e}") from e
    return Document(meta, source, clean(source))


def load_corpus(corpus_dir: Path = DEFAULT_CORPUS) -> list[Document]:
    return [load_document(m, corpus_dir) for m in read_catalog(corpus_dir)]


def corpus_hash(corpus_dir: Path = DEFAULT_CORPUS) -> str:
    """sha256 over the catalogue and every catalogued file's bytes."""
    corpus_dir = Path(corpus_dir)
    h = hashlib.sha256()
    h.update((corpus_dir / CATALOG_NAME).read_bytes())
    for meta in read_catalog(corpus_dir):
        h.update(meta.file.encode())
        h.update((corpus_dir / meta.file).read_bytes())
    return h.hexdigest()
