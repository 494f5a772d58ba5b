"""Hostile input everywhere: the Python API, the HTTP API, the chat handler and the CLI.

Property-based (hypothesis) over every Unicode category — control characters,
format characters, unassigned code points, lone surrogates — mixed with
fragments people actually paste: HTML/JS, SQL, template syntax, emoji,
full-width and mixed-script text. The only failure a caller may see is the
documented one: ValueError from `Retriever.search`, 400 + {"error"} from HTTP,
a friendly reply in the chat. Every result that does come back is well formed.
Runs on the real corpus with the fake encoder (`fake_retriever`).
"""
from __future__ import annotations

import json
import math
import subprocess
import sys
import threading
from pathlib import Path
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from qa import Hit, Retriever
from qa.web.api import Backend
from qa.corpus.documents import load_corpus
from qa.answering.followup import bounded
from qa.search.query import MAX_QUERY_CHARS, normalize_query
from qa.web.ui import EMPTY_REPLY, chat_reply, create_app

ROOT = Path(__file__).resolve().parent.parent
Q45 = "哪个区要求严重精神障碍患者报告患病率不低于4.5%？"
FRAGMENTS = [
    "", " ", "\u3000", "\t\n", "\r\n", "\x00", "\x07", "\x1b[31m", "\x7f", "\u0085", "\ud800", "\udfff", "\udbff\udc00",
    "\ufeff", "\u200b", "\u200d", "\u202e", "\ufffe", "\U0010ffff", "😀", "👨‍👩‍👧", "🇨🇳", "e\u0301\u0301\u0301", "ᄀ\u1161\u11a8",
    "<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "javascript:alert(1)", "]]><!--", "&lt;&amp;",
    "'; DROP TABLE chunks; --", "\" OR 1=1 --", "1' UNION SELECT * FROM users --", "%s%n%x", "{{7*7}}", "${jndi:ldap://x}",
    "../../etc/passwd", "\\", "(", "[", "*", "+?", "(?:", "\\d+", "ＡＢＣ１２３", "１２．８万", "４．５％", "Ｇｕｌｏｕ",
    Q45, "鼓楼区", "Gulou", "周村", "Which district targets a 4.5% reported prevalence?", "4.5%", "百分之四点五",
    "〔2021〕20号", "还有哪些区？", "那鼓楼区呢？", "doesithavethesame" * 3, "也有吗" * 5, "Привет мир", "مرحبا",
    "שלום", "こんにちは", "안녕하세요", "ไทย", "Ⅻ", "𠀀𠀁", "ﷺ", "٣٤٥",
]
# every Unicode category, surrogates included
ANY_CHAR = st.characters(exclude_categories=())
HOSTILE_TEXT = st.lists(st.one_of(st.text(ANY_CHAR, max_size=40), st.sampled_from(FRAGMENTS)), min_size=1, max_size=6).map("".join)
HIT_TYPES = {"chunk_id": str, "doc_id": str, "text": str, "section": str, "district": str, "city": str,
             "province": str, "title": str, "start": int, "end": int}
SETTINGS = settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])


class _Docs(dict):
    def __repr__(self) -> str:  # hypothesis prints the arguments of a failing example
        return f"<{len(self)} corpus documents>"


@pytest.fixture(scope="module")
def docs():
    return _Docs({d.doc_id: d for d in load_corpus()})


@pytest.fixture(scope="module")
def client(fake_retriever, tmp_path_factory):
    app = create_app(fake_retriever, feedback_log=tmp_path_factory.mktemp("fb") / "feedback.jsonl")
    return TestClient(app, raise_server_exceptions=False)


def filters(r: Retriever):
    """(value, validity) for district/city/year: True valid, False invalid, None undecidable."""
    def one(valid, aliases, invalid):
        return st.one_of(
            st.just((None, True)),
            st.sampled_from([(v, True) for v in valid + aliases]),
            st.sampled_from([(v, False) for v in invalid]),
            st.text(ANY_CHAR, max_size=8).map(lambda t: (t, None)),  # may name a place by accident
        )
    district = one(r.districts(), ["鼓楼", "Gulou", "Zhoucun"], ["海淀区", "", "\ud800"])
    city = one(r.cities(), ["淄博"], ["北京", "Atlantis"])
    year = st.one_of(st.just((None, True)), st.sampled_from([(y, True) for y in r.years()]),
                     st.sampled_from([(str(y), True) for y in r.years()]),
                     st.sampled_from([(v, False) for v in [1999, 0, -1, "abc", "", 2021.5, math.inf, math.nan, "1e999",
                                                           10**30, True]]))
    return district, city, year


