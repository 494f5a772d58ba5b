"""The document library: store, reader, HTML pages, and the HTTP API with its credential.

Fast: a fake encoder (the UI and library mechanics, not answer quality); the
real model is used by tests/test_library_browser.py.
"""
from __future__ import annotations

import io
import json
import zipfile

import pytest
from fastapi.testclient import TestClient

from library_fixtures import HELD_OUT, corpus_without, tree_digest, write_docx
from qa.corpus.documents import load_corpus, read_catalog
from qa.corpus.chunking import chunk_corpus
from qa.embed.encoder import FakeEncoder
from qa.library.html_text import decode_html, html_to_text
from qa.library.reader import reader_html
from qa.library.store import Library, LibraryError, Limits, clean_fields, clean_name
from qa.search.retriever import Retriever
from qa.web.ui import create_app

TOKEN = "s3cret-token"


# ---------------------------------------------------------------- saved web pages
def test_html_to_text_keeps_blocks_and_tables_and_drops_scripts():
    page = ("<html><head><title>t</title><style>p{color:red}</style></head><body><h1>一、总体要求</h1>"
            "<p>第一段  文字<br>第二行 &amp; 更多</p><script>alert(1)</script><!-- 注释 -->"
            "<table><tr><th>序号</th><th>名称</th></tr><tr><td>1</td><td> 甲 </td></tr></table></body></html>")
    assert html_to_text(page) == "一、总体要求\n\n第一段 文字\n第二行 & 更多\n\n序号\t名称\n1\t甲"


@pytest.mark.parametrize("raw, want", [
    ('<meta charset="gb2312"><p>卫生健康</p>'.encode("gb18030"), "卫生健康"),
    ("<p>卫生健康</p>".encode("utf-8-sig"), "卫生健康"),
    ("<p>卫生健康</p>".encode("utf-16"), "卫生健康"),
    ("<p>卫生健康</p>".encode("gb18030"), "卫生健康"),  # no declaration: UTF-8 fails, GB18030 reads it
])
def test_decode_html_encodings(raw, want):
    assert html_to_text(decode_html(raw)) == want


# ---------------------------------------------------------------- reader
@pytest.fixture(scope="module")
def docs_and_chunks():
    docs = load_corpus()
    return {d.doc_id: d for d in docs}, chunk_corpus(docs)


def test_reader_highlights_the_target_and_renders_the_form_table(docs_and_chunks):
    docs, chunks = docs_and_chunks
    table = next(c for c in chunks if c.kind == "table")
    d = docs[table.doc_id]
    html = reader_html(d.meta, d.source, chunks, target=table.chunk_id)
    assert html.count("qa-target") == 1
    assert '<table class="qa-r-table">' in html and "<th>" in html
    head = d.source[table.start:table.end].split("\n")[0]
    assert head in html
    # the outline lists every top-level heading of the document, in order
    tops = list(dict.fromkeys(c.heading_path[0] for c in chunks if c.doc_id == d.doc_id and c.heading_path))
    pos = [html.index(f">{t}</div>") for t in tops]
    assert pos == sorted(pos)


def test_reader_escapes_document_text():
    from qa.records import Chunk, DocMeta

    src = "一、标题\n<script>alert(1)</script> & <b>x</b>"
    meta = DocMeta(doc_id="d", file="d.txt", title="<i>t</i>")
    chunk = Chunk("d#0", "d", 0, "body", ("一、标题",), src, 0, len(src))
    html = reader_html(meta, src, [chunk], target="d#0")
    assert "<script>" not in html and "&lt;script&gt;" in html and "<i>" not in html


# ---------------------------------------------------------------- store
def test_clean_fields_and_names():
    assert clean_fields({"year": "2021", "district": " 某区\x00 ", "confidence": 0.9}) == {"year": 2021, "district": "某区"}
    assert clean_fields({"year": ""}) == {"year": None}
    for bad in ({"year": "abc"}, {"year": 1800}, {"date": "2021/3/1"}, {"title": "x" * 500}):
        with pytest.raises(LibraryError):
            clean_fields(bad)
    assert clean_name("../../etc/passwd.txt") == "passwd.txt"
    assert clean_name("C:\\x\\plan\n.docx") == "plan.docx"


