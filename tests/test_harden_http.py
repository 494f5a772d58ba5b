"""Issue 14, the web side: bounded work per request, limits, Origin, methods, headers, feedback.

Each test is a finding of the outside probe; the comment says what happened before.
CPU findings are bounded-time assertions with generous limits (the old times are 10-100x over them).
"""
from __future__ import annotations

import asyncio
import http.client
import json
import logging
import os
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from qa import Retriever
from qa.web.api import MAX_FEEDBACK_FIELD, Backend, BadRequest
from qa.corpus.documents import read_catalog
from qa.embed.encoder import FakeEncoder
from qa.answering.followup import MAX_HISTORY, bounded, bounded_history, rewrite
from qa.web.guard import MAX_API_BODY, MAX_UPLOAD_BYTES, SERVER_OPTIONS
from qa.places import Gazetteer
from qa.web.ui import create_app
from qa.web.workers import Busy, Lane, LaneSpec, TimedOut

ROOT = Path(__file__).resolve().parents[1]
Q45 = "哪个区要求严重精神障碍患者报告患病率不低于4.5%？"
PLACES_PASTE = "鼓楼区卫东区Gulou Weidong " * 4000  # ~100 kB of place names: the probe's question


@pytest.fixture(scope="module")
def retriever(tmp_path_factory):
    return Retriever.load(index_dir=tmp_path_factory.mktemp("index"), encoder=FakeEncoder())


@pytest.fixture(scope="module")
def feedback_log(tmp_path_factory):
    return tmp_path_factory.mktemp("fb") / "feedback.jsonl"


@pytest.fixture(scope="module")
def app(retriever, feedback_log):
    return create_app(retriever, feedback_log=feedback_log)


@pytest.fixture(scope="module")
def client(app):
    return TestClient(app, raise_server_exceptions=False)


def timed(fn, *args, **kwargs):
    t = time.perf_counter()
    out = fn(*args, **kwargs)
    return out, time.perf_counter() - t


def check_error(resp, status):
    assert resp.status_code == status, resp.text
    assert resp.headers["content-type"].startswith("application/json")
    assert isinstance(resp.json()["error"], str) and resp.json()["error"]


# ---------------------------------------------------------------- CPU: bounded before matching
def test_follow_up_rewrite_of_a_pasted_place_list_is_bounded():
    # before: 11.7 s (22 s on a busy machine) — places were matched over all 100 kB, quadratically
    g = Gazetteer(read_catalog())
    (searched, _), secs = timed(rewrite, PLACES_PASTE, ["x"], g)
    assert secs < 2.0 and len(searched) <= 1000


def test_a_megabyte_of_history_is_bounded():
    # before: ~2.5 minutes of one core for a ~1 MB history; now only the last MAX_HISTORY entries,
    # each cut to 1000 characters, are looked at
    g = Gazetteer(read_catalog())
    history = [PLACES_PASTE[:50_000]] * 20 + ["x"] * 1000
    (searched, note), secs = timed(rewrite, "那鼓楼区呢？", history, g)
    assert secs < 2.0
    assert len(bounded_history(history)) == MAX_HISTORY


def test_bounded_is_linear_and_keeps_the_truncation_flag():
    text, cut = bounded("  " + "疫苗" * 1_000_000)
    assert len(text) == 1000 and cut
    assert bounded(" 疫苗接种 ") == ("疫苗接种", False)
    assert bounded(None) == ("", False)
    _, secs = timed(bounded, "x" * 20_000_000)
    assert secs < 1.0  # reads a bounded prefix, not 20 MB character by character


def test_api_ask_with_a_pasted_place_list_and_history_is_bounded(client):
    resp, secs = timed(client.post, "/api/ask", json={"question": PLACES_PASTE, "history": ["x"]})
    assert resp.status_code == 200, resp.text
    assert len(resp.json()["question"]) <= 1000 and "1000" in resp.json()["note"]
    assert secs < 10.0  # before: > 11 s of place matching alone, then the search


def test_chat_with_a_pasted_place_list_is_bounded(retriever):
    from qa.web.ui import chat_reply

    (_, history, memory), secs = timed(chat_reply, Backend(retriever), PLACES_PASTE, [], memory={
        "questions": [PLACES_PASTE] * 100, "answers": {}})
    assert secs < 10.0
    assert len(memory["questions"]) <= MAX_HISTORY and all(len(q) <= 1000 for q in memory["questions"])
    assert len(history[0]["content"]) < 10_000  # the user's bubble holds the bounded text, not 100 kB