def check_hits(r: Retriever, docs, hits, k: int) -> None:
    """Well-formed: types, ids in the index, source spans, finite descending scores, ≤ k, no duplicates."""
    assert isinstance(hits, list) and len(hits) <= k
    assert len({h.chunk_id for h in hits}) == len(hits)
    for h in hits:
        assert isinstance(h, Hit)
        for name, typ in HIT_TYPES.items():
            assert isinstance(getattr(h, name), typ), name
        assert h.year is None or isinstance(h.year, int)
        assert isinstance(h.score, float) and math.isfinite(h.score)
        c = r.chunk(h.chunk_id)  # KeyError if not in the index
        assert (c.doc_id, c.text, c.start, c.end) == (h.doc_id, h.text, h.start, h.end)
        assert 0 <= h.start < h.end
        assert docs[h.doc_id].cleaned.project(h.start, h.end) == h.text
    scores = [h.score for h in hits]
    assert scores == sorted(scores, reverse=True)


# ---------------------------------------------------------------- Retriever.search
@SETTINGS
@given(data=st.data(), text=HOSTILE_TEXT, mode=st.sampled_from(Retriever.MODES), k=st.integers(1, 20))
def test_search_survives_hostile_input(fake_retriever, docs, data, text, mode, k):
    r = fake_retriever
    (district, d_ok), (city, c_ok), (year, y_ok) = ((None, True),) * 3
    if data.draw(st.booleans(), label="filtered"):  # else no filters: most examples should reach the ranking
        district_s, city_s, year_s = filters(r)
        (district, d_ok), (city, c_ok), (year, y_ok) = data.draw(district_s), data.draw(city_s), data.draw(year_s)
    empty = not normalize_query(text)[0]
    oks = (d_ok, c_ok, y_ok)
    try:
        hits = r.search(text, k=k, district=district, year=year, mode=mode, city=city)
    except ValueError as e:
        event("ValueError: empty query" if empty else "ValueError: filter")
        if empty:
            assert "empty query" in str(e)
        else:
            assert False in oks or None in oks, f"valid filters refused: {e}"
            assert "unknown" in str(e)
        return
    event("hits" if hits else "no hits")
    assert not empty, "an empty question must raise ValueError"
    assert False not in oks, "an invalid filter must raise ValueError"
    check_hits(r, docs, hits, k)
    if d_ok and district in r.districts():
        assert {h.district for h in hits} <= {district}
    if y_ok and year is not None:
        assert {h.year for h in hits} <= {int(year)}


@SETTINGS
@given(text=HOSTILE_TEXT)
def test_analyze_bounds_the_searched_text(fake_retriever, text):
    try:
        q = fake_retriever.analyze(text)
    except ValueError:
        assert not normalize_query(text)[0]
        return
    assert 0 < len(q.text) <= MAX_QUERY_CHARS and q.text == q.text.strip()
    q.text.encode("utf-8")  # no lone surrogates left
    assert not any(ord(ch) < 32 and ch not in "\t\n" for ch in q.text)
    assert q.truncated == bool(q.notes)


@pytest.mark.parametrize("text", ["a" * 100_000, "鼓楼" * 50_000, "😀" * 100_000, Q45 * 3000, "\ud800" * 100_000,
                                  " " * 50_000 + Q45 + " " * 50_000, ("'; DROP TABLE chunks; --" * 5000)],
                         ids=["ascii", "cjk", "emoji", "questions", "surrogates", "padded", "sql"])
def test_100k_characters_are_truncated_with_a_notice(fake_retriever, docs, text):
    q = fake_retriever.analyze(text)
    # the work downstream is bounded by what is searched, not by what was pasted
    assert len(q.text) <= MAX_QUERY_CHARS
    if len(text.strip()) > MAX_QUERY_CHARS:
        assert q.truncated and q.notes == (f"question truncated to {MAX_QUERY_CHARS} characters",)
    else:
        assert not q.notes and q.text == Q45
    for mode in Retriever.MODES:
        check_hits(fake_retriever, docs, fake_retriever.search(text, k=5, mode=mode), 5)