def test_stage_commit_remove_round_trip(tmp_path):
    corpus, entry, text = corpus_without(tmp_path)
    lib = Library(corpus, tmp_path / "data")
    src = write_docx(text, tmp_path / "plan.docx")
    p = lib.stage(src, "plan.docx")
    assert p.fields["district"] == entry["district"] and p.chunks > 5 and p.filename == "plan.docx"
    staged = list((tmp_path / "data" / "uploads").rglob("source.docx"))
    assert len(staged) == 1 and staged[0].read_bytes() == src.read_bytes()  # the bytes live in the data dir
    meta = lib.commit(p.upload_id, {"signer": "某某"})
    with pytest.raises(LibraryError, match="already in the library"):  # the same text again
        lib.stage(src, "again.docx")
    assert meta.signer == "某某" and meta.district == entry["district"] and meta.year == entry["year"]
    assert any(m.doc_id == meta.doc_id for m in read_catalog(corpus))
    assert (corpus / meta.file).read_text(encoding="utf-8").strip()
    assert not list((tmp_path / "data" / "uploads").iterdir())  # staging cleared
    with pytest.raises(LibraryError, match="unknown or expired"):
        lib.commit(p.upload_id)
    gone = lib.remove(meta.doc_id)
    assert gone.doc_id == meta.doc_id and not (corpus / meta.file).exists()
    assert meta.doc_id not in {m.doc_id for m in read_catalog(corpus)}
    with pytest.raises(LibraryError, match="no document"):
        lib.remove(meta.doc_id)


def test_the_last_document_cannot_be_removed(tmp_path):
    corpus, _, _ = corpus_without(tmp_path)
    lib = Library(corpus, tmp_path / "data")
    ids = [m.doc_id for m in read_catalog(corpus)]
    for d in ids[:-1]:
        lib.remove(d)
    with pytest.raises(LibraryError, match="last document"):
        lib.remove(ids[-1])


def test_limits_on_documents_and_pending_uploads(tmp_path):
    corpus, _, text = corpus_without(tmp_path)
    n = len(read_catalog(corpus))
    lib = Library(corpus, tmp_path / "data", limits=Limits(max_documents=n, max_pending=1))
    p = lib.stage(write_docx(text, tmp_path / "a.docx"), "a.docx")
    with pytest.raises(LibraryError, match="awaiting review"):
        lib.stage(io.BytesIO(("一、总体要求\n" + "测试文字。" * 20).encode()), "b.txt")
    with pytest.raises(LibraryError, match="limit of"):
        lib.commit(p.upload_id)


# ---------------------------------------------------------------- the HTTP API
def _serve(tmp_path):
    corpus, entry, text = corpus_without(tmp_path)
    index = tmp_path / "index"
    r = Retriever.load(index_dir=index, corpus_dir=corpus, encoder=FakeEncoder())
    app = create_app(r, data_dir=tmp_path / "data", admin_token=TOKEN, host="127.0.0.1",
                     limits=Limits(max_bytes=256 * 1024), watch=False, feedback_log=tmp_path / "fb.jsonl")
    client = TestClient(app, raise_server_exceptions=False)
    return {"client": client, "backend": app.state.backend, "corpus": corpus, "index": index, "entry": entry,
            "text": text, "tmp": tmp_path, "data": tmp_path / "data"}


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """An app over a corpus copy (one document held out) with a fake encoder; token required.

    Shared by the tests that must change nothing (each checks that it did not).
    """
    s = _serve(tmp_path_factory.mktemp("served"))
    yield s
    s["backend"].stop()


@pytest.fixture()
def fresh(tmp_path):
    s = _serve(tmp_path)
    yield s
    s["backend"].stop()


AUTH = {"Authorization": f"Bearer {TOKEN}"}


def _upload(client, path, *, action="preview", headers=AUTH, **fields):
    with open(path, "rb") as f:
        return client.post("/api/documents", files={"file": (path.name, f)}, data={"action": action, **fields},
                           headers=headers)


