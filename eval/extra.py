"""Extra documents for an evaluation run: seed corpus + a manifest's documents → a combined corpus.

``python -m eval --extra eval/unseen`` must measure the system on documents it
has never seen, exactly as a user would load them, without touching
``corpus/`` or ``index/``.  So each extra file goes through
``qa.corpus.ingest.extract_text`` and its catalogue entry is filled by
``qa.metadata.extract_metadata`` — never from the manifest's hand-checked
``expected`` block, which is only used to score that extraction.

The combined corpus lives in ``<cache>/<hash>/corpus`` with its index beside it
in ``<cache>/<hash>/index``; the hash covers the resulting catalogue and every
file's text, so a changed document or a changed extractor gives a new
directory and an unchanged one is reused (the index's own identity check
rebuilds it if the tokenizer, chunker or model changed).

Manifest (``<dir>/manifest.json``)::

    {"format": 1, "documents": [{"doc_id", "file" (relative to <dir>), "source_url",
      "retrieved", "expected": {"issuer", "province", "city", "district", "year",
      "doc_number", "date", "title"}, "notes"}]}
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import shutil
import tempfile
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Sequence

from .run import EvalError

log = logging.getLogger(__name__)

MANIFEST_NAME = "manifest.json"
MANIFEST_FORMAT = 1
REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CACHE = REPO_ROOT / ".cache" / "eval-corpora"
# the catalogue fields the extractor fills; doc_id/file come from the manifest
EXPECTED_FIELDS = ("issuer", "province", "city", "district", "year", "doc_number", "date", "title")


class ExtraError(EvalError):
    """The extra-document set is unusable (bad manifest, missing file, clashing doc_id)."""


@dataclass(frozen=True, slots=True)
class ExtraDoc:
    doc_id: str
    path: Path  # absolute path of the stored file (.txt/.md/.docx/.pdf)
    source_url: str
    expected: dict  # field => hand-checked value; "" / None where the text does not state it


@dataclass(frozen=True, slots=True)
class Combined:
    """Where the combined corpus and its index are, and what the extractor made of each extra doc."""

    corpus_dir: Path
    index_dir: Path
    extras: tuple[ExtraDoc, ...]
    extracted: dict  # doc_id => the catalogue fields extract_metadata produced
    reused: bool
    # the newest other combined index in the same cache: every combined corpus holds the seeds, so
    # its build lends their vectors (and the shared terms') to this one's (Retriever.load(reuse_from=))
    donor: Path | None = None


def read_manifest(extra_dir: Path) -> list[ExtraDoc]:
    """The manifest's documents; raises ExtraError naming the problem."""
    extra_dir = Path(extra_dir)
    path = extra_dir / MANIFEST_NAME
    if not path.is_file():
        raise ExtraError(f"--extra {extra_dir}: no {MANIFEST_NAME} there")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise ExtraError(f"{path}: not valid JSON: {e}") from e
    if not isinstance(data, dict) or data.get("format") != MANIFEST_FORMAT:
        raise ExtraError(f"{path}: expected an object with \"format\": {MANIFEST_FORMAT}")
    entries = data.get("documents")
    if not isinstance(entries, list) or not entries:
        raise ExtraError(f"{path}: \"documents\" must be a non-empty list")
    docs, seen = [], set()
    for i, e in enumerate(entries):
        where = f"{path}: documents[{i}]"
        if not isinstance(e, dict):
            raise ExtraError(f"{where}: not an object")
        doc_id, file = e.get("doc_id"), e.get("file")
        if not isinstance(doc_id, str) or not doc_id.strip() or any(c.isspace() for c in doc_id):
            raise ExtraError(f"{where}: doc_id must be a non-empty string without spaces, got {doc_id!r}")
        if doc_id in seen:
            raise ExtraError(f"{where}: doc_id {doc_id!r} repeated")
        seen.add(doc_id)
        if not isinstance(file, str) or not file:
            raise ExtraError(f"{where} ({doc_id}): \"file\" must name a file relative to {extra_dir}")
        fpath = (extra_dir / file).resolve()
        if not fpath.is_file():
            raise ExtraError(f"{where} ({doc_id}): file {extra_dir / file} does not exist")
        expected = e.get("expected") or {}
        if not isinstance(expected, dict):
            raise ExtraError(f"{where} ({doc_id}): \"expected\" must be an object")
        docs.append(ExtraDoc(doc_id=doc_id, path=fpath, source_url=str(e.get("source_url", "")),
                             expected=expected))
    return docs


