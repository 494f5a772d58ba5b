"""The persisted index: a directory per build, switched atomically.

    index/
      CURRENT              name of the live build (replaced with os.replace)
      builds/<name>/
        manifest.json      format version, corpus hash, tokenizer/chunker/model ids,
                           parameters, counts, sha256 of every file below
        docs.json          the catalogue the build saw
        chunks.jsonl       one Chunk per line (+ its embedding-cache key)
        bm25_tokens.jsonl  BM25 tokens per chunk (rank_bm25 has no save; we rebuild)
        embeddings.npy     float32 unit vectors (allow_pickle=False)
        dense.faiss        faiss index over them
        xling_*            English→Chinese lexicon and term table (qa.crosslingual)

A build writes a new directory, then flips CURRENT; a build killed at any
moment leaves the previous one live.  Loading verifies every checksum, so a
truncated or edited file is detected, reported, and the index rebuilt —
never used to give wrong answers.  Nothing is pickled.
"""
from __future__ import annotations

import contextlib
import errno
import fcntl
import hashlib
import json
import logging
import os
import shutil
import stat
import sys
import time
import uuid
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from .. import crosslingual
from .bm25 import BM25Index, StoredTokens
from ..corpus.chunking import CHUNKER_VERSION, chunk_corpus
from .dense import DenseIndex, resolve_kind
from ..corpus.documents import REPO_ROOT, corpus_hash, load_corpus
from ..corpus.files import sha256_file
from ..records import Chunk, DocMeta
from .tokenize import TOKENIZER_VERSION, tokenize
from .script import simplified

log = logging.getLogger(__name__)

FORMAT_VERSION = 1
EMBED_TEXT_VERSION = 3  # bump when embed_text() changes: vectors must be recomputed (3: simplified reading)
DEFAULT_INDEX = REPO_ROOT / "index"
# every file load() reads; the manifest must vouch for each (sha256 + size)
_PROGRESS_SLICE = 16  # chunks per progress report (half an encoder batch: the count moves every second or so)
REQUIRED_FILES = ("docs.json", "chunks.jsonl", "bm25_tokens.jsonl", "embeddings.npy", "dense.faiss")
LOAD_ATTEMPTS = 5  # a build may switch CURRENT (and delete the old build) while a load reads it


class IndexUnusable(Exception):
    """The stored index cannot be used as is (missing, stale or damaged)."""


@dataclass
class IndexData:
    directory: Path
    manifest: dict
    metas: list[DocMeta]
    chunks: list[Chunk]
    tokens: Sequence[list[str]]  # a list after a build; StoredTokens (read on first use) after a load
    bm25: BM25Index
    dense: DenseIndex
    crosslingual: crosslingual.CrossLingual | None = None


def index_text(chunk: Chunk, meta: DocMeta) -> str:
    """What BM25 sees: place and title (so 鼓楼区… matches), heading path, text."""
    return " ".join([meta.province, meta.city, meta.district, meta.title, chunk.section, chunk.text])


def embed_text(chunk: Chunk, meta: DocMeta) -> str:
    """What the encoder sees; e5's `passage: ` prompt is added by the model.

    The chunk text alone: measured on eval/questions.jsonl, prefixing the
    place/title/heading path made every passage of a document look alike to
    e5 (dense hit@5 0.84 with the prefix, 0.91 without; English 0.68 → 0.84).
    Places and headings reach BM25 instead (`index_text`), and place names
    steer the fusion.
    """
    del meta  # kept in the signature: what to embed is a per-document decision
    return simplified(chunk.text)  # a 繁體 copy is embedded as its simplified reading (qa.indexing.script)


def _embed_key(model_id: str, text: str) -> str:
    return hashlib.sha256(f"{model_id}\0{text}".encode()).hexdigest()[:32]


def identity(corpus_dir: Path, model_id: str, params: dict) -> dict:
    """What the stored index must match to be reused."""
    return {
        "format_version": FORMAT_VERSION,
        "corpus_hash": corpus_hash(corpus_dir),
        "tokenizer_version": TOKENIZER_VERSION,
        "chunker_version": CHUNKER_VERSION,
        "embed_text_version": EMBED_TEXT_VERSION,
        "crosslingual_version": crosslingual.version(),
        "model_id": model_id,
        "params": params,
    }



def _write_jsonl(path: Path, rows) -> None:
    with open(path, "w", encoding="utf-8") as f:
        for row in rows:
            f.write(json.dumps(row, ensure_ascii=False) + "\n")


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@contextlib.contextmanager
def _build_lock(root: Path):
    """One build at a time per index root (across processes)."""
    root.mkdir(parents=True, exist_ok=True)
    with open(root / ".build.lock", "w") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