@pytest.mark.parametrize("year", [2021.5, math.inf, -math.inf, math.nan, "2021.5", 10**400])
def test_non_years_are_value_errors(fake_retriever, year):
    # before: 2021.5 was quietly taken as 2021 and inf raised OverflowError
    with pytest.raises(ValueError, match="unknown year"):
        fake_retriever.search(Q45, year=year)


def test_a_place_named_in_the_question_still_gives_descending_scores(fake_retriever):
    # before: steering moved the named district's chunks up without touching the others' scores,
    # so a demoted chunk could outscore the steered ones listed above it
    q = "Which regional medicinal herbs industry belt does Zhoucun aim to join?"
    hits = fake_retriever.search(q, k=20)
    steered = [h.signals["steered"] for h in hits]
    assert steered[0] and steered == sorted(steered, reverse=True)
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    # and over the whole question set (3 of its 180 questions were out of order at k=20)
    for line in (ROOT / "eval" / "questions.jsonl").read_text(encoding="utf-8").splitlines():
        scores = [h.score for h in fake_retriever.search(json.loads(line)["question"], k=20)]
        assert scores == sorted(scores, reverse=True), line


# ---------------------------------------------------------------- HTTP API
def _k_values():
    return st.one_of(st.none(), st.integers(-3, 60), st.sampled_from(["", "3", " 7 ", "abc", "2.5", "1e3", "٣", "\ud800"]),
                     st.floats(allow_nan=True, allow_infinity=True), st.booleans())


def _url_part(value) -> str:
    # as a hostile client would send it: lone surrogates become invalid UTF-8 bytes
    return quote(str(value).encode("utf-8", "surrogatepass"), safe="")


def check_error(resp) -> None:
    body = resp.json()
    assert set(body) == {"error"} and isinstance(body["error"], str) and body["error"]


def mostly(valid, hostile):
    """valid 7 times in 8: with hostile values in every parameter nearly all requests would stop at the first check."""
    return st.integers(0, 7).flatmap(lambda i: hostile if i == 0 else valid)


@SETTINGS
@given(q=mostly(HOSTILE_TEXT, st.none()), k=mostly(st.sampled_from([None, 1, 5, 10, 20]), _k_values()),
       mode=mostly(st.sampled_from([None, *Retriever.MODES]), st.sampled_from(["", "magic", "\ud800"])),
       district=mostly(st.sampled_from([None, "", "全部", "鼓楼区", "Gulou"]), st.sampled_from(["海淀区", "<script>", "\ud800"])),
       year=mostly(st.sampled_from([None, "", "2021", "2024"]), st.sampled_from(["1999", "abc", "2021.5", "inf"])))
def test_http_search_is_200_or_400(client, fake_retriever, docs, q, k, mode, district, year):
    params = {"q": q, "k": k, "mode": mode, "district": district, "year": year}
    url = "/api/search?" + "&".join(f"{n}={_url_part(v)}" for n, v in params.items() if v is not None)
    resp = client.get(url)
    event(f"HTTP {resp.status_code}")
    assert resp.status_code in (200, 400), resp.text
    if resp.status_code == 400:
        return check_error(resp)
    body = resp.json()
    assert 0 < len(body["searched"]) <= MAX_QUERY_CHARS and isinstance(body["notes"], list)
    hits = [Hit(**{f: h[f] for f in Hit.__dataclass_fields__}) for h in body["hits"]]
    check_hits(fake_retriever, docs, hits, int(str(k).strip()) if k not in (None, "") else 10)


