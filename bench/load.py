"""The load step: `python app.py` with one query engine under N concurrent clients.

The app runs on a free 127.0.0.1 port with its own index directory in the workdir (built by the
app itself on first start, with that engine's passage vectors) and is stopped by its pid at the
end. Each client alternates `GET /api/search` and `POST /api/ask`, every question made unique so
each request pays for its query embedding. Reported: answers/s, p50/p95, errors, and the app
process's resident memory (VmRSS / VmHWM) after the run — a real serving process, Gradio included.
"""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from .util import pcts, say

REPO = Path(__file__).resolve().parent.parent
QUESTIONS = ["哪个区要求严重精神障碍患者报告患病率不低于4.5%？", "Which district targets a 4.5% reported prevalence?",
             "基本公共卫生服务补助标准是多少？", "哪些区提到了家庭医生签约服务？", "What is planned for family doctors?",
             "安宁疗护服务", "疫苗接种率", "65岁以上老年人健康管理", "重点工作有哪些？", "How is mental health care organised?"]
START_TIMEOUT = 600  # s: a first start builds the index (the reference engine loads torch too)
REQUEST_TIMEOUT = 60


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _status_mb(pid: int) -> dict:
    fields = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            key, _, rest = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                fields[key] = round(int(rest.split()[0]) / 1024, 1)
    return fields


def _get(url: str) -> dict:
    with urllib.request.urlopen(url, timeout=REQUEST_TIMEOUT) as r:
        return json.loads(r.read())


def _ask(base: str, q: str) -> None:
    req = urllib.request.Request(f"{base}/api/ask", data=json.dumps({"question": q, "k": 3}).encode(),
                                 headers={"content-type": "application/json"}, method="POST")
    with urllib.request.urlopen(req, timeout=REQUEST_TIMEOUT) as r:
        body = json.loads(r.read())
    if not body.get("answer"):
        raise ValueError("empty answer")


def _search(base: str, q: str) -> None:
    if not _get(f"{base}/api/search?" + urllib.parse.urlencode({"q": q, "k": 5}))["hits"]:
        raise ValueError("no hits")


def step_load(args) -> dict:
    engine, clients, seconds = args.engine, args.clients, args.seconds
    tag = f"load {engine} x{clients}"
    workdir = Path(args.workdir)
    port = _free_port()
    env = {**os.environ, "QA_QUERY_ENGINE": engine, "QA_INDEX_DIR": str(workdir / f"index-app-{engine}"),
           "QA_FEEDBACK_LOG": str(workdir / "feedback.jsonl"), "GRADIO_ANALYTICS_ENABLED": "False"}
    log_path = workdir / f"app-{engine}.log"
    with log_path.open("w") as log:
        proc = subprocess.Popen([sys.executable, "app.py", "--host", "127.0.0.1", "--port", str(port)], cwd=REPO,
                                env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        started = time.monotonic()
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"app.py exited with {proc.returncode}: {log_path.read_text()[-2000:]}")
            try:
                health = _get(base + "/api/health")
                if health.get("ready"):
                    break
                if health.get("error"):
                    raise RuntimeError(f"app failed to load: {health['error']}")
            except (OSError, ValueError):
                pass
            if time.monotonic() - started > START_TIMEOUT:
                raise RuntimeError(f"app not ready after {START_TIMEOUT} s")
            time.sleep(0.5)
        ready_s = time.monotonic() - started
        idle = _status_mb(proc.pid)
        say(tag, f"app ready after {ready_s:.1f} s, RSS {idle['VmRSS']:.0f} MB; {clients} clients for {seconds:.0f} s")
        for q in QUESTIONS[:3]:  # warm-up: first-call costs
            _ask(base, q)
        lat, errors, lock = [], [], threading.Lock()
        deadline = time.monotonic() + seconds

        def client(n: int) -> None:
            i = n
            while time.monotonic() < deadline:
                q = f"{QUESTIONS[(i * 7 + n) % len(QUESTIONS)]} {n}{i:05d}"  # unique: the embedding runs each time
                call = _ask if i % 2 else _search
                i += 1
                t0 = time.perf_counter()
                try:
                    call(base, q)
                except (OSError, ValueError, KeyError, urllib.error.HTTPError) as e:
                    with lock:
                        errors.append(f"{type(e).__name__}: {e}"[:200])
                    continue
                with lock:
                    lat.append(time.perf_counter() - t0)

        t0 = time.monotonic()
        threads = [threading.Thread(target=client, args=(n,), daemon=True) for n in range(clients)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=seconds + REQUEST_TIMEOUT + 30)
        wall = time.monotonic() - t0
        mem = _status_mb(proc.pid)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=20)
    result = {"engine": engine, "clients": clients, "seconds": round(wall, 1), "answers": len(lat),
              "answers_per_s": round(len(lat) / wall, 2), "latency": pcts(lat), "errors": len(errors),
              "error_samples": errors[:5], "ready_s": round(ready_s, 1), "app_mem_idle": idle, "app_mem": mem}
    say(tag, f"{result['answers_per_s']} answers/s, p50/p95 {result['latency']['p50']:.0f} / "
             f"{result['latency']['p95']:.0f} ms, {len(errors)} errors, app RSS {mem['VmRSS']:.0f} MB (peak {mem['VmHWM']:.0f})")
    return result
