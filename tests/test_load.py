"""Load test: `python app.py` (real model and index) under 8, then 16 concurrent clients, 60 s each.

    python -m pytest -m slow -s tests/test_load.py

Each client loops over three endpoints in turn — `GET /api/search`, `POST /api/ask`
and the chat as the page calls it (Gradio's queue: `POST /gradio_api/call/respond`,
then its event stream) — until the time is up. Every request must succeed; p50/p95
latency and throughput per endpoint are printed, and answers/s with p95 over all three. Loopback only; the server is
started on a free port and killed (by its pid) at the end. QA_LOAD_SECONDS and
QA_LOAD_CLIENTS override the duration and the number of clients. Every question is made
unique (a number appended) so each request pays for its query embedding, as a real
user's would; QA_LOAD_REPEAT=1 repeats 12 questions instead (the embedding cache's best case).
"""
from __future__ import annotations

import json
import os
import statistics
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest

from live_app import live_app

pytestmark = pytest.mark.slow

START_TIMEOUT = 420  # s: a first start converts the model, exports it to ONNX (once) and builds the index
SECONDS = float(os.environ.get("QA_LOAD_SECONDS") or 60)
CLIENT_COUNTS = [int(os.environ["QA_LOAD_CLIENTS"])] if os.environ.get("QA_LOAD_CLIENTS") else [8, 16]
UNIQUE = os.environ.get("QA_LOAD_REPEAT") != "1"  # QA_LOAD_REPEAT=1: the same 12 questions again and again (cached)
REQUEST_TIMEOUT = 120  # s per request: generous, a timeout counts as an error
QUESTIONS = ["哪个区要求严重精神障碍患者报告患病率不低于4.5%？", "Which district targets a 4.5% reported prevalence?",
             "鼓楼区基本公共卫生服务补助标准是多少？", "哪些区提到了家庭医生签约服务？", "What does Zhoucun plan for family doctors?",
             "安宁疗护服务", "疫苗接种率", "周卫健字〔2021〕20号是什么文件？", "嘉定区65岁以上老年人健康管理", "鹿城区的重点工作有哪些？",
             "<script>alert(1)</script>", "杭州市西湖区的疫苗接种率是多少？"]
ENDPOINTS = ("search", "ask", "chat")


def _get_json(url: str, timeout: float = 5) -> dict:
    with urllib.request.urlopen(url, timeout=timeout) as r:
        return json.loads(r.read())


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """`python app.py` on 127.0.0.1 until /api/health says ready; killed at teardown."""
    started = time.monotonic()
    with live_app(tmp_path_factory.mktemp("load"), timeout=START_TIMEOUT) as (base, _feedback, _log):
        print(f"\napp.py ready after {time.monotonic() - started:.1f} s on {base}")
        yield base


def _search(base: str, q: str) -> None:
    url = f"{base}/api/search?" + urllib.parse.urlencode({"q": q, "k": 5})
    body = _get_json(url, timeout=REQUEST_TIMEOUT)
    assert body["hits"] and len(body["hits"]) <= 5


def _ask(base: str, q: str) -> None:
    req = urllib.request.Request(f"{base}/api/ask", data=json.dumps({"question": q, "k": 3}).encode(),
                                 headers={"content-type": "application/json"}, method="POST")
    with urllib.request.urlopen(req, timeout=REQUEST_TIMEOUT) as r:
        body = json.loads(r.read())
    assert body["answer"] and "citations" in body


def _chat(base: str, q: str) -> None:
    """What the page does on Enter: queue the `respond` event, then read its result stream."""
    data = {"data": [q, [], "全部", "全部", 3, "hybrid"]}
    req = urllib.request.Request(f"{base}/gradio_api/call/respond", data=json.dumps(data).encode(),
                                 headers={"content-type": "application/json"}, method="POST")
    with urllib.request.urlopen(req, timeout=REQUEST_TIMEOUT) as r:
        event_id = json.loads(r.read())["event_id"]
    with urllib.request.urlopen(f"{base}/gradio_api/call/respond/{event_id}", timeout=REQUEST_TIMEOUT) as r:
        stream = r.read().decode("utf-8")
    assert "event: complete" in stream, stream[:500]
    payload = json.loads(stream.split("event: complete", 1)[1].split("data:", 1)[1].strip().splitlines()[0])
    history = payload[1]
    assert history[-1]["role"] == "assistant" and "qa-answer" in json.dumps(history[-1], ensure_ascii=False)