def test_upload_review_commit_answer_and_delete_over_http(fresh):
    served = fresh
    c, backend, entry = served["client"], served["backend"], served["entry"]
    listed = c.get("/api/documents").json()
    assert HELD_OUT not in [d["doc_id"] for d in listed["documents"]] and listed["needs_token"]
    docx = write_docx(served["text"], served["tmp"] / "plan.docx")
    r = _upload(c, docx)
    assert r.status_code == 200, r.text
    preview = r.json()
    assert preview["metadata"]["district"] == entry["district"] and preview["chunks"] > 5
    assert read_catalog(served["corpus"]) and HELD_OUT not in json.dumps([m.doc_id for m in read_catalog(served["corpus"])])
    r = c.post("/api/documents", data={"action": "commit", "upload_id": preview["upload_id"],
                                       "metadata": json.dumps({"signer": "某某"})}, headers=AUTH)
    assert r.status_code == 202, r.text
    doc = r.json()["document"]
    assert doc["district"] == entry["district"] and doc["signer"] == "某某"
    before = c.get("/api/health").json()["build"]
    assert backend.wait_idle(120).state == "done"
    health = c.get("/api/health").json()
    assert health["build"] != before and "5 份文件" in health["status"]
    row = next(d for d in c.get("/api/documents").json()["documents"] if d["doc_id"] == doc["doc_id"])
    assert row["chunks"] == preview["chunks"] and row["district"] == entry["district"]
    ans = c.post("/api/ask", json={"question": f"{entry['district']}基本公共卫生服务补助标准是多少？"}).json()
    assert ans["citations"] and ans["citations"][0]["doc_id"] == doc["doc_id"]
    whole = c.get(f"/api/documents/{doc['doc_id']}").json()
    assert whole["text"].strip() and whole["district"] == entry["district"]
    r = c.delete(f"/api/documents/{doc['doc_id']}", headers=AUTH)
    assert r.status_code == 202
    assert backend.wait_idle(120).state == "done"
    assert doc["doc_id"] not in [d["doc_id"] for d in c.get("/api/documents").json()["documents"]]
    ans = c.post("/api/ask", json={"question": f"{entry['district']}基本公共卫生服务补助标准是多少？"}).json()
    assert all(x["doc_id"] != doc["doc_id"] for x in ans["citations"])
    assert c.delete(f"/api/documents/{doc['doc_id']}", headers=AUTH).status_code == 404


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer wrong"}, {"X-Admin-Token": ""}])
def test_changes_without_the_credential_are_refused(served, headers):
    c = served["client"]
    before = tree_digest(served["corpus"], served["index"])
    docx = write_docx(served["text"], served["tmp"] / "plan.docx")
    r = _upload(c, docx, action="commit", headers=headers)
    assert r.status_code == 401 and "token" in r.json()["error"]
    victim = read_catalog(served["corpus"])[0].doc_id
    r = c.delete(f"/api/documents/{victim}", headers=headers)
    assert r.status_code == 401
    assert c.get("/api/documents").status_code == 200  # reading stays open
    assert tree_digest(served["corpus"], served["index"]) == before
    assert not (served["data"] / "uploads").exists() or not list((served["data"] / "uploads").iterdir())
    # the X-Admin-Token header is the other accepted spelling
    r = _upload(c, docx, headers={"X-Admin-Token": TOKEN})
    assert r.status_code == 200
    served["backend"].library.discard(r.json()["upload_id"])  # the module's app must stay as it was


def test_a_public_server_without_a_token_refuses_changes(tmp_path, fake_retriever):
    app = create_app(fake_retriever, data_dir=tmp_path / "data", host="0.0.0.0", watch=False)
    c = TestClient(app, raise_server_exceptions=False)
    r = c.delete("/api/documents/whatever")
    assert r.status_code == 403 and "--admin-token" in r.json()["error"]
    assert c.get("/api/documents").status_code == 200


def _zip_bomb(path, inflated=80 * 2**20):
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", b"<w:document>" + b"A" * inflated + b"</w:document>")
    return path


def _blank_pdf(path):
    from pypdf import PdfWriter

    w = PdfWriter()
    w.add_blank_page(width=200, height=200)
    with open(path, "wb") as f:
        w.write(f)
    return path