@SETTINGS
@given(question=mostly(HOSTILE_TEXT, st.one_of(st.none(), st.integers(), st.lists(st.text(max_size=3), max_size=2))),
       history=mostly(st.one_of(st.none(), st.lists(st.one_of(HOSTILE_TEXT, st.fixed_dictionaries(
           {"role": st.sampled_from(["user", "assistant", "\ud800"]), "content": HOSTILE_TEXT})), max_size=3)),
           st.sampled_from(["那鼓楼区呢", 5, {"a": 1}, [1], [{"role": "user", "content": 5}]])),
       k=mostly(st.sampled_from([None, 1, 3, 10, "2"]), _k_values()),
       district=mostly(st.sampled_from([None, "全部", "鼓楼区", "Gulou"]), st.sampled_from(["海淀区", "<script>", "\ud800", 3])),
       year=mostly(st.sampled_from([None, "", 2021, "2024"]), st.sampled_from([1999, "abc", 2021.5, [2021]])),
       mode=mostly(st.sampled_from([None, *Retriever.MODES]), st.sampled_from(["magic", 1, "\ud800"])))
def test_http_ask_is_200_or_400(client, fake_retriever, docs, question, history, k, district, year, mode):
    body = {"question": question, "history": history, "k": k, "district": district, "year": year, "mode": mode}
    # ensure_ascii: lone surrogates travel as \ud800 escapes, which is legal JSON
    resp = client.post("/api/ask", content=json.dumps(body, ensure_ascii=True), headers={"content-type": "application/json"})
    event(f"HTTP {resp.status_code}")
    assert resp.status_code in (200, 400), resp.text
    if resp.status_code == 400:
        return check_error(resp)
    out = resp.json()
    assert isinstance(out["answer"], str) and out["answer"] and isinstance(out["abstained"], bool)
    assert 0 < len(out["searched"]) <= MAX_QUERY_CHARS
    assert "<script" not in out["answer_html"]
    for c in out["citations"]:
        chunk = fake_retriever.chunk(c["chunk_id"])
        assert (c["text"], c["start"], c["end"]) == (chunk.text, chunk.start, chunk.end)


@pytest.mark.parametrize("body", [b"\xff\xfe\x00", b'{"question": "\xed\xa0\x80"}', b'{"question": "a"' + b" " * 10,
                                  json.dumps({"question": "x", "k": 1e999}).encode(), b'{"question": "\\ud800"}'])
def test_http_ask_raw_bodies(client, body):
    resp = client.post("/api/ask", content=body, headers={"content-type": "application/json"})
    assert resp.status_code in (200, 400), resp.text
    if resp.status_code == 400:
        check_error(resp)


def test_http_lone_surrogate_question_is_answered_not_500(client):
    # before: the question was echoed back unchanged and encoding the JSON response failed (500)
    resp = client.post("/api/ask", content=b'{"question": "\\ud800' + Q45.encode("unicode_escape") + b'"}',
                       headers={"content-type": "application/json"})
    assert resp.status_code == 200, resp.text
    assert resp.json()["question"] == "?" + Q45


def test_http_long_inputs_are_truncated_with_a_notice(client):
    long_q = Q45 * 150  # 3,750 characters, ~30 kB of URL; httpx refuses URLs over 64 kB
    body = client.get("/api/search", params={"q": long_q, "k": 3}).json()
    assert len(body["searched"]) == MAX_QUERY_CHARS and body["notes"] and len(body["hits"]) == 3
    resp = client.post("/api/ask", json={"question": "x" * 100_000 + Q45})
    assert resp.status_code == 200
    assert len(resp.json()["searched"]) == MAX_QUERY_CHARS and "1000" in resp.json()["note"]


@pytest.mark.parametrize("question", ["Gulou " + "does it have the same " * 40 + "x", "还有" + "也有吗" * 300 + "x"])
def test_http_follow_up_near_miss_does_not_hang(client, question):
    # before: "Gulou" + "does it have the same" * n backtracked exponentially in the follow-up patterns
    # (n = 18 took 0.15 s and each repetition doubled it: n = 40 would run for days); now a residue
    # too long to be a follow-up is not matched at all. A thread, so a regression fails instead of hanging.
    result = []
    t = threading.Thread(target=lambda: result.append(client.post("/api/ask", json={"question": question,
                                                                                     "history": [Q45]})), daemon=True)
    t.start()
    t.join(timeout=30)
    assert result and result[0].status_code == 200


# ---------------------------------------------------------------- chat handler
@pytest.fixture(scope="module")
def backend(fake_retriever, tmp_path_factory):
    return Backend(fake_retriever, feedback_log=tmp_path_factory.mktemp("fb") / "feedback.jsonl")


