"""A normal question's latency while hostile requests are in flight (issue 14's load repro).

    python -m bench.hostile                       # this checkout's app.py, 45 × 64 KB hostile asks
    python -m bench.hostile --root /path/to/other/checkout --index /tmp/idx --hostile 45 --kb 64

Starts `python app.py` from --root on a free 127.0.0.1 port, waits until it is ready, measures a
normal question idle, then sends --hostile concurrent POST /api/ask requests whose question is
--kb KB of place names (with a one-line history, which made the follow-up rewriter match places
over all of it) and, while they are in flight, asks the normal question --normal times and
/api/health as often.  Prints a table; everything is bounded (per-request timeout, overall
deadline) and loopback only.  The app is stopped by its pid at the end.
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

NORMAL = "哪个区要求严重精神障碍患者报告患病率不低于4.5%？"
PASTE_UNIT = "鼓楼区卫东区Gulou Weidong "


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def request(port: int, method: str, path: str, body: bytes | None = None, timeout: float = 180.0):
    """(status or an error name, seconds)."""
    started = time.perf_counter()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        headers = {"Content-Type": "application/json"} if body is not None else {}
        conn.request(method, path, body=body, headers=headers)
        resp = conn.getresponse()
        resp.read()
        status: int | str = resp.status
    except (OSError, http.client.HTTPException) as e:
        status = type(e).__name__
    finally:
        conn.close()
    return status, time.perf_counter() - started


def ask_body(question: str, history: list[str] | None = None) -> bytes:
    return json.dumps({"question": question, "history": history or []}, ensure_ascii=False).encode("utf-8")


def wait_ready(port: int, proc: subprocess.Popen, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"app.py exited with {proc.returncode}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/api/health")
            health = json.loads(conn.getresponse().read())
            conn.close()
            if health.get("ready"):
                return
            if health.get("error"):
                raise SystemExit(f"the index failed to load: {health['error']}")
        except (OSError, ValueError, http.client.HTTPException):
            pass
        time.sleep(1)
    raise SystemExit(f"app.py not ready after {timeout} s")


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--root", type=Path, default=Path(__file__).resolve().parents[1], help="checkout holding app.py")
    p.add_argument("--index", type=Path, default=None, help="index directory (default: the checkout's)")
    p.add_argument("--hostile", type=int, default=45, help="concurrent hostile requests")
    p.add_argument("--kb", type=int, default=64, help="size of each hostile question in KB")
    p.add_argument("--normal", type=int, default=10, help="normal questions asked while they are in flight")
    p.add_argument("--timeout", type=float, default=240.0, help="per-request timeout, seconds")
    p.add_argument("--ready-timeout", type=float, default=900.0, help="seconds to wait for the app to load")
    args = p.parse_args(argv)

    port = free_port()
    cmd = [sys.executable, "app.py", "--host", "127.0.0.1", "--port", str(port)]
    if args.index:
        cmd += ["--index", str(args.index)]
    log = open(Path(os.environ.get("TMPDIR", "/tmp")) / f"bench-hostile-{port}.log", "w")
    proc = subprocess.Popen(cmd, cwd=args.root, stdout=log, stderr=subprocess.STDOUT,
                            env={**os.environ, "GRADIO_ANALYTICS_ENABLED": "False"})
    try:
        wait_ready(port, proc, args.ready_timeout)
        # every request differs (a number appended), so the query-embedding cache never answers for it
        def normal(i: int) -> bytes:
            return ask_body(f"{NORMAL}（{i}）")

        for i in range(2):  # warm-up
            request(port, "POST", "/api/ask", normal(-1 - i), args.timeout)
        idle = [request(port, "POST", "/api/ask", normal(i), args.timeout)[1] for i in range(5)]

        unit_bytes = len(PASTE_UNIT.encode("utf-8"))
        paste = PASTE_UNIT * (args.kb * 1024 // unit_bytes)
        hostile_body = ask_body(paste, ["x"])
        results: list[tuple[int | str, float]] = []
        lock = threading.Lock()

        def hostile(i: int):
            r = request(port, "POST", "/api/ask", ask_body(f"{i} {paste}", ["x"]), args.timeout)
            with lock:
                results.append(r)

        started = time.perf_counter()
        threads = [threading.Thread(target=hostile, args=(i,), daemon=True) for i in range(args.hostile)]
        for t in threads:
            t.start()
        time.sleep(0.5)  # all of them sent and being worked on
        during, health, normal_status = [], [], Counter()
        for i in range(args.normal):
            status, secs = request(port, "POST", "/api/ask", normal(100 + i), args.timeout)
            normal_status[status] += 1
            during.append(secs)
            health.append(request(port, "GET", "/api/health", None, args.timeout)[1])
        for t in threads:
            t.join(timeout=args.timeout + 10)
        hostile_done = time.perf_counter() - started
        statuses = Counter(s for s, _ in results)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=30)
        log.close()

    print(f"app: {args.root}  hostile: {args.hostile} × {len(hostile_body) / 1024:.0f} KB /api/ask (history ['x'])")
    print("| measure | p50 s | p90 s | max s |")
    print("|---|---|---|---|")
    for name, values in [("normal /api/ask, idle", idle), ("normal /api/ask, during hostile", during),
                         ("/api/health, during hostile", health)]:
        print(f"| {name} | {statistics.median(values):.3f} | {pct(values, 0.9):.3f} | {max(values):.3f} |")
    print(f"normal answers during hostile: {dict(normal_status)}")
    print(f"hostile answers: {dict(statuses)}; all finished after {hostile_done:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
