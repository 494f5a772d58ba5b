"""The document library on disk: list, stage (preview), commit with corrected metadata, remove.

    lib = Library(corpus_dir, data_dir)
    p = lib.stage(path_or_stream, "plan.docx")   # bytes copied into data_dir/uploads/<id>/; text + metadata read
    meta = lib.commit(p.upload_id, {"district": "某区"})  # corpus/<nnn>_<sha>.txt + a catalogue entry
    lib.remove(meta.doc_id)

Uploaded bytes live only under `data_dir` (never a served directory) until
they are committed (as extracted UTF-8 text in corpus/, like `qa add`) or
discarded.  Every check happens before anything is written to corpus/;
catalogue changes hold a lock file and replace the catalogue atomically, so
two writers (two uploads, or an upload and `qa add`) cannot lose an entry.
"""
from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import re
import secrets
import shutil
import time
import zipfile
from dataclasses import dataclass, fields
from datetime import datetime, timezone
from pathlib import Path
from typing import BinaryIO

from ..corpus.documents import CATALOG_NAME, Document, read_catalog, write_catalog
from ..corpus import ingest
from ..corpus.ingest import IngestError, catalog_lock, extract_text
from ..metadata import extract_metadata
from ..records import DocMeta
from .html_text import decode_html, html_to_text

log = logging.getLogger(__name__)

# the same limits as `qa add` (read here so a change there applies to uploads too)
MAX_BYTES = getattr(ingest, "MAX_BYTES", 20 * 2**20)
MIN_CHARS = getattr(ingest, "MIN_CHARS", 20)
SUFFIXES = (".txt", ".md", ".docx", ".pdf", ".html", ".htm")
# what a reviewer may correct; doc_id and file are the library's own
# where each field came from is not for editing: it is shown beside the fields (qa.metadata.report)
EDITABLE = tuple(f.name for f in fields(DocMeta) if f.name not in ("doc_id", "file", "notes", "sources"))
MAX_FIELD_CHARS = 200
_UPLOAD_ID = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
_COPY_BLOCK = 1 << 16


class LibraryError(ValueError):
    """A library operation the caller asked for cannot be done; the message says why (and names the file)."""


@dataclass(frozen=True, slots=True)
class Limits:
    max_bytes: int = MAX_BYTES  # per uploaded file
    max_documents: int = 500  # in the library
    max_pending: int = 20  # staged uploads awaiting review
    max_inflated: int = 64 * 2**20  # a .docx's declared uncompressed size (a zip bomb stops here)
    pending_ttl: float = 24 * 3600.0  # s before an unreviewed upload is deleted


@dataclass(frozen=True, slots=True)
class Preview:
    """A staged upload: what was read from it, for review before commit."""

    upload_id: str
    filename: str  # the name it was uploaded under (display only)
    fields: dict  # DocMeta field → recognised value ("" / None when unresolved)
    extra: dict  # anything else extract_metadata returned (e.g. per-field source/confidence)
    unresolved: tuple[str, ...]  # fields it could not read from the text
    chars: int
    chunks: int
    excerpt: str  # the first lines, to see what was read


@dataclass(frozen=True, slots=True)
class Entry:
    """One row of the library list."""

    meta: DocMeta
    added: str  # ISO time the text was written into corpus/
    chars: int


def clean_name(name: str) -> str:
    """A display name: the last path part, printable characters only, at most 120."""
    base = re.split(r"[\\/]", str(name or ""))[-1]
    base = "".join(ch for ch in base if ch.isprintable())[:120].strip()
    return base or "upload"