def _catalog_fields(extracted: dict) -> dict:
    """The extractor's output restricted to DocMeta's fields (it may return more, e.g. provenance)."""
    from qa.records import DocMeta

    known = {f.name for f in fields(DocMeta)} - {"doc_id", "file", "notes"}
    return {k: v for k, v in extracted.items() if k in known}


def prepare(extra_dir: Path | Sequence[Path], *, seed_dir: Path | None = None,
            cache_root: Path | None = None) -> Combined:
    """Build (or reuse) the seed corpus + extra documents and return where it is.

    ``extra_dir`` may be several directories: their documents are loaded together (a question set
    may ask across sets). Nothing under ``seed_dir`` (default: the repository's corpus/) is written.
    """
    from qa.corpus.documents import CATALOG_NAME, DEFAULT_CORPUS, read_catalog, write_catalog
    from qa.corpus.ingest import IngestError, extract_text
    from qa.metadata import extract_metadata
    from qa.records import DocMeta

    seed_dir = Path(seed_dir or DEFAULT_CORPUS)
    cache_root = Path(cache_root or DEFAULT_CACHE)
    dirs = [Path(extra_dir)] if isinstance(extra_dir, (str, Path)) else [Path(d) for d in extra_dir]
    extras = [d for x in dirs for d in read_manifest(x)]
    twice = sorted({d.doc_id for d in extras if sum(e.doc_id == d.doc_id for e in extras) > 1})
    if twice:
        raise ExtraError(f"doc_id(s) {twice} are listed by more than one of {[str(d) for d in dirs]}")
    seeds = read_catalog(seed_dir)
    clash = sorted({m.doc_id for m in seeds} & {d.doc_id for d in extras})
    if clash:
        raise ExtraError(f"extra doc_id(s) {clash} are already in the seed corpus {seed_dir}")

    # Extract first: the hash is over what the system would store, so an
    # extractor change is a new corpus even when the input files are the same.
    texts: dict[str, str] = {}
    metas = list(seeds)
    extracted: dict[str, dict] = {}
    for d in extras:
        try:
            text = extract_text(d.path)
        except IngestError as e:
            raise ExtraError(f"{d.doc_id}: {e}") from e
        fields_ = _catalog_fields(extract_metadata(text))
        extracted[d.doc_id] = fields_
        file = f"{d.doc_id}.txt"
        texts[file] = text
        metas.append(DocMeta(doc_id=d.doc_id, file=file, notes=f"eval extra from {d.source_url}".strip(),
                             **fields_))

    h = hashlib.sha256()
    h.update(json.dumps([asdict(m) for m in metas], ensure_ascii=False, sort_keys=True).encode())
    for m in seeds:
        h.update((seed_dir / m.file).read_bytes())
    for file in sorted(texts):
        h.update(file.encode())
        h.update(texts[file].encode("utf-8"))
    root = cache_root / h.hexdigest()[:16]
    corpus_dir, index_dir = root / "corpus", root / "index"

    reused = (corpus_dir / CATALOG_NAME).is_file()
    if not reused:
        cache_root.mkdir(parents=True, exist_ok=True)
        # write into a temporary directory and rename, so a crash never leaves a half corpus
        tmp = Path(tempfile.mkdtemp(prefix=".building-", dir=cache_root))
        try:
            tmp_corpus = tmp / "corpus"
            tmp_corpus.mkdir()
            for m in seeds:
                dest = tmp_corpus / m.file
                dest.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(seed_dir / m.file, dest)
            for file, text in texts.items():
                (tmp_corpus / file).write_text(text, encoding="utf-8")
            write_catalog(metas, tmp_corpus)
            root.mkdir(parents=True, exist_ok=True)
            if corpus_dir.exists():  # a leftover without its catalogue: never trusted
                shutil.rmtree(corpus_dir)
            try:
                os.replace(tmp_corpus, corpus_dir)
            except OSError:
                # another run finished the same corpus first; its copy is identical by construction
                if not (corpus_dir / CATALOG_NAME).is_file():
                    raise
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        log.info("combined corpus: %d seed + %d extra documents in %s", len(seeds), len(extras), corpus_dir)
    else:
        log.info("reusing combined corpus %s", corpus_dir)
    return Combined(corpus_dir=corpus_dir, index_dir=index_dir, extras=tuple(extras),
                    extracted=extracted, reused=reused, donor=_donor(cache_root, index_dir))


