"""The PostgreSQL store against the embedded one, on a real server (tests/pg_helpers.py).

Same BM25 top-10 ids and scores on every eval question; dense and hybrid metrics
within ±0.01; an add in one process visible from another; a writer killed
mid-transaction leaves the previous index serving; `qa db init` migrates an
older schema.
"""
from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from eval.questions import load_questions
from eval.run import run_all, summarise

REPO = Path(__file__).resolve().parent.parent
QUESTION_SETS = [REPO / "eval" / "questions.jsonl", REPO / "eval" / "heldout.jsonl"]
ENV = {**os.environ, "PYTHONPATH": str(REPO), "HF_HUB_OFFLINE": "1"}


def _questions():
    return [q for path in QUESTION_SETS for q in load_questions(path)]


def _assert_bm25_parity(emb, pg, questions, **filters):
    # the same cross-lingual tables on both sides: what is compared is the stores' BM25
    # (a database store builds only the lexicon itself; see test_database_store_has_a_lexicon)
    own, pg.xling = pg.xling, emb.xling
    try:
        _check_parity(emb, pg, questions, **filters)
    finally:
        pg.xling = own


def test_database_store_has_a_lexicon(pg_fake_retriever):
    groups = pg_fake_retriever.analyze("How many rabies vaccination clinics?").xling
    assert pg_fake_retriever.xling.lexicon is not None and any(g.source == "lexicon" for g in groups)


def _check_parity(emb, pg, questions, **filters):
    for q in questions:
        a = emb.search(q.question, k=10, mode="bm25", **filters)
        b = pg.search(q.question, k=10, mode="bm25", **filters)
        assert [h.chunk_id for h in b] == [h.chunk_id for h in a], q.question
        for x, y in zip(a, b):
            assert y.score == pytest.approx(x.score, rel=1e-9, abs=1e-6), (q.question, x.chunk_id)


def test_bm25_same_top10_and_scores_on_every_eval_question(fake_retriever, pg_fake_retriever):
    _assert_bm25_parity(fake_retriever, pg_fake_retriever, _questions())


def test_bm25_parity_with_filters(fake_retriever, pg_fake_retriever):
    qs = _questions()[:40]
    for district in fake_retriever.districts()[:2]:
        _assert_bm25_parity(fake_retriever, pg_fake_retriever, qs, district=district)
    _assert_bm25_parity(fake_retriever, pg_fake_retriever, qs, year=fake_retriever.years()[0])


def _metrics_agree(emb, pg, modes=("dense", "hybrid")):
    own, pg.xling = pg.xling, emb.xling  # same cross-lingual tables: the stores are compared
    try:
        _check_metrics(emb, pg, modes)
    finally:
        pg.xling = own


def _check_metrics(emb, pg, modes):
    for path in QUESTION_SETS:
        qs = load_questions(path)
        a = summarise(run_all(emb, qs, modes, k=10), k=10)
        b = summarise(run_all(pg, qs, modes, k=10), k=10)
        for mode in modes:
            for group, row in a[mode]["by_type"].items():
                for name, value in row.items():
                    if name != "n" and value is not None:
                        got = b[mode]["by_type"][group][name]
                        assert abs(got - value) <= 0.01, (path.name, mode, group, name, value, got)


def test_dense_and_hybrid_metrics_within_001(fake_retriever, pg_fake_retriever):
    _metrics_agree(fake_retriever, pg_fake_retriever)


def test_hits_carry_the_same_records(fake_retriever, pg_fake_retriever):
    q = "哪个区要求严重精神障碍患者报告患病率不低于4.5%？"
    a, b = fake_retriever.search(q, k=3), pg_fake_retriever.search(q, k=3)
    assert [(h.chunk_id, h.text, h.section, h.district, h.start, h.end) for h in b] == \
           [(h.chunk_id, h.text, h.section, h.district, h.start, h.end) for h in a]
    assert pg_fake_retriever.section_chunks(b[0].chunk_id) == fake_retriever.section_chunks(a[0].chunk_id)


@pytest.mark.model
def test_real_model_parity_and_hnsw_recall(real_retriever, pg_server):
    """The real e5 vectors (copied from the embedded index, not re-encoded) in pgvector's HNSW."""
    from qa.search.retriever import Retriever
    from qa.store.postgres import PgStore, connect, init
    from qa.store.postgres.writer import write, identity

    url = pg_server.fresh_db()
    with connect(url) as conn:
        init(conn)
    data = real_retriever._store.data
    params = real_retriever.manifest["params"]
    write(url, data.metas, {}, data.chunks, data.tokens, data.dense.embeddings, data.manifest["_embed_keys"],
          ident=identity(real_retriever.encoder.model_id, params), delete=None, manifest={})
    pg = Retriever(PgStore(url), real_retriever.encoder)
    qs = _questions()
    _assert_bm25_parity(real_retriever, pg, qs)
    _metrics_agree(real_retriever, pg)
    recall = []
    for q in qs:
        qv = real_retriever.query_vector(q.question)
        exact = {i for i, _ in data.dense.search(qv, 100)}
        recall.append(len(exact & {i for i, _ in pg._store.dense_top(qv, 100, None)}) / len(exact))
    assert sum(recall) / len(recall) >= 0.98