# ---------------------------------------------------------------- worker lanes
def test_a_full_lane_refuses_at_once_and_a_slow_request_times_out():
    lane = Lane(LaneSpec("test", threads=1, waiting=1))
    release = threading.Event()

    async def scenario():
        first = asyncio.ensure_future(lane.run(release.wait, 5, budget=10))
        second = asyncio.ensure_future(lane.run(release.wait, 5, budget=10))
        await asyncio.sleep(0.05)
        with pytest.raises(Busy):  # 1 running + 1 waiting: the third is refused without waiting
            await lane.run(lambda: None, budget=10)
        release.set()
        await asyncio.gather(first, second)
        release.clear()
        with pytest.raises(TimedOut):
            await lane.run(release.wait, 5, budget=0.1)
        release.set()

    asyncio.run(scenario())
    lane.shutdown()


def test_busy_lane_is_http_429(client, app):
    lanes = app.state.backend.lanes
    saved = lanes.short.in_flight
    lanes.short.in_flight = lanes.short.spec.threads + lanes.short.spec.waiting  # as if full
    try:
        resp = client.post("/api/ask", json={"question": Q45})
        check_error(resp, 429)
        assert resp.headers.get("retry-after")
        resp = client.post("/api/ask", json={"question": "疫苗" * 400})  # a long question takes the other lane
        assert resp.status_code == 200
    finally:
        lanes.short.in_flight = saved


# ---------------------------------------------------------------- JSON-only API, Origin
def test_text_plain_body_is_refused(client):
    # before: accepted — a "simple" cross-site POST any web page can send without a preflight
    resp = client.post("/api/ask", content=json.dumps({"question": Q45}), headers={"content-type": "text/plain"})
    check_error(resp, 415)


@pytest.mark.parametrize("headers", [
    {"origin": "http://evil.example"}, {"origin": "null"}, {"origin": "http://testserver.evil"},
    {"sec-fetch-site": "cross-site"},
])
def test_foreign_origin_is_refused(client, headers):
    check_error(client.post("/api/ask", json={"question": Q45}, headers=headers), 403)
    check_error(client.get("/api/search", params={"q": Q45}, headers=headers), 403)
    check_error(client.post("/gradio_api/upload", files={"files": ("a.txt", b"x" * 100)}, headers=headers), 403)


def test_same_origin_and_non_browser_requests_are_served(client):
    assert client.post("/api/ask", json={"question": Q45}, headers={"origin": "http://testserver"}).status_code == 200
    assert client.post("/api/ask", json={"question": Q45}).status_code == 200  # curl sends no Origin


# ---------------------------------------------------------------- malformed requests
def test_deeply_nested_json_is_a_400(client):
    # before: RecursionError → a plain-text 500
    resp = client.post("/api/ask", content=b"[" * 100_000, headers={"content-type": "application/json"})
    check_error(resp, 400)
    nested: object = "疫苗"
    for _ in range(900):
        nested = [nested]
    body = json.dumps({"question": Q45, "history": [{"role": "user", "content": nested}]})
    check_error(client.post("/api/ask", content=body, headers={"content-type": "application/json"}), 400)


@pytest.mark.parametrize("method, path", [
    ("GET", "/api/ask"), ("PUT", "/api/ask"), ("POST", "/api/search"), ("DELETE", "/api/health"),
])
def test_wrong_method_is_405_json(client, method, path):
    # before: 404 {"detail": "Not Found"} from the Gradio mount
    resp = client.request(method, path)
    check_error(resp, 405)
    assert resp.headers["allow"]


def test_unknown_api_route_is_404_json(client):
    check_error(client.get("/api/nothing"), 404)


def test_body_over_the_limit_is_413_before_parsing(client):
    big = json.dumps({"question": Q45, "pad": "x" * (MAX_API_BODY + 10)}).encode()
    check_error(client.post("/api/ask", content=big, headers={"content-type": "application/json"}), 413)

    def chunks():  # no Content-Length: counted as it arrives
        for _ in range(64):
            yield b" " * 8192

    check_error(client.post("/api/ask", content=chunks(), headers={"content-type": "application/json"}), 413)