def extract(path: Path, *, limits: Limits = Limits(), name: str | None = None) -> str:
    """Plain text of a file of any accepted type; LibraryError naming the file otherwise."""
    path = Path(path)
    shown = name or path.name
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise LibraryError(f"{shown}: unsupported type {suffix or '(none)'}; use one of {', '.join(SUFFIXES)}")
    size = path.stat().st_size
    if size == 0:
        raise LibraryError(f"{shown}: the file is empty")
    if size > limits.max_bytes:
        raise LibraryError(f"{shown}: {size / 1e6:.1f} MB is over the {limits.max_bytes / 2**20:g} MiB limit")
    if suffix in (".html", ".htm"):
        return _extract_html(path, shown)
    if suffix == ".docx":
        _check_zip(path, shown, limits)
    try:
        return extract_text(path)
    except IngestError as e:  # its message names our staging path: name the user's file instead
        raise LibraryError(str(e).replace(str(path), shown)) from None


def _extract_html(path: Path, shown: str) -> str:
    raw = path.read_bytes()
    if b"\x00" in raw[:8192] and not raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise LibraryError(f"{shown}: looks binary (NUL bytes), not a web page")
    try:
        text = html_to_text(decode_html(raw))
    except (UnicodeDecodeError, ValueError) as e:
        raise LibraryError(f"{shown}: cannot be read as a web page: {e}") from None
    if len(re.sub(r"\s", "", text)) < MIN_CHARS:
        raise LibraryError(f"{shown}: no usable text (fewer than {MIN_CHARS} characters)")
    return text


def _check_zip(path: Path, shown: str, limits: Limits) -> None:
    """Refuse a .docx that is not a zip or declares more inflated bytes than the limit (a zip bomb)."""
    try:
        with zipfile.ZipFile(path) as z:
            infos = z.infolist()
    except (zipfile.BadZipFile, OSError) as e:
        raise LibraryError(f"{shown}: not a valid .docx (not a zip archive: {e})") from None
    total = sum(i.file_size for i in infos)
    if total > limits.max_inflated or len(infos) > 10_000:
        raise LibraryError(f"{shown}: unpacks to {total / 2**20:.0f} MiB in {len(infos)} parts, over the "
                           f"{limits.max_inflated / 2**20:g} MiB limit (a zip bomb?)")


def clean_fields(values: dict) -> dict:
    """Reviewed metadata → DocMeta keyword arguments; LibraryError on a value that cannot be right."""
    out: dict = {}
    for key, value in (values or {}).items():
        if key not in EDITABLE:
            continue  # unknown keys (e.g. a confidence score) are display-only
        if key == "year":
            if value in (None, ""):
                out[key] = None
                continue
            try:
                year = int(str(value).strip())
            except ValueError:
                raise LibraryError(f"year must be a number like 2021, not {value!r}") from None
            if not 1900 <= year <= 2100:
                raise LibraryError(f"year {year} is outside 1900–2100")
            out[key] = year
            continue
        text = "" if value is None else str(value)
        text = "".join(ch for ch in text if ch.isprintable()).strip()
        if len(text) > MAX_FIELD_CHARS:
            raise LibraryError(f"{key} is longer than {MAX_FIELD_CHARS} characters")
        if key == "date" and text and not re.fullmatch(r"(19|20)\d\d-\d\d-\d\d", text):
            raise LibraryError(f"date must look like 2021-03-18, not {text!r}")
        out[key] = text
    return out


