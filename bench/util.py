"""Small measuring helpers shared by the benchmark jobs: memory, time, percentiles,
the index writer, profiles."""
from __future__ import annotations

import cProfile
import io
import json
import pstats
import re
import sys
import time
from pathlib import Path

import numpy as np

from qa.indexing import index_store
from qa.corpus.chunking import CHUNKER_VERSION
from qa.corpus.files import sha256_file
from qa.search.retriever import DEFAULT_PARAMS
from qa.indexing.tokenize import TOKENIZER_VERSION

_STARTED = time.perf_counter()


def say(tag: str, msg: str) -> None:
    """Progress line on stderr (stdout of a job is not used; results go to a JSON file)."""
    print(f"[bench {time.perf_counter() - _STARTED:6.1f}s {tag}] {msg}", file=sys.stderr, flush=True)


def mem_mb() -> dict[str, float]:
    """Current and peak resident set of this process, in MB (from /proc/self/status).

    VmHWM is the kernel's high-water mark of VmRSS: the true peak, including
    short spikes no sampling would catch.
    """
    text = Path("/proc/self/status").read_text()
    out = {}
    for key in ("VmRSS", "VmHWM", "RssAnon", "RssFile"):
        m = re.search(rf"^{key}:\s+(\d+) kB", text, re.M)
        out[key] = round(int(m.group(1)) / 1024, 1) if m else float("nan")
    return out


class Clock:
    """`with clock("step"):` records seconds under that name."""

    def __init__(self):
        self.seconds: dict[str, float] = {}

    def __call__(self, name: str):
        clock = self

        class _Span:
            def __enter__(self):
                self.t0 = time.perf_counter()

            def __exit__(self, *exc):
                clock.seconds[name] = round(time.perf_counter() - self.t0, 4)

        return _Span()


def pcts(latencies_s: list[float]) -> dict[str, float]:
    """p50/p95/mean in milliseconds, plus the count."""
    if not latencies_s:
        return {"n": 0, "p50": float("nan"), "p95": float("nan"), "mean": float("nan")}
    a = np.asarray(latencies_s) * 1e3
    return {"n": len(a), "p50": round(float(np.percentile(a, 50)), 2),
            "p95": round(float(np.percentile(a, 95)), 2), "mean": round(float(a.mean()), 2)}


def timed(fn, *args, **kwargs) -> tuple[float, object]:
    t0 = time.perf_counter()
    out = fn(*args, **kwargs)
    return time.perf_counter() - t0, out


def write_index(root: Path, metas, chunks, tokens, dense, *, model_id: str, corpus_id: str) -> Path:
    """Write a build in index_store's layout (root/CURRENT → builds/<name>/) so that
    `index_store.load(root)` reads it exactly as it reads a real build.

    Reuses index_store's own file writer; only the manifest is assembled here,
    because `index_store.build` insists on a corpus directory and an encoder.
    No fsync: a benchmark does not need crash safety, and fsync time depends on
    the disk, not on our code.
    """
    root = Path(root)
    directory = root / "builds" / "bench"
    directory.mkdir(parents=True, exist_ok=True)
    keys = [index_store._embed_key(model_id, index_store.embed_text(c, None)) for c in chunks]
    files = index_store._write_build(directory, metas, chunks, keys, tokens, dense)
    manifest = {
        "format_version": index_store.FORMAT_VERSION, "corpus_hash": corpus_id,
        "tokenizer_version": TOKENIZER_VERSION, "chunker_version": CHUNKER_VERSION,
        "embed_text_version": index_store.EMBED_TEXT_VERSION, "model_id": model_id,
        "params": {**DEFAULT_PARAMS, "dense_kind": dense.kind},
        "counts": {"documents": len(metas), "chunks": len(chunks), "dim": dense.dim},
        "files": {f: {"sha256": sha256_file(directory / f), "bytes": (directory / f).stat().st_size}
                  for f in files},
    }
    (directory / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
    (root / "CURRENT").write_text("bench\n", encoding="utf-8")
    return directory




def file_sizes_mb(directory: Path) -> dict[str, float]:
    return {p.name: round(p.stat().st_size / 2**20, 2) for p in sorted(Path(directory).iterdir()) if p.is_file()}


def profile(fn, *, top: int = 18) -> str:
    """Run fn under cProfile; the `top` functions by own time, as text."""
    prof = cProfile.Profile()
    prof.enable()
    fn()
    prof.disable()
    buf = io.StringIO()
    stats = pstats.Stats(prof, stream=buf)
    stats.sort_stats("tottime").print_stats(top)
    lines = buf.getvalue().splitlines()
    # drop pstats' preamble up to the column header, and shorten site-packages paths
    start = next((i for i, line in enumerate(lines) if line.strip().startswith("ncalls")), 0)
    keep = [re.sub(r"\S*/(site-packages|lib/python3\.\d+)/", "", line) for line in lines[start:] if line.strip()]
    return "\n".join(keep)


def machine() -> dict[str, str]:
    """nproc, CPU model, RAM, load, and the versions that matter for speed."""
    import os
    import platform

    info = {"nproc": str(len(os.sched_getaffinity(0))), "python": platform.python_version()}
    cpu = re.search(r"^model name\s*:\s*(.+)$", Path("/proc/cpuinfo").read_text(), re.M)
    info["cpu"] = cpu.group(1).strip() if cpu else platform.processor()
    mem = re.search(r"^MemTotal:\s+(\d+) kB", Path("/proc/meminfo").read_text(), re.M)
    info["ram"] = f"{int(mem.group(1)) / 2**20:.1f} GiB" if mem else "?"
    info["loadavg"] = " ".join(f"{x:.2f}" for x in os.getloadavg())
    from importlib.metadata import PackageNotFoundError, version

    for pkg in ("torch", "faiss-cpu", "numpy", "scipy", "sentence-transformers", "rank-bm25", "jieba-next", "onnxruntime"):
        try:
            info[pkg] = version(pkg)
        except PackageNotFoundError:
            info[pkg] = "-"
    return info