def _donor(cache_root: Path, index_dir: Path) -> Path | None:
    """The most recently built other index under cache_root, if any."""
    stamps = {}
    for pointer in cache_root.glob("*/index/CURRENT"):  # index_store's pointer to the live build
        try:
            if pointer.parent != index_dir:
                stamps[pointer.parent] = pointer.stat().st_mtime_ns
        except OSError:  # replaced by a build finishing meanwhile: that index is still a donor next time
            continue
    return max(stamps, key=stamps.get, default=None)


def _same(field: str, got, want) -> bool:
    """Equal up to spacing and script: a 繁體 copy's issuer is catalogued in simplified characters."""
    if field == "year":
        return got is not None and str(got) == str(want)
    from qa.indexing.script import simplified

    got, want = simplified("".join(str(got or "").split())), simplified("".join(str(want).split()))
    if field == "doc_number":  # one 文号 whichever brackets print its year: 〔2021〕, 【2021】, [2021]
        got, want = (re.sub(r"[【\[［(（]((?:19|20)\d\d)[】\]］)）]", r"〔\1〕", x) for x in (got, want))
    return got == want


def metadata_agreement(combined: Combined) -> dict:
    """Per field: how many of the values the text states (non-empty ``expected``) the extractor got.

    Returns ``{field: {"n", "right", "rate"}, "all": {…}, "wrong": [{doc_id, field, expected, got}],
    "invented": [{doc_id, field, got}]}`` — invented: a value where the text states none.
    """
    return agreement(combined.extras, combined.extracted)


def agreement(extras: Sequence[ExtraDoc], extracted: dict) -> dict:
    """`metadata_agreement` over documents and what the extractor made of each (doc_id → fields)."""
    out: dict = {}
    wrong, invented = [], []
    total_n = total_right = 0
    for f in EXPECTED_FIELDS:
        n = right = 0
        for d in extras:
            want = d.expected.get(f)
            got = extracted.get(d.doc_id, {}).get(f)
            if want in (None, ""):
                if got not in (None, ""):
                    invented.append({"doc_id": d.doc_id, "field": f, "got": got})
                continue  # the text does not state it; nothing to score
            n += 1
            if _same(f, got, want):
                right += 1
            else:
                wrong.append({"doc_id": d.doc_id, "field": f, "expected": want, "got": got})
        out[f] = {"n": n, "right": right, "rate": right / n if n else None}
        total_n += n
        total_right += right
    out["all"] = {"n": total_n, "right": total_right, "rate": total_right / total_n if total_n else None}
    out["wrong"] = wrong
    out["invented"] = invented
    return out


def render_agreement(agreement: dict) -> str:
    """A markdown table of `metadata_agreement` ("expected": fields the manifest gives a value)."""
    lines = ["## Extracted metadata vs the manifest's hand-checked values", "",
             "| field | expected | right | rate |", "|---|---:|---:|---:|"]
    for f in (*EXPECTED_FIELDS, "all"):
        row = agreement[f]
        rate = "–" if row["rate"] is None else f"{row['rate']:.2f}"
        lines.append(f"| {f} | {row['n']} | {row['right']} | {rate} |")
    return "\n".join(lines) + "\n"
