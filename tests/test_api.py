"""The HTTP JSON API and the chat HTML, over the real corpus with a fake encoder (fast, no model)."""
from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient

from qa import Retriever
from qa.embed.encoder import FakeEncoder
from qa.answering.render import answer_html, user_html
from qa.web.ui import create_app

XSS = "<script>alert(1)</script><img src=x onerror=alert(1)>"
Q_ZH = "哪个区要求严重精神障碍患者报告患病率不低于4.5%？"


@pytest.fixture(scope="module")
def retriever(tmp_path_factory):
    return Retriever.load(index_dir=tmp_path_factory.mktemp("index"), encoder=FakeEncoder())


@pytest.fixture(scope="module")
def feedback_log(tmp_path_factory):
    return tmp_path_factory.mktemp("feedback") / "feedback.jsonl"


@pytest.fixture(scope="module")
def app(retriever, feedback_log):
    return create_app(retriever, feedback_log=feedback_log)


@pytest.fixture(scope="module")
def client(app):
    return TestClient(app, raise_server_exceptions=False)


# ---------------------------------------------------------------- /api/search
def test_search_returns_hits_with_every_field(client):
    r = client.get("/api/search", params={"q": Q_ZH, "k": 3})
    assert r.status_code == 200
    body = r.json()
    assert body["query"] == Q_ZH and body["searched"] == Q_ZH
    assert len(body["hits"]) == 3
    h = body["hits"][0]
    assert set(h) >= {"chunk_id", "doc_id", "text", "score", "section", "district", "city", "province", "title",
                      "year", "start", "end", "signals"}
    assert any(x["district"] == "卫东区" and "报告患病率不低于4.5%" in x["text"] for x in body["hits"])


def test_search_filters(client):
    r = client.get("/api/search", params={"q": "家庭医生签约", "district": "鼓楼区", "year": "2021", "mode": "bm25"})
    assert r.status_code == 200
    assert {h["district"] for h in r.json()["hits"]} == {"鼓楼区"}
    r = client.get("/api/search", params={"q": "家庭医生签约", "district": "全部", "year": ""})
    assert r.status_code == 200 and len(r.json()["hits"]) == 10


@pytest.mark.parametrize("params, needle", [
    ({}, "missing q"),
    ({"q": ""}, "empty"),
    ({"q": "   "}, "empty"),
    ({"q": "疫苗", "k": "abc"}, "k must be"),
    ({"q": "疫苗", "k": "0"}, "k must be"),
    ({"q": "疫苗", "k": "51"}, "k must be"),
    ({"q": "疫苗", "k": "2.5"}, "k must be"),
    ({"q": "疫苗", "district": "西湖区"}, "卫东区"),  # the message lists the valid values
    ({"q": "疫苗", "year": "1999"}, "2021"),
    ({"q": "疫苗", "year": "next"}, "year"),
    ({"q": "疫苗", "mode": "magic"}, "hybrid"),
])
def test_search_bad_parameters_are_400_with_a_message(client, params, needle):
    r = client.get("/api/search", params=params)
    assert r.status_code == 400, r.text
    assert needle in r.json()["error"]


# ---------------------------------------------------------------- /api/ask
def test_ask_answers_with_citations(client):
    r = client.post("/api/ask", json={"question": Q_ZH, "k": 3})
    assert r.status_code == 200
    body = r.json()
    assert body["answer"].startswith("平顶山市卫东区")
    assert "报告患病率不低于4.5%" in body["answer"]
    assert body["abstained"] is False and body["searched"] == Q_ZH and body["abstain_reason"] == ""
    c = body["citations"][0]
    assert set(c) == {"n", "chunk_id", "doc_id", "district", "city", "title", "section", "text", "start", "end",
                      "used", "quote"}
    assert c["used"] is True and body["confidence"] in ("直接回答", "部分相关")
    assert "4.5%" in c["text"][c["quote"][0]:c["quote"][1]]  # the line the answer quotes from this passage
    assert c["n"] == 1 and c["district"] == "卫东区"
    assert "<mark>4.5%</mark>" in body["answer_html"]


def test_ask_source_offsets_point_into_the_original_file(client, retriever):
    body = client.post("/api/ask", json={"question": Q_ZH}).json()
    c = body["citations"][0]
    source = (retriever.corpus_dir / retriever.doc(c["doc_id"]).file).read_text(encoding="utf-8")
    assert "报告患病率不低于4.5%" in source[c["start"]:c["end"]]


@pytest.mark.parametrize("history", [
    [Q_ZH],
    [{"role": "user", "content": Q_ZH}, {"role": "assistant", "content": "平顶山市卫东区…"}],
    [{"role": "user", "content": [{"type": "text", "text": Q_ZH}]}],
])
def test_ask_follow_up_uses_the_history(client, history):
    r = client.post("/api/ask", json={"question": "那鼓楼区呢？", "history": history})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["searched"] == "鼓楼区要求严重精神障碍患者报告患病率不低于4.5%？"
    assert body["citations"] and all(c["district"] == "鼓楼区" for c in body["citations"])
    assert "检索：" in body["answer_html"]


