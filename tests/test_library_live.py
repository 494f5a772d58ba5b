"""The running app while the library changes: questions keep being answered, builds from a shell are picked up."""
from __future__ import annotations

import subprocess
import sys
import threading
import time

from fastapi.testclient import TestClient

from library_fixtures import ROOT, corpus_without, write_docx
from qa.indexing import index_store
from qa.embed.encoder import FakeEncoder
from qa.search.retriever import DEFAULT_PARAMS, Retriever
from qa.web.ui import create_app

Q = "哪个区要求严重精神障碍患者报告患病率不低于4.5%？"


class SlowEncoder(FakeEncoder):
    """The fake encoder, slowed so an index update lasts seconds (questions must overlap it)."""

    def encode_passages(self, texts, *, show_progress=False):
        time.sleep(0.8)
        return super().encode_passages(texts)


def test_questions_during_an_upload_all_get_answers(tmp_path):
    corpus, entry, text = corpus_without(tmp_path)
    r = Retriever.load(index_dir=tmp_path / "index", corpus_dir=corpus, encoder=SlowEncoder())
    app = create_app(r, data_dir=tmp_path / "data", watch=False, feedback_log=tmp_path / "fb.jsonl")
    backend = app.state.backend
    results: list[tuple[int, str, str, str, str]] = []  # (status, job state when sent, first cited doc, answer, question)
    own = f"{entry['district']}基本公共卫生服务补助标准是多少？"  # answered from the uploaded plan once it is in
    stop = threading.Event()

    def client_loop(i: int):
        c = TestClient(app, raise_server_exceptions=False)
        questions = [Q, own, "哪些区提到了家庭医生签约服务？"]
        n = 0
        while not stop.is_set():
            state = backend.job.state
            resp = c.post("/api/ask", json={"question": questions[(i + n) % len(questions)]})
            body = resp.json()
            cited = body.get("citations", [{}])[0].get("doc_id", "") if resp.status_code == 200 else ""
            results.append((resp.status_code, state, cited, body.get("answer", ""), questions[(i + n) % len(questions)]))
            n += 1

    threads = [threading.Thread(target=client_loop, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    try:
        time.sleep(0.5)
        c = TestClient(app)
        docx = write_docx(text, tmp_path / "plan.docx")
        with open(docx, "rb") as f:  # loopback without a token: changes are open
            resp = c.post("/api/documents", files={"file": ("plan.docx", f)}, data={"action": "commit"})
        assert resp.status_code == 202, resp.text
        new_id = resp.json()["document"]["doc_id"]
        assert backend.wait_idle(120).state == "done"
        # Questions sent after the switch, counted rather than slept for: on a loaded 2-core
        # machine one second held no complete round of the three questions (CI, stop 30).
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and sum(x[1] == "done" and x[4] == own for x in results) < 4:
            time.sleep(0.05)
    finally:
        stop.set()
        for t in threads:
            t.join(60)
        backend.stop()
    during = [x for x in results if x[1] in ("queued", "running")]
    assert len(results) >= 8 and len(during) >= 2, (len(results), len(during))
    assert all(status == 200 and answer for status, _, _, answer, _ in results), [x[:3] for x in results if x[0] != 200]
    after = [x for x in results if x[1] == "done" and x[4] == own]
    assert len(after) >= 4, len(after)
    assert all(cited == new_id for _, _, cited, _, _ in after), after  # answered from the new document after the switch


def test_a_build_made_from_the_shell_is_picked_up_without_a_restart(tmp_path, monkeypatch):
    import qa.library.service as service

    monkeypatch.setattr(service, "WATCH_SECONDS", 0.3)
    corpus, _, _ = corpus_without(tmp_path)
    index = tmp_path / "index"
    r = Retriever.load(index_dir=index, corpus_dir=corpus, encoder=FakeEncoder())
    app = create_app(r, data_dir=tmp_path / "data", feedback_log=tmp_path / "fb.jsonl")  # watching index/CURRENT
    c = TestClient(app)
    try:
        before = c.get("/api/health").json()
        victim = c.get("/api/documents").json()["documents"][0]
        out = subprocess.run([sys.executable, "-m", "qa", "--corpus", str(corpus), "remove", victim["doc_id"]],
                             cwd=ROOT, capture_output=True, text=True, timeout=120)
        assert out.returncode == 0 and victim["doc_id"] in out.stdout, out.stderr
        listed = subprocess.run([sys.executable, "-m", "qa", "--corpus", str(corpus), "docs"], cwd=ROOT,
                                capture_output=True, text=True, timeout=120)
        assert victim["doc_id"] not in listed.stdout and "3 documents" in listed.stdout
        # what `python -m qa build` does, with the test's encoder
        built = index_store.build(index, corpus, FakeEncoder(), dict(DEFAULT_PARAMS))
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and c.get("/api/health").json()["build"] != built.directory.name:
            time.sleep(0.2)
        after = c.get("/api/health").json()
        assert after["build"] == built.directory.name != before["build"]
        assert "3 份文件" in after["status"]
        hits = c.get("/api/search", params={"q": victim["title"] or "卫生健康", "k": 20}).json()["hits"]
        assert hits and all(h["doc_id"] != victim["doc_id"] for h in hits)
    finally:
        app.state.backend.stop()
