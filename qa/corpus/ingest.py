"""`python -m qa add PATH…`: bring new documents into corpus/.

Every file is read and checked before anything is written; if any one is
bad, nothing in corpus/ changes.  Accepted: .txt, .md (UTF-8, or another
encoding charset-normalizer recognises: GB18030, Big5, UTF-16 with or without
BOM, Shift-JIS…), .docx (python-docx) and PDFs with a text layer (pypdf).
The extracted text is stored as a UTF-8 .txt in corpus/ (offsets in
citations refer to it), and a catalogue entry is filled by the header rules
in `qa.metadata`.

Hostile files: only regular files are read (a symlink to /etc/passwd or a
FIFO is refused by name); a .docx is a zip whose parts are decompressed and
measured before python-docx sees them (a 683 KB file inflating to 200 MB used
to write a 140 MB text into corpus/ and die of MemoryError); extracted text
is capped; and the catalogue is updated under a lock across processes (two
`qa add` at once used to lose an entry).
"""
from __future__ import annotations

import contextlib
import fcntl
import hashlib
import io
import logging
import os
import re
import stat
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

from .documents import DEFAULT_CORPUS, read_catalog, write_catalog
from ..metadata import extract_metadata
from ..records import DocMeta

log = logging.getLogger(__name__)

MAX_BYTES = 20 * 1024 * 1024  # a work plan is tens of KB; 20 MB is surely not one
MAX_UNZIPPED_BYTES = 64 * 2**20  # all parts of a .docx, decompressed (images are stored, not inflated)
MAX_TEXT_CHARS = 2_000_000  # extracted text; a work plan is ~20,000 characters
MIN_CHARS = 20
SUFFIXES = {".txt", ".md", ".docx", ".pdf"}
# what charset-normalizer may choose from for a .txt that is not UTF-8: the Chinese encodings
# government files come in, UTF-16/32 without BOM, and the Japanese/Korean ones a wrong file may be in
ENCODINGS = ["gb18030", "big5", "big5hkscs", "utf_16_le", "utf_16_be", "utf_32_le", "utf_32_be",
             "shift_jis", "cp932", "euc_jp", "euc_kr"]