HOSTILE = {
    "tool.exe": (lambda p: p.write_bytes(b"MZ\x90\x00" * 100), "unsupported type"),
    "empty.txt": (lambda p: p.write_bytes(b""), "empty"),
    "binary.txt": (lambda p: p.write_bytes(bytes(range(256)) * 40), "binary"),
    "huge.txt": (lambda p: p.write_bytes(("卫生健康工作。" * 20000).encode()), "limit"),
    "bomb.docx": (_zip_bomb, "zip bomb"),
    "fake.docx": (lambda p: p.write_bytes(b"not a zip at all" * 10), "not a valid .docx"),
    "scan.pdf": (_blank_pdf, "no text layer"),
    "blank.html": (lambda p: p.write_text("<html><body><script>x()</script></body></html>"), "no usable text"),
    "noext": (lambda p: p.write_bytes(b"hello world " * 10), "unsupported type"),
}


# "commit" is the path that would write; "preview" runs the same checks first (one case shows it)
@pytest.mark.parametrize("name, action", [(n, "commit") for n in sorted(HOSTILE)] + [("bomb.docx", "preview")])
def test_hostile_files_change_nothing(served, name, action):
    make, needle = HOSTILE[name]
    path = served["tmp"] / name
    make(path)
    before = tree_digest(served["corpus"], served["index"])
    r = _upload(served["client"], path, action=action)
    assert r.status_code in (400, 413), r.text
    err = r.json()["error"]
    assert needle in err and (name in err or "request" in err)
    assert tree_digest(served["corpus"], served["index"]) == before
    for sub in ("uploads", "incoming"):  # nothing left behind in the data dir either
        d = served["data"] / sub
        assert not d.exists() or not list(d.iterdir())


@pytest.mark.parametrize("body, ctype, needle", [
    (b"just bytes", "application/octet-stream", "multipart"),
    (b"--x\r\nContent-Disposition: form-data; name=\"action\"\r\n\r\ncommit\r\n--x--\r\n", "multipart/form-data; boundary=x",
     "send a file"),
    (b"--x\r\nContent-Disposition: form-data; name=\"upload_id\"\r\n\r\n../../etc\r\n--x--\r\n",
     "multipart/form-data; boundary=x", "upload id"),
])
def test_malformed_upload_requests_are_400(served, body, ctype, needle):
    before = tree_digest(served["corpus"], served["index"])
    r = served["client"].post("/api/documents", content=body, headers={**AUTH, "Content-Type": ctype})
    # a body that is no form at all is refused by its type before it is read (qa.web.guard): 415
    assert r.status_code == (415 if ctype == "application/octet-stream" else 400) and needle in r.json()["error"]
    assert tree_digest(served["corpus"], served["index"]) == before


def test_path_in_an_uploaded_name_is_ignored(fresh):
    served = fresh
    p = served["tmp"] / "x.docx"
    write_docx(served["text"], p)
    with open(p, "rb") as f:
        r = served["client"].post("/api/documents", files={"file": ("../../../../tmp/evil.docx", f)}, headers=AUTH)
    assert r.status_code == 200 and r.json()["file"] == "evil.docx"
    staged = list((served["data"] / "uploads").rglob("*"))
    assert staged and all(str(s).startswith(str(served["data"])) for s in staged)


# ---------------------------------------------------------------- page helpers
def test_answer_tools_carry_plain_text_markdown_and_chunk_ids(fake_retriever):
    import html as html_mod
    import re as re_mod

    from qa.web.api import Backend
    from qa.web.ui import chat_reply
    from qa.web.ui_tools import id_class

    backend = Backend(fake_retriever)
    q = "哪个区要求严重精神障碍患者报告患病率不低于4.5%？"
    _, history, _ = chat_reply(backend, q, [], memory=None)
    content = history[-1]["content"]
    assert content.startswith('<div class="qa-msg">') and "\n" not in content  # one HTML line
    plain = html_mod.unescape(re_mod.search(r'<div class="qa-plain">(.*?)</div>', content).group(1).replace("<br>", "\n"))
    assert "<" not in plain.replace("<<", "") and "[1] " in plain and " · 《" in plain
    md = html_mod.unescape(re_mod.search(r'<div class="qa-md">(.*?)</div>', content).group(1).replace("<br>", "\n"))
    assert md.startswith(f"### {q}") and "\n1. " in md and "\n   > " in md
    res = backend.ask(q, [])
    for c in res.answer.citations:  # every citation can be opened in the reader
        assert id_class("qa-c-", c.hit.chunk_id) in content
    assert bytes.fromhex(id_class("qa-c-", "a#1")[5:]).decode() == "a#1"


