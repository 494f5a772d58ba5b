"""`python -m qa add PATH…`: bring new documents into corpus/.

Every file is read and checked before anything is written; if any one is
bad, nothing in corpus/ changes.  Accepted: .txt, .md (UTF-8, or GB18030 as
many government files are), .docx (python-docx) and PDFs with a text layer
(pypdf).  The extracted text is stored as a UTF-8 .txt in corpus/ (offsets
in citations refer to it), and a catalogue entry is filled by the header
rules in `qa.metadata`.
"""
from __future__ import annotations

import hashlib
import logging
import re
from dataclasses import dataclass
from pathlib import Path

from .documents import DEFAULT_CORPUS, read_catalog, write_catalog
from .metadata import extract_metadata
from .records import DocMeta

log = logging.getLogger(__name__)

MAX_BYTES = 20 * 1024 * 1024  # a work plan is tens of KB; 20 MB is surely not one
MIN_CHARS = 20
SUFFIXES = {".txt", ".md", ".docx", ".pdf"}


class IngestError(Exception):
    """A file cannot be added; the message names the file and the reason."""


@dataclass(frozen=True)
class Extracted:
    path: Path
    text: str
    sha256: str


def extract_text(path: Path) -> str:
    """Plain text of one file; raises IngestError naming the file."""
    path = Path(path)
    if not path.is_file():
        raise IngestError(f"{path}: no such file")
    size = path.stat().st_size
    if size == 0:
        raise IngestError(f"{path}: the file is empty")
    if size > MAX_BYTES:
        raise IngestError(f"{path}: {size / 1e6:.1f} MB is over the {MAX_BYTES // 2**20} MiB limit")
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise IngestError(f"{path}: unsupported type {suffix or '(none)'}; use one of {sorted(SUFFIXES)}")
    try:
        if suffix in (".txt", ".md"):
            text = _read_plain(path)
            if suffix == ".md":  # "## 一、总体要求" → "一、总体要求", so the heading ladder sees it
                text = re.sub(r"(?m)^[ \t]{0,3}#{1,6}[ \t]+", "", text)
        elif suffix == ".docx":
            text = _read_docx(path)
        else:
            text = _read_pdf(path)
    except IngestError:
        raise
    except Exception as e:  # a library's parse error on a damaged file
        raise IngestError(f"{path}: cannot be read as {suffix}: {type(e).__name__}: {e}") from e
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if len(re.sub(r"\s", "", text)) < MIN_CHARS:
        raise IngestError(f"{path}: no usable text (fewer than {MIN_CHARS} characters)")
    return text


def _read_plain(path: Path) -> str:
    raw = path.read_bytes()
    if b"\x00" in raw[:8192]:
        raise IngestError(f"{path}: looks binary (NUL bytes), not a text file")
    for enc in ("utf-8-sig", "gb18030"):
        try:
            text = raw.decode(enc)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise IngestError(f"{path}: not UTF-8 or GB18030 text")
    bad = sum(1 for ch in text if ord(ch) < 32 and ch not in "\n\r\t\f")
    if bad > max(10, len(text) // 100):
        raise IngestError(f"{path}: {bad} control characters — looks binary, not text")
    return text


def _read_docx(path: Path) -> str:
    import docx  # python-docx; imported here so plain-text use does not need it

    d = docx.Document(str(path))
    blocks = []
    for item in d.iter_inner_content():  # paragraphs and tables in document order
        if isinstance(item, docx.table.Table):  # a form table stays a table: one row per line, tab-separated
            # a cell's own line breaks become spaces, or its row would fall apart
            blocks.append("\n".join("\t".join(" ".join(cell.text.split()) for cell in row.cells) for row in item.rows))
        else:
            blocks.append(item.text)
    return "\n\n".join(blocks)


def _read_pdf(path: Path) -> str:
    from pypdf import PdfReader

    reader = PdfReader(str(path))
    if reader.is_encrypted:
        raise IngestError(f"{path}: the PDF is encrypted")
    pages = [(page.extract_text() or "") for page in reader.pages]
    if not any(p.strip() for p in pages):
        raise IngestError(f"{path}: the PDF has no text layer (a scan?); OCR it first")
    # a page break becomes a blank line, which cleaning joins when it cut a word
    return "\n\n".join(pages)


def _doc_id(meta: dict, sha: str, taken: set[str]) -> str:
    year = meta.get("year") or "x"
    base = f"doc-{sha[:8]}-{year}"
    n, doc_id = 2, base
    while doc_id in taken:
        doc_id, n = f"{base}-{n}", n + 1
    return doc_id


def add_documents(paths: list[Path], corpus_dir: Path = DEFAULT_CORPUS) -> list[DocMeta]:
    """Validate all files, then store their text and catalogue entries.

    Raises IngestError (and changes nothing) if any file is bad or already in
    the corpus.
    """
    corpus_dir = Path(corpus_dir)
    metas = read_catalog(corpus_dir)
    known_sha = {}
    for m in metas:
        known_sha[hashlib.sha256((corpus_dir / m.file).read_bytes()).hexdigest()] = m.doc_id
    batch_sha: dict[str, str] = {}
    extracted: list[Extracted] = []
    errors = []
    for p in paths:
        try:
            text = extract_text(Path(p))
        except IngestError as e:
            errors.append(str(e))
            continue
        sha = hashlib.sha256(text.encode("utf-8")).hexdigest()
        if sha in known_sha:
            errors.append(f"{p}: already in the corpus as {known_sha[sha]}")
            continue
        if sha in batch_sha:
            errors.append(f"{p}: same text as {batch_sha[sha]}, given in the same batch")
            continue
        batch_sha[sha] = str(p)
        extracted.append(Extracted(Path(p), text, sha))
    if errors:
        raise IngestError("nothing was added:\n  " + "\n  ".join(errors))

    next_n = 1 + max((int(m.file[:3]) for m in metas if m.file[:3].isdigit()), default=-1)
    taken = {m.doc_id for m in metas}
    new_metas, written = [], []
    try:
        for i, ex in enumerate(extracted):
            fields = extract_metadata(ex.text)
            doc_id = _doc_id(fields, ex.sha256, taken)
            taken.add(doc_id)
            name = f"{next_n + i:03d}_{ex.sha256[:16]}.txt"
            target = corpus_dir / name
            target.write_text(ex.text, encoding="utf-8")
            written.append(target)
            new_metas.append(DocMeta(doc_id=doc_id, file=name, notes=f"added from {ex.path.name}", **fields))
        write_catalog(metas + new_metas, corpus_dir)
    except BaseException:
        for t in written:  # roll back: the catalogue was not replaced
            t.unlink(missing_ok=True)
        raise
    for m in new_metas:
        log.info("added %s as %s (%s)", m.file, m.doc_id, m.title or "untitled")
    return new_metas