# ---------------------------------------------------------------- processes

NEW_DOC = ("关于印发{place}2031年卫生健康工作要点的通知\n\n各科室：\n\n一、总体要求\n\n"
           "全面推进{place}卫生健康事业高质量发展，确保辖区居民健康素养水平达到{n}%以上。\n\n"
           "二、重点任务\n\n（一）建设紧密型医共体\n\n推动{place}紧密型县域医共体建设，全面推行{term}工作机制。\n")
ADD_SCRIPT = r"""
import sys, os, json
from pathlib import Path
from qa.embed.encoder import FakeEncoder
from qa.corpus.ingest import add_documents
from qa.search.retriever import DEFAULT_PARAMS
from qa.store.postgres.writer import sync
corpus, url, path, kill_at = Path(sys.argv[1]), sys.argv[2], Path(sys.argv[3]), sys.argv[4]
if str(path) != "-":
    add_documents([path], corpus)
def hook(stage):
    print(stage, flush=True)
    if stage == kill_at:
        import time; time.sleep(600)   # the test kills us here, mid-transaction
sync(url, corpus, FakeEncoder(), dict(DEFAULT_PARAMS), hook=hook)
print("done", flush=True)
"""


@pytest.fixture()
def pg_pair(pg_server, tmp_path):
    """A database with the shipped corpus, a retriever on it, and a private corpus copy to add to."""
    import shutil

    from qa.embed.encoder import FakeEncoder
    from qa.search.retriever import Retriever

    corpus = tmp_path / "corpus"
    shutil.copytree(REPO / "corpus", corpus)
    url = pg_server.fresh_db()
    r = Retriever.load(corpus_dir=corpus, encoder=FakeEncoder(), database_url=url)
    return url, corpus, r


def _new_doc(tmp_path, term: str) -> Path:
    p = tmp_path / "plan.txt"
    p.write_text(NEW_DOC.format(place="江源区", n=37, term=term), encoding="utf-8")
    return p