def current_build(root: Path) -> Path | None:
    """The live build's directory (None if there is none yet); IndexUnusable naming CURRENT if it is bad."""
    pointer = Path(root) / "CURRENT"
    try:
        st = os.lstat(pointer)
    except FileNotFoundError:
        return None
    advice = "delete it and run python -m qa build"
    if not stat.S_ISREG(st.st_mode):  # a directory or FIFO left the app "not ready" (or hung) without a word
        raise IndexUnusable(f"{pointer} is not a regular file; {advice}")
    if st.st_size > 4096:
        raise IndexUnusable(f"{pointer} is {st.st_size} bytes, not a build name; {advice}")
    try:
        name = pointer.read_bytes().decode("utf-8").strip()
    except UnicodeDecodeError:
        raise IndexUnusable(f"{pointer} is not UTF-8 text; {advice}") from None
    except OSError as e:
        raise IndexUnusable(f"{pointer} cannot be read ({e.strerror or e}); {advice}") from None
    if not name:
        return None
    if "/" in name or "\0" in name or name.startswith("."):
        raise IndexUnusable(f"{pointer} names {name[:100]!r}, which is not a build name; {advice}")
    return Path(root) / "builds" / name


def _safe_member(directory: Path, name: str) -> Path:
    """directory/name for a file the manifest lists: a plain name of a regular file in the build, else refused.

    A manifest listing /dev/zero made the checksum read it for ever; "../x" or a symlink would read
    outside the build.
    """
    if not isinstance(name, str) or not name or "/" in name or "\\" in name or "\0" in name or name in (".", ".."):
        raise IndexUnusable(f"{directory}/manifest.json is damaged (it lists {str(name)[:100]!r}, "
                            "which is not a file name inside the build)")
    path = directory / name
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        raise IndexUnusable(f"index file {name} is missing") from None
    if not stat.S_ISREG(st.st_mode):
        raise IndexUnusable(f"index file {name} in {directory} is not a regular file")
    return path


def load(root: Path = DEFAULT_INDEX, *, expect: dict | None = None, dense_kind: str | None = None) -> IndexData:
    """Load the live build; raise IndexUnusable saying why it cannot be used.

    CURRENT is read once per attempt and only that build is opened; if the build
    fails to read and CURRENT has moved meanwhile (a build finished and removed
    the old one), the new build is loaded instead — up to LOAD_ATTEMPTS times.
    """
    for _ in range(LOAD_ATTEMPTS):
        directory = current_build(root)
        if directory is None:
            raise IndexUnusable(f"no index built yet in {root}")
        try:
            return _load_build(root, directory, expect=expect, dense_kind=dense_kind)
        except (IndexUnusable, OSError, RuntimeError, ValueError) as e:
            try:
                moved = current_build(root) != directory
            except IndexUnusable:
                moved = False
            if moved:
                log.info("the index switched to a new build while %s was read; loading that one", directory.name)
                continue
            if isinstance(e, IndexUnusable):
                raise
            raise IndexUnusable(f"index in {directory} cannot be read: {type(e).__name__}: {e}") from e
    raise IndexUnusable(f"the index in {root} changed {LOAD_ATTEMPTS} times while loading; try again")


