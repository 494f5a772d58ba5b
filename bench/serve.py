"""The serving step: what a user's process pays — model, index load, Retriever, queries.

Every timed search starts with the query-embedding cache cleared
(`Retriever._qvec`, an lru_cache), so dense and hybrid latencies include
embedding the question with the real e5 model, as a new question would.
Modes are interleaved per query so background load hits all of them alike.
"""
from __future__ import annotations

import tempfile
from dataclasses import replace
from pathlib import Path

import numpy as np

from . import synth
from .util import file_sizes_mb, mem_mb, pcts, profile, say, timed

MODES = ("bm25", "dense", "hybrid")


def _load_shipped(workdir: Path, encoder):
    """The live shipped index; if it is stale or missing, build one in the workdir (never touch index/)."""
    from qa import index_store
    from qa.documents import DEFAULT_CORPUS
    from qa.retriever import DEFAULT_PARAMS

    try:
        return index_store.load(index_store.DEFAULT_INDEX)
    except index_store.IndexUnusable as e:
        say("shipped", f"{e}; building a private copy in {workdir}")
        return index_store.build(workdir / "index-shipped", DEFAULT_CORPUS, encoder, DEFAULT_PARAMS)


def step_serve(args) -> dict:
    from qa import index_store
    from qa.dense import DenseIndex
    from qa.encoder import E5Encoder
    from qa.retriever import Retriever

    shipped = args.step == "shipped"
    tag = "shipped" if shipped else f"{args.size} serve"
    workdir = Path(args.workdir)
    mem = {"imports": mem_mb()}
    enc = E5Encoder()
    t_model, _ = timed(enc.load)
    mem["model"] = mem_mb()
    if shipped:
        t_load, data = timed(_load_shipped, workdir, enc)
    else:
        t_load, data = timed(index_store.load, workdir / f"index-{args.size}")
    mem["index"] = mem_mb()
    t_init, r = timed(Retriever, data, enc)
    mem["retriever"] = mem_mb()
    say(tag, f"model {t_model:.1f} s, index load {t_load:.1f} s, Retriever() {t_init:.1f} s; "
             f"{len(r.chunks)} chunks, RSS {mem['retriever']['VmRSS']:.0f} MB")

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
        "steered_queries": steered, "model_load_s": round(t_model, 2), "index_load_s": round(t_load, 2),
        "retriever_init_s": round(t_init, 2), "latency": {m: pcts(v) for m, v in lat.items()},
        "hybrid_filtered": pcts(lat_filter), "embed": pcts(embed), "hybrid_rest": pcts(rest),
        "embed_share_p50": round(float(np.median(np.array(embed) / (np.array(embed) + np.array(rest)))), 3),
    }
    if args.profile:  # where the time of a hybrid query goes, embedding included
        say(tag, "profiling 60 hybrid queries")
        result["profile_hybrid"] = profile(lambda: [cold(q, mode="hybrid") for q in texts[:60]])
        r._qvec.cache_clear()
        for q in texts[:60]:  # cache every embedding → the profile of everything else
            r.query_vector(r.analyze(q).text)
        result["profile_hybrid_rest"] = profile(lambda: [r.search(q, 10, mode="hybrid") for q in texts[:60]])

    result["faiss_threads_ab"] = _faiss_threads_ab(texts[:100], cold)
    queries = np.stack(qvecs)
    result["flat_search"] = pcts([timed(data.dense.search, q, 100)[0] for q in queries])
    if args.hnsw:
        result["hnsw"] = _hnsw(r, data, queries, texts, tag, cold, DenseIndex)
    result["mem"] = mem
    result["mem_final"] = mem_mb()
    return result


def _faiss_threads_ab(texts: list[str], cold) -> dict:
    """Hybrid latency with faiss on its default threads vs one thread, interleaved per query.

    torch and faiss each bring their own OpenMP runtime (two libgomp copies);
    after a parallel region each pool's threads spin-wait, so on 2 cores the
    embedding and the faiss search slow each other down.  A single query
    vector gains nothing from faiss threads anyway.
    """
    import faiss

    default = faiss.omp_get_max_threads()
    lat: dict[int, list[float]] = {default: [], 1: []}
    try:
        for i, q in enumerate(texts):
            for threads in ((default, 1) if i % 2 else (1, default)):
                faiss.omp_set_num_threads(threads)
                lat[threads].append(cold(q, mode="hybrid"))
    finally:
        faiss.omp_set_num_threads(default)
    return {"default_threads": default, "hybrid_default": pcts(lat[default]), "hybrid_faiss_1_thread": pcts(lat[1])}


def _hnsw(r, data, queries: np.ndarray, texts: list[str], tag: str, cold, DenseIndex) -> dict:
    """HNSW (M=32, efSearch=64) against the exact flat index on the real query vectors."""
    say(tag, "building HNSW (M=32, efConstruction=80)")
    t_build, hnsw = timed(DenseIndex, data.dense.embeddings, kind="hnsw", hnsw_m=32, ef_search=64)
    with tempfile.TemporaryDirectory() as tmp:
        hnsw.save(tmp)
        disk = file_sizes_mb(Path(tmp))["dense.faiss"]
    flat = data.dense
    lat_flat10 = [timed(flat.search, q, 10)[0] for q in queries]
    lat_hnsw10 = [timed(hnsw.search, q, 10)[0] for q in queries]
    lat_hnsw100 = [timed(hnsw.search, q, 100)[0] for q in queries]
    rec10, rec100 = [], []
    for q in queries:
        exact10 = {i for i, _ in flat.search(q, 10)}
        exact100 = {i for i, _ in flat.search(q, 100)}
        rec10.append(len(exact10 & {i for i, _ in hnsw.search(q, 10)}) / len(exact10))
        # the retriever asks for 100 candidates; faiss then searches with max(efSearch, k)
        rec100.append(len(exact100 & {i for i, _ in hnsw.search(q, 100)}) / len(exact100))
    say(tag, f"HNSW built in {t_build:.1f} s; recall@10 {np.mean(rec10):.3f}; hybrid with HNSW")
    r._data = replace(data, dense=hnsw)  # the bench swaps the dense side in place of a rebuild
    try:
        lat_hybrid = [cold(q, mode="hybrid") for q in texts]
    finally:
        r._data = data
    return {"build_s": round(t_build, 2), "disk_mb": disk, "flat_k10": pcts(lat_flat10),
            "hnsw_k10": pcts(lat_hnsw10), "hnsw_k100": pcts(lat_hnsw100),
            "recall_at_10": round(float(np.mean(rec10)), 4), "recall_at_100_k100": round(float(np.mean(rec100)), 4),
            "min_recall_at_10": round(float(np.min(rec10)), 2), "hybrid_hnsw": pcts(lat_hybrid)}