def _adder(corpus, url, doc, kill_at="never"):
    return subprocess.Popen([sys.executable, "-c", ADD_SCRIPT, str(corpus), url, str(doc), kill_at],
                            cwd=REPO, env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_add_in_one_process_is_searchable_from_another_within_seconds(pg_pair, tmp_path):
    url, corpus, r = pg_pair
    term = "县乡一体化慢病联防联控"
    assert not any("江源区" in h.text for h in r.search(term, k=10, mode="bm25"))
    proc = _adder(corpus, url, _new_doc(tmp_path, term))
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    committed = time.monotonic()
    while True:
        hits = r.search(term, k=3, mode="bm25")
        if hits and "江源区" in hits[0].text:
            break
        assert time.monotonic() - committed < 5, "the other process's add is not visible after 5 s"
        time.sleep(0.2)
    assert len(r.metas) == 6 and hits[0].doc_id not in {c.doc_id for c in r.chunks[:150]}


def test_writer_killed_mid_transaction_leaves_previous_index_serving(pg_pair, tmp_path):
    url, corpus, r = pg_pair
    from qa.store.postgres import PgStore

    before = PgStore(url)
    question = "县乡一体化慢病联防联控"
    answers = [(h.chunk_id, h.score) for h in r.search(question, k=10)]
    proc = _adder(corpus, url, _new_doc(tmp_path, question), kill_at="postings")
    try:
        line = ""
        deadline = time.monotonic() + 120
        while line.strip() != "postings":  # chunks and postings written, not committed
            line = proc.stdout.readline()
            assert line or proc.poll() is None, proc.stderr.read()
            assert time.monotonic() < deadline
        assert r.search(question, k=10)  # readers are not blocked by the open transaction
    finally:
        proc.kill()
        proc.wait(timeout=30)
    after = PgStore(url)
    assert after.version == before.version
    assert [c.chunk_id for c in after.chunks] == [c.chunk_id for c in before.chunks]
    r.refresh(force=True)
    assert [(h.chunk_id, h.score) for h in r.search(question, k=10)] == answers
    # the killed writer's locks died with its connection: the next sync (of the file it had
    # copied into the corpus) goes through
    proc = _adder(corpus, url, "-")
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    assert PgStore(url).version == before.version + 1
    assert r.refresh(force=True) and len(r.metas) == 6


def test_db_init_migrates_an_older_schema(pg_server):
    from qa.embed.encoder import FakeEncoder
    from qa.search.retriever import Retriever
    from qa.store.postgres import PgStore, SchemaError, connect, init
    from qa.store.postgres.schema import SCHEMA_VERSION

    url = pg_server.fresh_db()
    with connect(url) as conn:
        assert init(conn, target=1) == (0, 1)
    with pytest.raises(SchemaError, match="qa db init"):
        PgStore(url)
    with pytest.raises(SchemaError, match="qa db init"):
        Retriever.load(encoder=FakeEncoder(), database_url=url)
    out = subprocess.run([sys.executable, "-m", "qa", "--database-url", url, "db", "init"], cwd=REPO, env=ENV,
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert f"schema version {SCHEMA_VERSION} (was 1)" in out.stdout
    with connect(url) as conn:
        assert conn.execute("SELECT count(*) FROM pg_indexes WHERE indexname = 'chunks_embedding_hnsw'").fetchone()[0] == 1
    r = Retriever.load(encoder=FakeEncoder(), database_url=url)
    assert r.search("报告患病率不低于4.5%", k=1, mode="bm25")[0].district
    again = subprocess.run([sys.executable, "-m", "qa", "--database-url", url, "db", "init"], cwd=REPO, env=ENV,
                           capture_output=True, text=True, timeout=120)
    assert "(up to date)" in again.stdout


def test_migration_keeps_data_written_under_the_old_schema(pg_server, fake_retriever):
    """Schema 2 kept a row per posting; migrating to packed term blocks keeps the index serving
    with the same BM25 results and without re-writing it."""
    from pg_helpers import write_schema2
    from qa.embed.encoder import FakeEncoder
    from qa.search.retriever import DEFAULT_PARAMS, Retriever
    from qa.store.postgres import connect, init
    from qa.store.postgres.schema import SCHEMA_VERSION

    url = pg_server.fresh_db()
    with connect(url) as conn:
        init(conn, target=2)
    write_schema2(url, REPO / "corpus", FakeEncoder(), dict(DEFAULT_PARAMS))
    with connect(url) as conn:
        assert init(conn) == (2, SCHEMA_VERSION)
        assert conn.execute("SELECT to_regclass('postings')").fetchone()[0] is None
    r = Retriever.load(encoder=FakeEncoder(), database_url=url)
    assert not r.built_now  # nothing re-written: the rows survived the migration
    assert len(r.chunks) > 100
    _assert_bm25_parity(fake_retriever, r, _questions()[:60])


def test_db_start_stop_cli():
    import shutil
    import tempfile

    d = Path(tempfile.mkdtemp(prefix="qa-pgcli-", dir="/tmp"))
    start = subprocess.run([sys.executable, "-m", "qa", "db", "start", str(d)], cwd=REPO, env=ENV,
                           capture_output=True, text=True, timeout=120)
    try:
        assert start.returncode == 0, start.stderr
        url = start.stdout.strip()
        assert url.startswith("postgresql://qa@127.0.0.1:")
        import psycopg

        with psycopg.connect(url) as conn:
            assert conn.execute("SELECT 1").fetchone() == (1,)
    finally:
        stop = subprocess.run([sys.executable, "-m", "qa", "db", "stop", str(d)], cwd=REPO, env=ENV,
                              capture_output=True, text=True, timeout=120)
    assert stop.stdout.strip() == "stopped"
    with pytest.raises(psycopg.OperationalError):
        psycopg.connect(url, connect_timeout=3)
    shutil.rmtree(d, ignore_errors=True)


def _blocks_consistent(url):
    """Every posting points at a live chunk, df = postings per term, chunks.terms = the blocks' view."""
    from collections import Counter

    from qa.store.postgres import connect
    from qa.store.postgres.postings import unpack

    with connect(url) as conn:
        live = {r[0]: set(r[1]) for r in conn.execute("SELECT id, terms FROM chunks")}
        df = dict(conn.execute("SELECT id, df FROM terms"))
        seen: Counter = Counter()
        by_chunk: dict[int, set] = {}
        for term, n, chunks, tfs in conn.execute("SELECT term, n, chunks, tfs FROM term_blocks", binary=True):
            c, f = unpack(chunks), unpack(tfs)
            assert len(c) == len(f) == n and (f > 0).all()
            seen[term] += n
            for pk in c.tolist():
                by_chunk.setdefault(pk, set()).add(term)
    assert set(by_chunk) <= set(live), "a posting of a deleted chunk survived"
    assert {pk: ts for pk, ts in live.items() if ts} == by_chunk
    assert dict(seen) == df


def test_replace_and_delete_keep_postings_consistent_with_a_fresh_build(pg_server, tmp_path, monkeypatch):
    """Documents edited, removed and added one after another: the database ends up scoring like a
    fresh embedded build of the final corpus, with no posting left behind; crowded terms are merged."""
    import shutil

    from qa.embed.encoder import FakeEncoder
    from qa.search.retriever import Retriever
    from qa.store.postgres import postings

    monkeypatch.setattr(postings, "MAX_BLOCKS", 2)
    corpus = tmp_path / "corpus"
    shutil.copytree(REPO / "corpus", corpus)
    url = pg_server.fresh_db()
    r = Retriever.load(corpus_dir=corpus, encoder=FakeEncoder(), database_url=url)
    from qa.corpus.documents import read_catalog, write_catalog
    from qa.corpus.ingest import add_documents

    for n, term in enumerate(["慢病联防联控", "健康驿站", "智慧随访"]):  # three adds: blocks pile up, then merge
        doc = tmp_path / f"extra-{n}.txt"
        doc.write_text(NEW_DOC.format(place="江源区", n=30 + n, term=term), encoding="utf-8")
        add_documents([doc], corpus)
        Retriever.load(corpus_dir=corpus, encoder=FakeEncoder(), database_url=url)
    metas = read_catalog(corpus)
    edited = corpus / metas[0].file
    edited.write_text(edited.read_text(encoding="utf-8").replace("健康", "卫生", 3), encoding="utf-8")  # replaced
    gone = [metas[1], metas[-2]]  # a seed document and one of the adds: deleted
    write_catalog([m for m in metas if m not in gone], corpus)
    for m in gone:
        (corpus / m.file).unlink()
    r = Retriever.load(corpus_dir=corpus, encoder=FakeEncoder(), database_url=url)
    assert r.refresh(force=True) is not None
    _blocks_consistent(url)
    from qa.store.postgres import connect

    with connect(url) as conn:
        assert conn.execute("SELECT max(c) FROM (SELECT count(*) AS c FROM term_blocks GROUP BY term) x").fetchone()[0] <= 2
    fresh = Retriever.load(corpus_dir=corpus, index_dir=tmp_path / "fresh-index", encoder=FakeEncoder())
    _assert_bm25_parity(fresh, r, _questions()[:80] + [load_questions(QUESTION_SETS[0])[0]])


def test_app_on_a_database_store_reports_health_and_answers(pg_fake_retriever, tmp_path):
    """What `QA_DATABASE_URL=… python app.py` serves: /api/health names the database index
    version (it crashed on the URL once), search and ask answer from the database."""
    from fastapi.testclient import TestClient

    from qa.web.ui import create_app

    app = create_app(pg_fake_retriever, data_dir=tmp_path / "data", host="127.0.0.1", watch=False)
    with TestClient(app) as c:
        health = c.get("/api/health")
        assert health.status_code == 200, health.text
        assert health.json()["ready"] is True
        assert health.json()["build"] == f"db-v{pg_fake_retriever._store.version}"
        hits = c.get("/api/search", params={"q": "报告患病率不低于4.5%", "k": 3}).json()["hits"]
        assert hits and "4.5%" in hits[0]["text"]
        ask = c.post("/api/ask", json={"question": "哪个区要求严重精神障碍患者报告患病率不低于4.5%？"}).json()
        assert ask["answer"] and hits[0]["district"] in ask["answer"]


def test_a_document_uploaded_in_the_app_goes_into_the_database(pg_pair, tmp_path):
    """The library page on a database store: the upload is written to the shared database (another
    process sees it), not to a local index/ the other processes never read."""
    from fastapi.testclient import TestClient

    from qa.store.postgres import PgStore
    from qa.web.ui import create_app

    url, corpus, r = pg_pair
    before = PgStore(url).version
    app = create_app(r, data_dir=tmp_path / "data", host="127.0.0.1", watch=False, index_dir=tmp_path / "index")
    term = "县乡一体化慢病联防联控"
    with TestClient(app) as c:
        doc = _new_doc(tmp_path, term)
        with open(doc, "rb") as f:
            preview = c.post("/api/documents", files={"file": (doc.name, f)}, data={"action": "preview"})
        assert preview.status_code == 200, preview.text
        done = c.post("/api/documents", data={"action": "commit", "upload_id": preview.json()["upload_id"]})
        assert done.status_code == 202, done.text
        job = app.state.backend.wait_idle(120)
        assert job.state == "done", job.error
        assert c.get("/api/health").json()["build"] == f"db-v{before + 1}" == job.build
        hits = c.get("/api/search", params={"q": term, "k": 3}).json()["hits"]
        assert hits and "江源区" in hits[0]["text"]
    other = PgStore(url)
    assert other.version == before + 1 and any("江源区" in c.text for c in other.chunks)
    assert not (tmp_path / "index").exists()  # nothing built beside the database
    app.state.backend.stop()