@pytest.mark.parametrize("message", ["", "   ", "\u3000\t\n", None, 42, ["疫苗"], "\x00\x01"])
def test_chat_empty_input_gets_a_friendly_reply(backend, message):
    box, history, memory = chat_reply(backend, message, [], memory={"questions": [], "answers": {}})
    # its own user/assistant pair: a reply right after the previous answer would merge into that bubble
    assert box == "" and [m["role"] for m in history] == ["user", "assistant"]
    assert "请输入一个问题" in history[1]["content"] and EMPTY_REPLY[:8] in history[1]["content"]
    assert memory == {"questions": [], "answers": {}}


@pytest.mark.parametrize("message, reply", [
    (Q45, "卫东区"),
    ("<script>alert(1)</script>", "qa-answer"),
    ("'; DROP TABLE chunks; --", "qa-answer"),
    ("\ud800\udfff疫苗", "qa-answer"),
    ("ＡＢＣ１２３　卫生健康", "qa-answer"),
    ("x" * 100_000, "1000"),  # the truncation notice
])
def test_chat_hostile_messages_get_an_answer(backend, message, reply):
    box, history, memory = chat_reply(backend, message, [], "全部", "全部", 3, "hybrid", None)
    assert box == "" and [m["role"] for m in history] == ["user", "assistant"]
    html = history[1]["content"]
    assert reply in html and "<script" not in html and "<script" not in history[0]["content"]
    json.dumps(history, ensure_ascii=False).encode("utf-8")  # sendable to the browser
    assert memory["questions"] == [bounded(message)[0]]  # the bounded question, not a pasted megabyte


@pytest.mark.parametrize("kwargs, needle", [
    ({"district": "海淀区"}, "无法检索"), ({"year": "1999"}, "无法检索"), ({"mode": "magic"}, "无法检索"),
    ({"k": "many"}, "无法检索"), ({"k": math.inf}, "出错了"),
])
def test_chat_bad_options_are_explained_in_the_chat(backend, kwargs, needle):
    _, history, memory = chat_reply(backend, Q45, [], **{"district": "全部", "year": "全部", "k": 3, "mode": "hybrid", **kwargs})
    assert needle in history[-1]["content"] and memory["questions"] == []


def test_chat_lone_surrogate_can_be_liked(backend, tmp_path):
    # before: the question stayed in the session memory as typed, and a 👍 on its answer raised
    # UnicodeEncodeError writing the feedback log
    _, history, memory = chat_reply(backend, "\ud800疫苗接种", [], memory=None)
    meta = memory["answers"][str(len(history) - 1)]
    assert meta["question"] == "?疫苗接种"
    log = Backend(None, feedback_log=tmp_path / "feedback.jsonl")
    log.log_feedback({"vote": "up", **meta, "note": "\udcff"})  # and the log itself never fails on one
    row = json.loads((tmp_path / "feedback.jsonl").read_text(encoding="utf-8"))
    assert row["question"] == "?疫苗接种" and row["note"] == "?"


def test_chat_while_loading(fake_retriever):
    _, history, _ = chat_reply(Backend(None), Q45, [])
    assert "索引还在建立中" in history[-1]["content"]


@SETTINGS
@given(message=HOSTILE_TEXT, k=st.integers(-2, 12))
def test_chat_never_raises(backend, message, k):
    box, history, memory = chat_reply(backend, message, [], "全部", "全部", k, "hybrid", {"questions": [Q45], "answers": {}})
    assert box == "" and history[-1]["role"] == "assistant" and isinstance(history[-1]["content"], str)
    json.dumps(history, ensure_ascii=False).encode("utf-8")


# ---------------------------------------------------------------- CLI
@pytest.mark.parametrize("question", ["  ", "", "\t\n\u3000", "\x1f\x7f"])
def test_cli_ask_empty_question_exits_2_before_loading_the_index(tmp_path, question):
    # the index dir does not exist: the command must refuse the question before building one
    proc = subprocess.run([sys.executable, "-m", "qa", "ask", question, "--index", str(tmp_path / "none")], cwd=ROOT,
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2, proc.stderr
    assert "empty query" in proc.stderr and not (tmp_path / "none").exists()