def test_long_url_is_414_not_a_reset(retriever):
    # before: uvicorn's h11 dropped the connection on a 100 kB URL; the app is served the same way here
    import uvicorn

    app = create_app(retriever)
    config = uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", **SERVER_OPTIONS)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 30
        while not server.started and time.monotonic() < deadline:
            time.sleep(0.05)
        port = server.servers[0].sockets[0].getsockname()[1]
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        conn.request("GET", "/api/search?q=" + "x" * 100_000)
        resp = conn.getresponse()
        assert resp.status == 414 and "error" in json.loads(resp.read())
        conn.close()
    finally:
        server.should_exit = True
        thread.join(timeout=10)


# ---------------------------------------------------------------- headers, health, Gradio
@pytest.mark.parametrize("path", ["/", "/api/health", "/api/nothing"])
def test_security_headers(client, path):
    h = client.get(path).headers
    assert "frame-ancestors 'none'" in h["content-security-policy"]
    assert h["x-frame-options"] == "DENY" and h["x-content-type-options"] == "nosniff"


def test_health_reports_the_build(client, retriever):
    body = client.get("/api/health").json()
    assert body["ready"] and body["build"] == retriever._data.directory.name and body["build"]


def test_deep_link_state_is_not_written(client):
    # before: GET /gradio_api/deep_link wrote the session's state world-readable into Gradio's temp dir
    check_error(client.get("/gradio_api/deep_link", params={"session_hash": "x"}), 404)


def test_uploads_are_limited_by_type_and_size(client):
    check_error(client.post("/gradio_api/upload", files={"files": ("run.exe", b"MZ" + b"\0" * 100)}), 415)
    ok = client.post("/gradio_api/upload", files={"files": ("plan.txt", "卫生健康工作要点".encode() * 10)})
    assert ok.status_code == 200, ok.text
    big = b"x" * (MAX_UPLOAD_BYTES + 200_000)  # before: 150 MB were accepted
    check_error(client.post("/gradio_api/upload", files={"files": ("plan.txt", big)}), 413)


def test_gradio_files_go_to_a_private_directory_removed_at_exit(tmp_path):
    # before: an inherited GRADIO_ANALYTICS_ENABLED=True won, and files stayed in a shared /tmp/gradio
    code = ("import os, qa.web.ui, gradio.analytics as a; d = os.environ['GRADIO_TEMP_DIR']; "
            "print(a.analytics_enabled(), d, oct(os.stat(d).st_mode & 0o777))")
    env = {k: v for k, v in os.environ.items() if k != "GRADIO_TEMP_DIR"}
    env["GRADIO_ANALYTICS_ENABLED"] = "True"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True,
                         timeout=120, check=True).stdout.split()
    assert out[0] == "False" and out[2] == "0o700"
    assert not Path(out[1]).exists()


# ---------------------------------------------------------------- feedback
def test_feedback_vote_vocabulary(tmp_path):
    b = Backend(None, feedback_log=tmp_path / "f.jsonl")
    for vote in ("sideways", "up\nINFO forged line", None, 1):
        with pytest.raises(BadRequest):
            b.log_feedback({"vote": vote, "question": Q45})
    assert not (tmp_path / "f.jsonl").exists()


def test_feedback_records_are_capped_and_one_line_each(tmp_path, caplog):
    # before: 10 votes on a 1 MB question grew the log by 31 MB; a \u2028 split a record
    b = Backend(None, feedback_log=tmp_path / "f.jsonl")
    with caplog.at_level(logging.INFO, logger="qa.web.api"):
        for _ in range(10):
            b.log_feedback({"vote": "up", "question": "疫\u2028苗\x85" + "x" * 1_000_000,
                            "chunk_ids": [str(i) for i in range(10_000)]})
    data = (tmp_path / "f.jsonl").read_text(encoding="utf-8")
    assert len(data.encode()) < 10 * 4 * MAX_FEEDBACK_FIELD
    rows = [json.loads(line) for line in data.splitlines()]  # splitlines splits on \u2028 and \x85 too
    assert len(rows) == 10 and rows[0]["question"].startswith("疫\u2028苗\x85")
    assert all("\n" not in r.getMessage() for r in caplog.records)


def test_feedback_log_stops_at_its_size_cap(tmp_path, monkeypatch):
    import qa.web.api

    monkeypatch.setattr(qa.web.api, "MAX_FEEDBACK_LOG_BYTES", 1000)
    b = Backend(None, feedback_log=tmp_path / "f.jsonl")
    for _ in range(50):
        b.log_feedback({"vote": "down", "question": Q45})
    assert (tmp_path / "f.jsonl").stat().st_size <= 1000
    assert stat.S_ISREG((tmp_path / "f.jsonl").stat().st_mode)