class Library:
    """The corpus directory plus a private data directory for staged uploads."""

    def __init__(self, corpus_dir: Path, data_dir: Path, *, limits: Limits = Limits()):
        self.corpus_dir = Path(corpus_dir)
        self.data_dir = Path(data_dir)
        self.limits = limits
        self.uploads = self.data_dir / "uploads"

    # ---------------------------------------------------------------- reading
    def entries(self) -> list[Entry]:
        out = []
        for m in read_catalog(self.corpus_dir):
            path = self.corpus_dir / m.file
            try:
                st = path.stat()
                added = datetime.fromtimestamp(st.st_mtime, timezone.utc).astimezone().isoformat(timespec="minutes")
                chars = len(path.read_text(encoding="utf-8"))
            except (OSError, UnicodeDecodeError):
                added, chars = "", 0
            out.append(Entry(m, added, chars))
        return out

    def source(self, doc_id: str) -> tuple[DocMeta, str]:
        for m in read_catalog(self.corpus_dir):
            if m.doc_id == doc_id:
                return m, (self.corpus_dir / m.file).read_text(encoding="utf-8")
        raise LibraryError(f"no document {doc_id!r} in the library")

    # ---------------------------------------------------------------- staging
    def stage(self, data: Path | BinaryIO, filename: str) -> Preview:
        """Copy an upload into the data dir, read it, and return what was recognised (nothing is committed)."""
        name = clean_name(filename)
        suffix = Path(name).suffix.lower()
        if suffix not in SUFFIXES:
            raise LibraryError(f"{name}: unsupported type {suffix or '(none)'}; use one of {', '.join(SUFFIXES)}")
        self._expire()
        if len(self._pending_ids()) >= self.limits.max_pending:
            raise LibraryError(f"{name}: {self.limits.max_pending} uploads are already awaiting review; "
                               "commit or discard some first")
        upload_id = secrets.token_urlsafe(18)
        folder = self.uploads / upload_id
        folder.mkdir(parents=True, mode=0o700)
        try:
            target = folder / f"source{suffix}"
            self._copy(data, target, name)
            text = extract(target, limits=self.limits, name=name)
            sha = hashlib.sha256(text.encode("utf-8")).hexdigest()
            self._check_new(sha, name)
            (folder / "text.txt").write_text(text, encoding="utf-8")
            (folder / "upload.json").write_text(json.dumps({"filename": name, "sha256": sha}, ensure_ascii=False),
                                                encoding="utf-8")
        except BaseException:
            shutil.rmtree(folder, ignore_errors=True)
            raise
        return self.preview(upload_id)

    def _copy(self, data, target: Path, name: str) -> None:
        limit = self.limits.max_bytes
        if isinstance(data, (str, Path)):
            src = Path(data)
            if src.is_symlink() or not src.is_file():
                raise LibraryError(f"{name}: not a regular file")
            data = open(src, "rb")
            close = True
        else:
            close = False
        try:
            n = 0
            with open(target, "wb") as out:
                while block := data.read(_COPY_BLOCK):
                    n += len(block)
                    if n > limit:
                        raise LibraryError(f"{name}: over the {limit / 2**20:g} MiB limit")
                    out.write(block)
        finally:
            if close:
                data.close()

    def _check_new(self, sha: str, name: str) -> None:
        for m in read_catalog(self.corpus_dir):
            path = self.corpus_dir / m.file
            with contextlib.suppress(OSError):
                if hashlib.sha256(path.read_bytes()).hexdigest() == sha:
                    raise LibraryError(f"{name}: already in the library as {m.doc_id} ({m.title or m.file})")

    def preview(self, upload_id: str) -> Preview:
        folder = self._folder(upload_id)
        info = json.loads((folder / "upload.json").read_text(encoding="utf-8"))
        text = (folder / "text.txt").read_text(encoding="utf-8")
        found = extract_metadata(text)
        known = {k: found.get(k, None if k == "year" else "") for k in EDITABLE}
        extra = {k: v for k, v in found.items() if k not in known}
        unresolved = tuple(k for k, v in known.items() if v in (None, ""))
        from ..corpus.chunking import chunk_document  # here: listing the library needs no chunker
        from ..corpus.cleaning import clean

        meta = DocMeta(doc_id="preview", file="preview.txt", **known)
        n = len(chunk_document(Document(meta, text, clean(text))))
        lines = [ln.strip() for ln in text.splitlines() if ln.strip()][:8]
        return Preview(upload_id, info["filename"], known, extra, unresolved, len(text), n, "\n".join(lines))

    def discard(self, upload_id: str) -> None:
        shutil.rmtree(self._folder(upload_id), ignore_errors=True)

    def _folder(self, upload_id: str) -> Path:
        if not isinstance(upload_id, str) or not _UPLOAD_ID.match(upload_id):
            raise LibraryError("unknown upload id; upload the file again")
        folder = self.uploads / upload_id
        if not (folder / "upload.json").is_file():
            raise LibraryError("unknown or expired upload id; upload the file again")
        return folder

    def _pending_ids(self) -> list[str]:
        if not self.uploads.is_dir():
            return []
        return [d.name for d in self.uploads.iterdir() if d.is_dir()]

    def _expire(self) -> None:
        now = time.time()
        for upload_id in self._pending_ids():
            folder = self.uploads / upload_id
            with contextlib.suppress(OSError):
                if now - folder.stat().st_mtime > self.limits.pending_ttl:
                    shutil.rmtree(folder, ignore_errors=True)

    # ---------------------------------------------------------------- changing the corpus
    def _locked(self):
        # the same cross-process lock as `qa add`, so uploads and CLI adds never lose an entry
        return catalog_lock(self.corpus_dir)

    def commit(self, upload_id: str, corrections: dict | None = None) -> DocMeta:
        """Store a staged upload with its reviewed metadata; returns the new catalogue entry."""
        folder = self._folder(upload_id)
        p = self.preview(upload_id)
        fixed = clean_fields(corrections or {})
        values = {**p.fields, **fixed}
        # where each field came from: the extractor's, except what the reviewer changed
        sources = dict(p.extra.get("sources") or {})
        for key, value in fixed.items():
            if value != p.fields.get(key):
                sources[key] = {"from": "reviewed at upload", "confidence": "high"}
        values["sources"] = sources
        info = json.loads((folder / "upload.json").read_text(encoding="utf-8"))
        text = (folder / "text.txt").read_text(encoding="utf-8")
        sha = info["sha256"]
        with self._locked():
            metas = read_catalog(self.corpus_dir)
            if len(metas) >= self.limits.max_documents:
                raise LibraryError(f"{p.filename}: the library holds its limit of {self.limits.max_documents} "
                                   "documents; remove one first")
            self._check_new(sha, p.filename)
            taken = {m.doc_id for m in metas}
            base = f"doc-{sha[:8]}-{values.get('year') or 'x'}"
            doc_id, n = base, 2
            while doc_id in taken:
                doc_id, n = f"{base}-{n}", n + 1
            seq = 1 + max((int(m.file[:3]) for m in metas if m.file[:3].isdigit()), default=-1)
            name = f"{seq:03d}_{sha[:16]}.txt"
            meta = DocMeta(doc_id=doc_id, file=name, notes=f"uploaded as {p.filename}", **values)
            target = self.corpus_dir / name
            tmp = self.corpus_dir / f".{name}.tmp"
            try:
                tmp.write_text(text, encoding="utf-8")
                os.replace(tmp, target)
                write_catalog(metas + [meta], self.corpus_dir)
            except BaseException:
                tmp.unlink(missing_ok=True)
                target.unlink(missing_ok=True)
                raise
        self.discard(upload_id)
        log.info("library: added %s as %s (%s)", p.filename, doc_id, meta.title or "untitled")
        return meta

    def remove(self, doc_id: str) -> DocMeta:
        """Take a document out of the catalogue and delete its text."""
        with self._locked():
            metas = read_catalog(self.corpus_dir)
            gone = [m for m in metas if m.doc_id == doc_id]
            if not gone:
                raise LibraryError(f"no document {doc_id!r} in the library")
            if len(metas) == 1:
                raise LibraryError(f"{doc_id} is the last document; an empty library cannot be searched")
            write_catalog([m for m in metas if m.doc_id != doc_id], self.corpus_dir)
            path = self.corpus_dir / gone[0].file
            if path.name != CATALOG_NAME and path.parent == self.corpus_dir:
                path.unlink(missing_ok=True)
        log.info("library: removed %s", doc_id)
        return gone[0]