_BOMS = [(b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe\x00\x00", "utf-32"), (b"\x00\x00\xfe\xff", "utf-32"),
         (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16")]


class IngestError(Exception):
    """A file cannot be added; the message names the file and the reason."""


@dataclass(frozen=True)
class Extracted:
    path: Path
    text: str
    sha256: str


def _read_regular_file(path: Path) -> bytes:
    """The bytes of a regular file, refusing symlinks, devices, FIFOs and sockets by name."""
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        raise IngestError(f"{path}: no such file") from None
    except OSError as e:
        raise IngestError(f"{path}: cannot be read: {e.strerror or e}") from None
    if stat.S_ISLNK(st.st_mode):
        raise IngestError(f"{path}: is a symbolic link; give the file itself (links are refused so that "
                          "a link to a system file cannot be added)")
    if stat.S_ISDIR(st.st_mode):
        raise IngestError(f"{path}: no such file (it is a directory)")
    if not stat.S_ISREG(st.st_mode):
        raise IngestError(f"{path}: not a regular file (a device, FIFO or socket); only documents can be added")
    if st.st_size == 0:
        raise IngestError(f"{path}: the file is empty")
    if st.st_size > MAX_BYTES:
        raise IngestError(f"{path}: {st.st_size / 1e6:.1f} MB is over the {MAX_BYTES // 2**20} MiB limit")
    # O_NOFOLLOW + fstat: the path cannot be swapped for a link or a FIFO between the check and the read
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError as e:
        raise IngestError(f"{path}: cannot be opened: {e.strerror or e}") from None
    with os.fdopen(fd, "rb") as f:
        if not stat.S_ISREG(os.fstat(f.fileno()).st_mode):
            raise IngestError(f"{path}: not a regular file")
        raw = f.read(MAX_BYTES + 1)
    if len(raw) > MAX_BYTES:
        raise IngestError(f"{path}: over the {MAX_BYTES // 2**20} MiB limit")
    return raw


def extract_text(path: Path, *, max_chars: int | None = None) -> str:
    """Plain text of one file; raises IngestError naming the file."""
    path = Path(path)
    suffix = path.suffix.lower()
    raw = _read_regular_file(path)
    if suffix not in SUFFIXES:
        raise IngestError(f"{path}: unsupported type {suffix or '(none)'}; use one of {sorted(SUFFIXES)}")
    limit = max_chars or MAX_TEXT_CHARS
    try:
        if suffix in (".txt", ".md"):
            text = _read_plain(path, raw)
            if suffix == ".md":  # "## 一、总体要求" → "一、总体要求", so the heading ladder sees it
                text = re.sub(r"(?m)^[ \t]{0,3}#{1,6}[ \t]+", "", text)
        elif suffix == ".docx":
            text = _read_docx(path, raw, limit)
        else:
            text = _read_pdf(path, raw, limit)
    except IngestError:
        raise
    except MemoryError:
        raise IngestError(f"{path}: too large to read") from None
    except Exception as e:  # a library's parse error on a damaged file
        raise IngestError(f"{path}: cannot be read as {suffix}: {type(e).__name__}: {e}") from e
    if len(text) > limit:
        raise IngestError(f"{path}: {len(text):,} characters of text is over the {limit:,}-character limit "
                          "(a work plan has tens of thousands); split the document")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if len(re.sub(r"\s", "", text)) < MIN_CHARS:
        raise IngestError(f"{path}: no usable text (fewer than {MIN_CHARS} characters)")
    return text


def decode_text(raw: bytes, name: str = "text") -> str:
    """bytes → str: a BOM, else UTF-8, else the encoding charset-normalizer finds among ENCODINGS.

    Raises IngestError when no encoding reads it cleanly (the message says to save as UTF-8).
    """
    for bom, enc in _BOMS:
        if raw.startswith(bom):
            try:
                return raw.decode(enc)
            except UnicodeDecodeError:
                raise IngestError(f"{name}: starts with a {enc.upper()} byte-order mark but is not valid "
                                  f"{enc.upper()}; save it as UTF-8") from None
    if b"\x00" not in raw:
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            pass
    from charset_normalizer import from_bytes

    # NUL bytes: only UTF-16/32 text has them (a UTF-16 file without BOM was refused as "binary")
    candidates = [e for e in ENCODINGS if e.startswith("utf_")] if b"\x00" in raw else ENCODINGS
    best = from_bytes(raw, cp_isolation=candidates).best()
    if best is None:
        what = "looks binary (NUL bytes)" if b"\x00" in raw else "not UTF-8"
        raise IngestError(f"{name}: {what}, and not text in any encoding tried ({', '.join(ENCODINGS)}); "
                          "save it as UTF-8")
    log.info("%s: read as %s", name, best.encoding)
    return str(best)


def _read_plain(path: Path, raw: bytes) -> str:
    text = decode_text(raw, str(path))
    bad = sum(1 for ch in text if (ord(ch) < 32 and ch not in "\n\r\t\f") or ch == "\ufffd")
    if bad > max(10, len(text) // 100):
        raise IngestError(f"{path}: {bad} control characters — looks binary, not text")
    return text


def _check_zip(path: Path, raw: bytes) -> None:
    """Decompress every part of a .docx, counting, and stop at MAX_UNZIPPED_BYTES.

    The sizes a zip declares can lie, so the parts are inflated (into nothing) and
    measured; a zip bomb is refused after reading at most the limit.
    """
    total = 0
    with zipfile.ZipFile(io.BytesIO(raw)) as z:
        for info in z.infolist():
            if total + info.file_size > MAX_UNZIPPED_BYTES:
                break  # its declared size is already too much: measured below, refused at once
            with z.open(info) as part:
                while block := part.read(1 << 20):
                    total += len(block)
                    if total > MAX_UNZIPPED_BYTES:
                        break
            if total > MAX_UNZIPPED_BYTES:
                break
        else:
            return
    raise IngestError(f"{path}: decompresses to over {MAX_UNZIPPED_BYTES // 2**20} MiB "
                      f"({len(raw) / 1e6:.1f} MB compressed) — a zip bomb or not a work plan")


def _read_docx(path: Path, raw: bytes, limit: int) -> str:
    import docx  # python-docx; imported here so plain-text use does not need it

    try:
        _check_zip(path, raw)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError) as e:
        raise IngestError(f"{path}: cannot be read as .docx: {type(e).__name__}: {e}") from None
    d = docx.Document(io.BytesIO(raw))
    blocks = []
    for item in d.iter_inner_content():  # paragraphs and tables in document order
        if isinstance(item, docx.table.Table):  # a form table stays a table: one row per line, tab-separated
            # a cell's own line breaks become spaces, or its row would fall apart
            blocks.append("\n".join("\t".join(" ".join(cell.text.split()) for cell in row.cells) for row in item.rows))
        else:
            blocks.append(item.text)
        if sum(map(len, blocks)) > limit:  # stop reading: the caller refuses it by length
            break
    return "\n\n".join(blocks)


def _read_pdf(path: Path, raw: bytes, limit: int) -> str:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(raw))
    if reader.is_encrypted:
        raise IngestError(f"{path}: the PDF is encrypted")
    pages, total = [], 0
    for page in reader.pages:
        pages.append(page.extract_text() or "")
        total += len(pages[-1])
        if total > limit:
            break
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


@contextlib.contextmanager
def catalog_lock(corpus_dir: Path):
    """Hold the corpus's catalogue lock (across processes) for a read-modify-write of catalog.json.

    A lock on the directory itself (flock on its descriptor), so no lock file appears in corpus/.
    Anything else that rewrites the catalogue should take it too.
    """
    fd = os.open(corpus_dir, os.O_RDONLY | os.O_DIRECTORY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def _validate(ex: Extracted) -> dict:
    """The catalogue fields of a document, after checking it chunks; IngestError naming the file."""
    from .chunking import chunk_document
    from .cleaning import clean
    from .documents import Document

    fields = extract_metadata(ex.text)
    probe = DocMeta(doc_id="new", file=ex.path.name, **fields)
    try:
        chunks = chunk_document(Document(probe, ex.text, clean(ex.text)))
    except Exception as e:  # noqa: BLE001 — any failure here would otherwise break every later build
        raise IngestError(f"{ex.path}: the text cannot be split into sections: {type(e).__name__}: {e}") from e
    if not chunks:
        raise IngestError(f"{ex.path}: no passages found in the text")
    return fields


def _write_new(path: Path, text: str) -> None:
    """Write text to path via a hidden temporary file in the same directory and one rename."""
    fd, tmp = tempfile.mkstemp(prefix=".add.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def add_documents(paths: list[Path], corpus_dir: Path = DEFAULT_CORPUS, *, max_chars: int | None = None) -> list[DocMeta]:
    """Validate all files, then store their text and catalogue entries.

    Raises IngestError (and changes nothing) if any file is bad or already in
    the corpus.  Nothing is written to corpus_dir until every file has been
    read, measured, and split into passages; the catalogue update runs under
    `catalog_lock`, so concurrent adds (two processes, or uploads) all land.
    """
    corpus_dir = Path(corpus_dir)
    read_catalog(corpus_dir)  # a broken corpus is reported before any file is read
    batch_sha: dict[str, str] = {}
    extracted: list[Extracted] = []
    fields_of: dict[str, dict] = {}
    errors = []
    for p in paths:
        try:
            text = extract_text(Path(p), max_chars=max_chars)
        except IngestError as e:
            errors.append(str(e))
            continue
        sha = hashlib.sha256(text.encode("utf-8")).hexdigest()
        if sha in batch_sha:
            errors.append(f"{p}: same text as {batch_sha[sha]}, given in the same batch")
            continue
        batch_sha[sha] = str(p)
        ex = Extracted(Path(p), text, sha)
        try:
            fields_of[sha] = _validate(ex)
        except IngestError as e:
            errors.append(str(e))
            continue
        extracted.append(ex)
    if errors:
        raise IngestError("nothing was added:\n  " + "\n  ".join(errors))

    with catalog_lock(corpus_dir):
        # read under the lock: another add may have finished while these files were being read
        metas = read_catalog(corpus_dir)
        known_sha = {}
        for m in metas:
            known_sha[hashlib.sha256((corpus_dir / m.file).read_bytes()).hexdigest()] = m.doc_id
        dupes = [f"{ex.path}: already in the corpus as {known_sha[ex.sha256]}" for ex in extracted
                 if ex.sha256 in known_sha]
        if dupes:
            raise IngestError("nothing was added:\n  " + "\n  ".join(dupes))
        next_n = 1 + max((int(m.file[:3]) for m in metas if m.file[:3].isdigit()), default=-1)
        taken = {m.doc_id for m in metas}
        new_metas, written = [], []
        try:
            for i, ex in enumerate(extracted):
                fields = fields_of[ex.sha256]
                doc_id = _doc_id(fields, ex.sha256, taken)
                taken.add(doc_id)
                name = f"{next_n + i:03d}_{ex.sha256[:16]}.txt"
                target = corpus_dir / name
                _write_new(target, ex.text)
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
