"""Sentence embeddings for choosing the answer sentence.

Every sentence of every chunk (split like `qa.answering.answer.split_sentences`) is
embedded once with the passage encoder and kept next to the index build as
`sentences.npy` (float32, one row per sentence, written without pickle) and
`sentences.json` (format version, model id, a hash of the chunk texts, and
each row's chunk number and span). They are derived data: a missing, stale
or damaged pair is simply recomputed, so the index manifest does not list
them. A corpus too large to embed sentence by sentence (see
`MAX_PRECOMPUTE`) is embedded lazily instead, only the sentences of the
passages an answer is drawn from (cached in memory).

At query time a similarity is one dot product: answering costs no model call.
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
import threading
import weakref
from pathlib import Path

import numpy as np

from ..indexing.script import simplified
from .answer import split_sentences

log = logging.getLogger(__name__)

FORMAT = 3  # 2: sentences embedded as their simplified reading (qa.indexing.script); 3: split at 此件… marks
MAX_PRECOMPUTE = 20_000  # sentences; beyond this, embed on demand (a 100k-chunk corpus has ~400k)
_NPY, _META = "sentences.npy", "sentences.json"


def _corpus_key(chunks) -> str:
    h = hashlib.sha256()
    for c in chunks:
        h.update(c.chunk_id.encode("utf-8") + b"\0" + c.text.encode("utf-8") + b"\1")
    return h.hexdigest()


class SentenceVectors:
    """(row, sentence span) → unit vector; `similarities(qv, row)` → [(start, end, cosine)]."""

    def __init__(self, chunks, encoder, directory: Path | None):
        self._chunks = chunks
        self._encoder = encoder
        self._dir = Path(directory) if directory else None
        self._lock = threading.Lock()
        self._rows: dict[int, tuple[list[tuple[int, int]], np.ndarray]] = {}
        self._all: np.ndarray | None = None  # every sentence's vector, for `stats`

    def _spans(self, row: int) -> list[tuple[int, int]]:
        return split_sentences(self._chunks[row].text)

    def warm(self) -> str:
        """Load or compute the vectors of every sentence; returns what it did."""
        with self._lock:
            if self._rows and len(self._rows) == len(self._chunks):
                return "ready"
            spans = [self._spans(i) for i in range(len(self._chunks))]
            total = sum(map(len, spans))
            if total > MAX_PRECOMPUTE:
                return f"{total} sentences: embedded on demand"
            key = _corpus_key(self._chunks)
            vecs = self._read(key, total, spans)
            did = "loaded"
            if vecs is None:
                texts = [simplified(self._chunks[i].text[a:b]) for i, sp in enumerate(spans) for a, b in sp]
                vecs = self._encoder.encode_passages(texts) if texts else np.zeros((0, 1), dtype=np.float32)
                vecs = np.ascontiguousarray(vecs, dtype=np.float32)
                self._write(key, spans, vecs)
                did = f"embedded {total} sentences"
            pos = 0
            for i, sp in enumerate(spans):
                self._rows[i] = (sp, vecs[pos : pos + len(sp)])
                pos += len(sp)
            return did

    def _read(self, key: str, total: int, spans) -> np.ndarray | None:
        if self._dir is None:
            return None
        try:
            meta = json.loads((self._dir / _META).read_text(encoding="utf-8"))
            if (meta.get("format"), meta.get("model_id"), meta.get("corpus"), meta.get("n")) != (
                    FORMAT, getattr(self._encoder, "model_id", ""), key, total):
                return None
            if meta.get("spans") != [[i, a, b] for i, sp in enumerate(spans) for a, b in sp]:
                return None  # the sentences are split differently now: each row would be another sentence
            vecs = np.load(self._dir / _NPY, allow_pickle=False)
        except (OSError, ValueError):
            return None
        return vecs if vecs.ndim == 2 and len(vecs) == total else None

    def _write(self, key: str, spans, vecs: np.ndarray) -> None:
        if self._dir is None:
            return
        meta = {"format": FORMAT, "model_id": getattr(self._encoder, "model_id", ""), "corpus": key, "n": len(vecs),
                "spans": [[i, a, b] for i, sp in enumerate(spans) for a, b in sp]}
        try:  # vectors first, then the metadata that vouches for them; each swapped in whole
            tmp = self._dir / f".{_NPY}.{os.getpid()}.tmp"
            with open(tmp, "wb") as f:
                np.save(f, vecs, allow_pickle=False)
            os.replace(tmp, self._dir / _NPY)
            tmp = self._dir / f".{_META}.{os.getpid()}.tmp"
            tmp.write_text(json.dumps(meta), encoding="utf-8")
            os.replace(tmp, self._dir / _META)
        except OSError as e:  # a read-only index still answers; it re-embeds next start
            log.warning("cannot save sentence vectors in %s: %s", self._dir, e)

    def _ensure(self, rows: list[int]) -> None:
        missing = [i for i in dict.fromkeys(rows) if i not in self._rows]
        if not missing:
            return
        spans = {i: self._spans(i) for i in missing}
        texts = [simplified(self._chunks[i].text[a:b]) for i in missing for a, b in spans[i]]
        vecs = np.ascontiguousarray(self._encoder.encode_passages(texts), dtype=np.float32) if texts else None
        pos = 0
        with self._lock:
            for i in missing:
                n = len(spans[i])
                self._rows[i] = (spans[i], vecs[pos : pos + n] if n else np.zeros((0, 1), dtype=np.float32))
                pos += n

    def similarities(self, qv, rows: list[int]) -> dict[int, list[tuple[int, int, float]]]:
        """row → [(start, end, cosine with the question)] for each sentence of that chunk."""
        self._ensure(rows)
        q = np.asarray(qv, dtype=np.float32).ravel()
        out = {}
        for i in rows:
            spans, vecs = self._rows[i]
            sims = vecs @ q if len(spans) else np.zeros(0, dtype=np.float32)
            out[i] = [(a, b, float(s)) for (a, b), s in zip(spans, sims)]
        return out


    def stats(self, qv) -> tuple[float, float] | None:
        """(mean, std) of the question's cosine over every sentence, or None before `warm`."""
        with self._lock:
            if len(self._rows) != len(self._chunks):
                return None
            if self._all is None:
                self._all = np.concatenate([v for _, v in self._rows.values() if len(v)] or
                                           [np.zeros((0, len(np.asarray(qv).ravel())), dtype=np.float32)])
            allv = self._all
        if not len(allv):
            return None
        sims = allv @ np.asarray(qv, dtype=np.float32).ravel()
        return float(sims.mean()), float(sims.std())


_BY_RETRIEVER: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()
_GLOBAL = threading.Lock()


def for_retriever(r) -> SentenceVectors:
    """The retriever's sentence vectors (one object per retriever)."""
    with _GLOBAL:
        sv = _BY_RETRIEVER.get(r)
        if sv is None:
            data = getattr(r, "_data", None)
            sv = SentenceVectors(r.chunks, r.encoder, getattr(data, "directory", None))
            _BY_RETRIEVER[r] = sv
        return sv