def test_ask_unknown_place_abstains(client):
    body = client.post("/api/ask", json={"question": "杭州市西湖区的疫苗接种率是多少？"}).json()
    assert body["abstained"] is True and body["abstain_reason"] == "retrieval"  # says why, for whoever embeds it
    assert body["answer"].startswith("没有杭州市西湖区的文件；已载入：福州市鼓楼区")


def test_ask_english(client):
    body = client.post("/api/ask", json={"question": "Which district targets a 4.5% reported prevalence?"}).json()
    assert body["answer"].startswith("Weidong District")
    assert "报告患病率不低于4.5%" in body["answer"]


@pytest.mark.parametrize("body", [
    "not json",
    "[1, 2]",
    "null",
    "",
    json.dumps({}),
    json.dumps({"question": ""}),
    json.dumps({"question": "  "}),
    json.dumps({"question": 42}),
    json.dumps({"question": ["疫苗"]}),
    json.dumps({"question": "疫苗", "k": "many"}),
    json.dumps({"question": "疫苗", "k": 0}),
    json.dumps({"question": "疫苗", "k": 100}),
    json.dumps({"question": "疫苗", "k": True}),
    json.dumps({"question": "疫苗", "k": 2.5}),
    json.dumps({"question": "疫苗", "district": "西湖区"}),
    json.dumps({"question": "疫苗", "district": 3}),
    json.dumps({"question": "疫苗", "year": 1999}),
    json.dumps({"question": "疫苗", "year": [2021]}),
    json.dumps({"question": "疫苗", "mode": "magic"}),
    json.dumps({"question": "疫苗", "mode": 1}),
    json.dumps({"question": "疫苗", "history": "那鼓楼区呢"}),
    json.dumps({"question": "疫苗", "history": [1]}),
    json.dumps({"question": "疫苗", "history": [{"role": "user", "content": 5}]}),
])
def test_ask_bad_requests_are_400_never_500(client, body):
    r = client.post("/api/ask", content=body, headers={"content-type": "application/json"})
    assert r.status_code == 400, r.text
    assert r.json()["error"]


def test_ask_accepts_integer_year_and_k_as_string(client):
    r = client.post("/api/ask", json={"question": "家庭医生签约", "year": 2021, "k": "2", "district": "鼓楼区"})
    assert r.status_code == 200, r.text
    assert len(r.json()["citations"]) >= 1


# ---------------------------------------------------------------- HTML safety
def test_xss_in_the_question_is_escaped_everywhere(client):
    body = client.post("/api/ask", json={"question": XSS}).json()
    html = body["answer_html"]
    assert "<script" not in html and "<img" not in html
    assert "<script" not in user_html(XSS) and "&lt;script&gt;" in user_html(XSS)


def test_document_text_is_escaped(retriever):
    from dataclasses import replace

    from qa.answering.answer import build_answer

    hits = retriever.search(Q_ZH, k=2)
    evil = [replace(hits[0], text=hits[0].text + XSS, title="《" + XSS, section=XSS)] + hits[1:]
    q = retriever.analyze(Q_ZH)
    a = build_answer(Q_ZH, evil, query=q, abstain=False, sections={evil[0].chunk_id: XSS + "\n第二行"})
    html = answer_html(a, question=XSS)
    assert "<script" not in html and "<img" not in html and "onerror=alert(1)>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "\n" not in html  # one HTML block: Markdown never re-reads document text
    assert "<details><summary>" in html and "<mark>4.5%</mark>" in html


def test_the_page_is_served(client):
    r = client.get("/")
    assert r.status_code == 200 and "<html" in r.text.lower()
    assert client.get("/api/health").json()["ready"] is True


# ---------------------------------------------------------------- the page's start
def test_input_is_enabled_only_by_the_load_event_that_restores_the_conversation(client):
    """A question sent before the saved conversation was restored lost its answer to the late restore:
    the input and the send button start disabled and the load event (the restore) enables them."""
    cfg = client.get("/config").json()
    by_elem = {c["props"].get("elem_id"): c for c in cfg["components"] if c.get("props", {}).get("elem_id")}
    field = by_elem["qa-input"]
    sends = [c for c in cfg["components"] if "submit-button" in (c.get("props", {}).get("elem_classes") or [])]
    assert field["props"]["interactive"] is False
    assert sends and all(c["props"]["interactive"] is False for c in sends)
    loads = [d for d in cfg["dependencies"] if any(t[1] == "load" for t in d["targets"])]
    assert len(loads) == 1
    chat = by_elem["qa-chat"]["id"]
    assert {chat, field["id"], *(c["id"] for c in sends)} <= set(loads[0]["outputs"])