def test_conversation_survives_the_browser_round_trip():
    from qa.web.ui import MAX_SAVED_MESSAGES, restore_state, saved_state

    typed = [{"role": "user", "metadata": None, "content": [{"type": "text", "text": "<div>问</div>"}]},
             {"role": "assistant", "content": "<div>答</div>"}, {"role": "system", "content": "x"}, "junk"]
    memory = {"questions": ["问"], "answers": {"1": {"question": "问"}}}
    history, mem = restore_state(saved_state(typed, memory))
    assert history == [{"role": "user", "content": "<div>问</div>"}, {"role": "assistant", "content": "<div>答</div>"}]
    assert mem == memory
    long = [{"role": "user" if i % 2 == 0 else "assistant", "content": str(i)} for i in range(MAX_SAVED_MESSAGES + 10)]
    saved = saved_state(long, {"questions": [], "answers": {"11": {"q": 1}, "3": {"q": 0}}})
    assert len(saved["history"]) == MAX_SAVED_MESSAGES and saved["history"][0]["content"] == "10"
    assert saved["memory"]["answers"] == {"1": {"q": 1}}  # index 11 is now message 1; message 3 was dropped
    for bad in (None, "x", {"history": "x"}, {"history": [], "memory": "y"}):
        assert restore_state(bad)[0] == []


def test_filter_note_names_active_filters():
    from qa.web.ui import filter_note

    assert filter_note("全部", "全部") == "" and filter_note(None, "") == ""
    assert "某区 · 2021" in filter_note("某区", "2021")
    # both languages (the page shows its own); a filter value is text, never markup
    note = filter_note("<b>某区</b>", "")
    assert '<span class="qa-en">Filtered: searching only <b>&lt;b&gt;某区' in note and '<span class="qa-zh">筛选中' in note


def test_library_list_search_and_place_filter(tmp_path):
    from qa.library.ui_tab import library_html

    corpus, _, _ = corpus_without(tmp_path)
    entries = Library(corpus, tmp_path / "data").entries()
    m = entries[0].meta
    full = library_html(entries, {m.doc_id: 7})
    assert full.count("<tr class=") == len(entries) and "<td>7</td>" in full and "索引中" in full
    assert library_html(entries, {}, query=m.title[:6]).count("<tr class=") >= 1
    only = library_html(entries, {}, place=m.district)
    assert only.count("<tr class=") == sum(e.meta.district == m.district or e.meta.city == m.district for e in entries)
    assert library_html(entries, {}, query="没有这样的文件标题").count("<tr class=") == 0


def test_the_status_line_reads_in_both_languages_while_building_and_when_ready(tmp_path):
    """The page shows the line in its own language (an English page once showed "状态：已就绪" under English tabs)."""
    import dataclasses
    import types

    from qa.library.service import LibraryBackend
    from qa.web.ui import status_html

    b = LibraryBackend(index_dir=tmp_path / "index", corpus_dir=tmp_path / "corpus", library=None, watch=False)
    b.report("embedding", 40, 120)
    assert "嵌入段落 40/120" in b.status() and "首次启动" in b.status()
    en = b.status("en")
    assert "embedding passages 40/120" in en and "s so far" in en
    assert not any("\u4e00" <= ch <= "\u9fff" for ch in en), en

    b.retriever = types.SimpleNamespace(metas={"a": 1, "b": 2}, chunks=[0] * 7, build_id="x")
    b.job = dataclasses.replace(b.job, state="running")
    assert b.status().startswith("状态：已就绪（2 份文件，7 个段落）；正在更新索引")
    assert b.status("en").startswith("Ready: 2 documents, 7 passages; updating the index — embedding passages")
    shown = status_html(b)
    assert '<span class="qa-zh">状态：已就绪' in shown and '<span class="qa-en">Ready: 2 documents' in shown