def _load_build(root: Path, directory: Path, *, expect: dict | None, dense_kind: str | None) -> IndexData:
    if not directory.is_dir():
        raise IndexUnusable(f"{root}/CURRENT names build {directory.name!r}, which does not exist")
    if not (directory / "manifest.json").exists():
        raise IndexUnusable(f"index file manifest.json is missing in {directory}")
    try:
        manifest = json.loads((directory / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:  # ValueError: bad JSON or bad UTF-8
        raise IndexUnusable(f"{directory}/manifest.json is unreadable: {e}") from e
    files = manifest.get("files") if isinstance(manifest, dict) else None
    # valid JSON of the wrong shape, or a manifest that vouches for no files, is damage too
    if not isinstance(files, dict) or not all(isinstance(i, dict) and {"bytes", "sha256"} <= set(i) for i in files.values()):
        raise IndexUnusable(f"{directory}/manifest.json is damaged (no valid file list)")
    if expect is not None:
        expect = _resolved(expect, (manifest.get("counts") or {}).get("chunks"))
        for key, want in expect.items():
            if manifest.get(key) != want:
                raise IndexUnusable(f"index is stale: {key} changed ({manifest.get(key)!r} → {want!r})")
    for name in REQUIRED_FILES:
        if name not in files:
            raise IndexUnusable(f"{directory}/manifest.json is damaged (it does not list {name})")
    for name, info in files.items():
        path = _safe_member(directory, name)
        if path.stat().st_size != info["bytes"] or sha256_file(path) != info["sha256"]:
            raise IndexUnusable(f"index file {name} is damaged (checksum mismatch)")
    try:
        metas = [DocMeta(**d) for d in json.loads((directory / "docs.json").read_text(encoding="utf-8"))]
        chunks, keys = [], []
        with open(directory / "chunks.jsonl", encoding="utf-8") as f:
            for line in f:
                row = json.loads(line)
                keys.append(row.pop("embed_key"))
                row["heading_path"] = tuple(row["heading_path"])
                chunks.append(Chunk(**row))
        # the token lists only feed the matrix: it is built from the file directly, and the lists
        # are read again only if someone asks for them
        bm25 = BM25Index.from_token_file(directory, **manifest["params"]["bm25"])
        tokens = StoredTokens(directory, len(bm25))
        dense = DenseIndex.load(directory, kind=dense_kind or resolve_kind(manifest["params"]["dense_kind"], len(chunks)))
        xling = crosslingual.CrossLingual.load(directory, files)
    except (OSError, ValueError, KeyError, TypeError, RuntimeError) as e:  # RuntimeError: faiss on a vanished file
        raise IndexUnusable(f"index in {directory} cannot be read: {e}") from e
    if not (len(chunks) == len(tokens) == len(dense)):
        raise IndexUnusable(f"index counts disagree: {len(chunks)} chunks, {len(tokens)} token rows, {len(dense)} vectors")
    manifest["_embed_keys"] = keys
    return IndexData(directory, manifest, metas, chunks, tokens, bm25, dense, xling)


def _resolved(expect: dict, chunks) -> dict:
    """`expect` with dense_kind "auto" replaced by what a build of `chunks` chunks stores."""
    params = expect.get("params")
    if not isinstance(params, dict) or params.get("dense_kind") != "auto" or not isinstance(chunks, int):
        return expect
    return {**expect, "params": {**params, "dense_kind": resolve_kind("auto", chunks)}}


def _previous_build(root: Path, model_id: str) -> tuple[dict[str, np.ndarray], crosslingual.CrossLingual | None]:
    """Embedding cache from the live build: key → vector (same model only), and its term table."""
    try:
        old = load(root)
    except IndexUnusable:
        return {}, None
    if old.manifest.get("model_id") != model_id:
        return {}, None
    return {k: old.dense.embeddings[i] for i, k in enumerate(old.manifest["_embed_keys"])}, old.crosslingual


def build(root: Path, corpus_dir: Path, encoder, params: dict, *, show_progress: bool = False,
          progress=None, reuse_from: Path | None = None) -> IndexData:
    """Build a new index from the corpus and make it live atomically.

    `progress(stage, done, total)`, if given, is called as the build goes
    (stages: "chunking", "embedding" with chunks embedded / to embed, "writing").
    `reuse_from`: another index directory whose vectors (chunks and terms, same model) are
    borrowed for identical texts, as the live build's are — e.g. a corpus sharing most documents.
    """
    root = Path(root)
    report = progress or (lambda stage, done, total: None)
    started = time.perf_counter()
    with _build_lock(root):
        report("chunking", 0, 0)
        docs = load_corpus(corpus_dir)
        metas = [d.meta for d in docs]
        by_id = {m.doc_id: m for m in metas}
        chunks = chunk_corpus(docs)
        if not chunks:
            raise IndexUnusable(f"the corpus in {corpus_dir} yields no chunks")
        # interned, as on load: one str object per distinct token, not per occurrence
        tokens = [[sys.intern(t) for t in tokenize(index_text(c, by_id[c.doc_id]))] for c in chunks]

        texts = [embed_text(c, by_id[c.doc_id]) for c in chunks]
        keys = [_embed_key(encoder.model_id, t) for t in texts]
        cache, old_xling = _previous_build(root, encoder.model_id)
        if reuse_from is not None:
            # keys hash the model and the text, so a vector from another index is the same vector
            borrowed, other_xling = _previous_build(Path(reuse_from), encoder.model_id)
            cache = {**borrowed, **cache}
            old_xling = old_xling or other_xling
        todo = [i for i, k in enumerate(keys) if k not in cache]
        vectors = np.zeros((len(chunks), encoder.dim), dtype=np.float32)
        for i, k in enumerate(keys):
            if k in cache:
                vectors[i] = cache[k]
        if todo:
            log.info("embedding %d of %d chunks (%d reused)", len(todo), len(chunks), len(chunks) - len(todo))
            # in slices when someone watches, so the count moves (a status line shows it)
            step = len(todo) if progress is None else _PROGRESS_SLICE
            for a in range(0, len(todo), step):
                report("embedding", a, len(todo))
                part = todo[a:a + step]
                vectors[part] = encoder.encode_passages([texts[i] for i in part], show_progress=show_progress)
            report("embedding", len(todo), len(todo))
        report("writing", len(chunks), len(chunks))
        # the manifest records the concrete kind ("auto" resolved), which load() checks against
        params = {**params, "dense_kind": resolve_kind(params["dense_kind"], len(chunks))}
        dense = DenseIndex(vectors, kind=params["dense_kind"])
        bm25 = BM25Index(tokens, **params["bm25"])
        xl_started = time.perf_counter()
        xling = crosslingual.CrossLingual.build(tokens, bm25.idf_map(), encoder, previous=old_xling)
        xl_seconds = time.perf_counter() - xl_started

        name = time.strftime("%Y%m%d-%H%M%S") + f"-{os.getpid()}-{uuid.uuid4().hex[:6]}"
        builds = root / "builds"
        builds.mkdir(parents=True, exist_ok=True)
        tmp = builds / f".tmp-{name}"
        tmp.mkdir()
        try:
            files = _write_build(tmp, metas, chunks, keys, tokens, dense) + xling.save(tmp)
            ident = identity(corpus_dir, encoder.model_id, params)
            manifest = {
                **ident,
                "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
                "counts": {"documents": len(metas), "chunks": len(chunks), "dim": int(encoder.dim),
                           "embedded": len(todo), "reused": len(chunks) - len(todo)},
                "build_seconds": round(time.perf_counter() - started, 2),
                "crosslingual": {"lexicon_keys": len(xling.lexicon), "terms": len(xling.table),
                                 "terms_embedded": xling.table.embedded, "seconds": round(xl_seconds, 2)},
                "files": {f: {"sha256": sha256_file(tmp / f), "bytes": (tmp / f).stat().st_size} for f in files},
            }
            (tmp / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
            for f in [*files, "manifest.json"]:
                with open(tmp / f, "rb") as fh:
                    os.fsync(fh.fileno())
            _fsync_dir(tmp)
            final = builds / name
            os.replace(tmp, final)
            pointer_tmp = root / ".CURRENT.tmp"
            pointer_tmp.write_text(name + "\n", encoding="utf-8")
            with open(pointer_tmp, "rb") as fh:
                os.fsync(fh.fileno())
            os.replace(pointer_tmp, root / "CURRENT")  # the one atomic switch
            _fsync_dir(root)
        except (OSError, RuntimeError) as e:
            shutil.rmtree(tmp, ignore_errors=True)
            raise _write_error(e, root) from e
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        _remove_old_builds(builds, keep=name)
    log.info("built index %s: %d documents, %d chunks, %d embedded, %.1f s",
             name, len(metas), len(chunks), len(todo), time.perf_counter() - started)
    manifest["_embed_keys"] = keys
    return IndexData(final, manifest, metas, chunks, tokens, bm25, dense, xling)


_FULL = (errno.ENOSPC, errno.EDQUOT, errno.EFBIG)


def _write_error(e: Exception, root: Path) -> Exception:
    """A failed index write as an OSError that names the directory and says what to do.

    The disk-full case used to surface as faiss's "OSError '57600 requested and 10208 written'".
    """
    text = str(e)
    full = getattr(e, "errno", None) in _FULL or ("requested and" in text and "written" in text)
    if not full and not isinstance(e, OSError):
        return e
    try:
        free = f"{shutil.disk_usage(root).free / 2**20:.0f} MiB free there now"
    except OSError:
        free = "free space unknown"
    if full:
        return OSError(errno.ENOSPC, f"cannot write the index in {root}: the disk (or a file size limit) is full "
                                     f"({free}; the previous index is kept). Free some space, or build elsewhere "
                                     f"with --index DIR / QA_INDEX_DIR. Detail: {text}")
    return OSError(getattr(e, "errno", None) or errno.EIO,
                   f"cannot write the index in {root}: {text}; the previous index is kept")


def _write_build(tmp: Path, metas, chunks, keys, tokens, dense: DenseIndex) -> list[str]:
    (tmp / "docs.json").write_text(json.dumps([asdict(m) for m in metas], ensure_ascii=False, indent=1), encoding="utf-8")
    rows = []
    for c, k in zip(chunks, keys):
        row = asdict(c)
        row["heading_path"] = list(c.heading_path)
        row["embed_key"] = k
        rows.append(row)
    _write_jsonl(tmp / "chunks.jsonl", rows)
    token_files = BM25Index.write_tokens(tmp, tokens)
    dense_files = dense.save(tmp)
    return ["docs.json", "chunks.jsonl", *token_files, *dense_files]


def _remove_old_builds(builds: Path, keep: str) -> None:
    """Delete superseded builds and leftovers of killed builds (under the lock)."""
    for d in builds.iterdir():
        if d.name != keep:
            shutil.rmtree(d, ignore_errors=True)