CALLS = {"search": _search, "ask": _ask, "chat": _chat}


def _percentile(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1] if len(values) > 1 else values[0]


@pytest.mark.parametrize("clients", CLIENT_COUNTS, ids=[f"{n}-clients" for n in CLIENT_COUNTS])
def test_concurrent_clients_for_a_minute(server, clients):
    latencies: dict[str, list[float]] = {e: [] for e in ENDPOINTS}
    errors: list[str] = []
    lock = threading.Lock()
    deadline = time.monotonic() + SECONDS

    def client(n: int) -> None:
        i = n  # clients start at different endpoints and questions
        while time.monotonic() < deadline:
            endpoint, q = ENDPOINTS[i % len(ENDPOINTS)], QUESTIONS[(i * 7 + n) % len(QUESTIONS)]
            if UNIQUE:  # a question never asked before: no query-vector cache hit, the encoder runs every time
                q = f"{q} {n}{i:05d}"
            i += 1
            t0 = time.perf_counter()
            try:
                CALLS[endpoint](server, q)
            except (AssertionError, OSError, ValueError, KeyError, IndexError, urllib.error.HTTPError) as e:
                with lock:
                    errors.append(f"{endpoint} {q!r}: {type(e).__name__}: {e}"[:300])
                continue
            with lock:
                latencies[endpoint].append(time.perf_counter() - t0)

    def probe() -> None:
        # what a page load or a monitor sees meanwhile: the server must stay responsive under load
        while time.monotonic() < deadline:
            t0 = time.perf_counter()
            try:
                assert _get_json(server + "/api/health", timeout=REQUEST_TIMEOUT)["ready"]
            except (AssertionError, OSError, ValueError, KeyError) as e:
                with lock:
                    errors.append(f"health: {type(e).__name__}: {e}"[:300])
            else:
                with lock:
                    latencies["health"].append(time.perf_counter() - t0)
            time.sleep(0.25)

    latencies["health"] = []
    started = time.monotonic()
    threads = [threading.Thread(target=client, args=(n,), daemon=True) for n in range(clients)]
    threads.append(threading.Thread(target=probe, daemon=True))
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=SECONDS + REQUEST_TIMEOUT * 2 + 30)  # bounded even if a request hangs
    wall = time.monotonic() - started
    assert not any(t.is_alive() for t in threads), "a client is stuck"

    print(f"\n{clients} clients for {wall:.1f} s against {server} ({'unique' if UNIQUE else 'repeated'} questions)")
    print(f"{'endpoint':<8} {'requests':>8} {'req/s':>7} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}")
    for e in (*ENDPOINTS, "health"):
        lat = latencies[e]
        if lat:
            print(f"{e:<8} {len(lat):>8} {len(lat) / wall:>7.2f} {_percentile(lat, 50) * 1000:>8.0f} "
                  f"{_percentile(lat, 95) * 1000:>8.0f} {max(lat) * 1000:>8.0f}")
    answers = [x for e in ENDPOINTS for x in latencies[e]]  # every search/ask/chat request answers a question
    total = len(answers)
    p50, p95 = (_percentile(answers, 50) * 1000, _percentile(answers, 95) * 1000) if answers else (0, 0)
    print(f"{'all':<8} {total:>8} {total / wall:>7.2f} {p50:>8.0f} {p95:>8.0f}   errors: {len(errors)}")
    print(f"LOAD clients={clients} answers/s={total / wall:.1f} p95_ms={p95:.0f} errors={len(errors)}")
    assert errors == [], errors[:10]
    assert all(latencies[e] for e in (*ENDPOINTS, "health")), {e: len(v) for e, v in latencies.items()}
    assert _get_json(server + "/api/health")["ready"]  # still serving after the storm
