"""python -m bench.ask: /api/ask latency on the shipped corpus, and what choosing the answer costs.

Starts `python app.py` on a free loopback port, waits until it is ready,
POSTs every question of the eval sets once (each a new question: the query
embedding cache cannot help) and prints p50/p95. Then, in this process, it
splits one answer into its stages — search, building the answer with the
sentence vectors (`qa.answering.sentvec`, embedded at index time), and without them —
so the cost of scoring sentences with the embedding model is visible.
Stops the server it started (by pid). Numbers, not a test.
"""
from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
QUESTION_FILES = (ROOT / "eval" / "questions.jsonl", ROOT / "eval" / "heldout.jsonl")


def _pct(values, p):
    v = sorted(values)
    if not v:
        return float("nan")
    i = (len(v) - 1) * p / 100
    lo = int(i)
    hi = min(lo + 1, len(v) - 1)
    return v[lo] + (v[hi] - v[lo]) * (i - lo)


def _questions(limit: int | None) -> list[str]:
    qs = [json.loads(line)["question"] for f in QUESTION_FILES for line in f.read_text(encoding="utf-8").splitlines()
          if line.strip()]
    return qs[:limit] if limit else qs


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _post(url: str, body: dict) -> dict:
    req = urllib.request.Request(url, data=json.dumps(body).encode("utf-8"),
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=120) as r:
        return json.loads(r.read())


def bench_http(questions: list[str], *, timeout: float = 900.0) -> list[float]:
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "GRADIO_ANALYTICS_ENABLED": "False", "QA_FEEDBACK_LOG": os.devnull}
    proc = subprocess.Popen([sys.executable, "app.py", "--host", "127.0.0.1", "--port", str(port)], cwd=ROOT,
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        started = time.monotonic()
        while True:
            if proc.poll() is not None:
                raise SystemExit(f"app.py exited with {proc.returncode}")
            try:
                with urllib.request.urlopen(base + "/api/health", timeout=2) as r:
                    if json.loads(r.read()).get("ready"):
                        break
            except (OSError, ValueError):
                pass
            if time.monotonic() - started > timeout:
                raise SystemExit("app.py not ready in time")
            time.sleep(0.5)
        _post(base + "/api/ask", {"question": "卫生健康工作要点"})  # warm-up, untimed
        times = []
        for q in questions:
            t0 = time.perf_counter()
            _post(base + "/api/ask", {"question": q})
            times.append((time.perf_counter() - t0) * 1000)
        return times
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()


def bench_stages(questions: list[str]) -> dict[str, list[float]]:
    """ms per question for: search; answer with sentence vectors; answer without them."""
    from qa import Retriever
    from qa.answering.answer import build_answer
    from qa.answering.respond import respond, warm

    r = Retriever.load()
    warm(r)
    out = {"search": [], "answer (lexical + sentence vectors)": [], "answer (lexical only)": []}
    for q in questions:
        r.clear_cache()
        t0 = time.perf_counter()
        hits = r.search(q, k=10)
        t1 = time.perf_counter()
        respond(r, q, hits=hits)
        t2 = time.perf_counter()
        qa_ = r.analyze(q)
        build_answer(q, hits, query=qa_, abstain=False)
        t3 = time.perf_counter()
        out["search"].append((t1 - t0) * 1000)
        out["answer (lexical + sentence vectors)"].append((t2 - t1) * 1000)
        out["answer (lexical only)"].append((t3 - t2) * 1000)
    return out


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.ask", description=__doc__.splitlines()[0])
    p.add_argument("--limit", type=int, help="only the first N questions")
    p.add_argument("--no-http", action="store_true", help="skip the live server; time the stages only")
    args = p.parse_args(argv)
    import logging

    logging.basicConfig(level=logging.WARNING)
    questions = _questions(args.limit)
    rows = []
    if not args.no_http:
        t = bench_http(questions)
        rows.append(("POST /api/ask (HTTP, whole pipeline)", t))
    for name, t in bench_stages(questions).items():
        rows.append((name, t))
    print(f"{len(questions)} questions, one request each, sequential\n")
    print("| what | p50 ms | p95 ms | mean ms |")
    print("|---|---:|---:|---:|")
    for name, t in rows:
        print(f"| {name} | {_pct(t, 50):.1f} | {_pct(t, 95):.1f} | {sum(t) / len(t):.1f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
