"""`python -m qa build` and `python -m qa ask`."""
from __future__ import annotations

import json
import sys
import time
from dataclasses import asdict
from pathlib import Path


def cmd_build(args) -> int:
    from ..indexing import index_store
    from ..search.retriever import Retriever

    started = time.perf_counter()
    r = Retriever.load(args.index, args.corpus, rebuild=args.force, dense_kind=args.dense, show_progress=True)
    m = r.manifest
    c = m["counts"]
    took = time.perf_counter() - started
    where = m.get("database") or index_store.current_build(Path(args.index or index_store.DEFAULT_INDEX))
    print(f"index {where}" + (f" (version {m['version']})" if "version" in m else ""))
    kind = "pgvector HNSW" if m.get("database") else m["params"]["dense_kind"]
    print(f"  {c['documents']} documents, {c['chunks']} chunks, {c['dim']}-dim vectors ({kind})")
    print(f"  embedded {c['embedded']} chunks, reused {c['reused']} from the previous build")
    print(f"  model {m['model_id']}, tokenizer {m['tokenizer_version']}, corpus {m['corpus_hash'][:12]}")
    state = "built now" if r.built_now else "was up to date, built"
    print(f"  {state} {m['created']} in {m['build_seconds']} s; this command took {took:.1f} s")
    return 0


def format_hit(i: int, h) -> str:
    place = f"{h.province if h.province != h.city else ''}{h.city}{h.district if h.district != h.city else ''}"
    title = f"《{h.title}》" if h.title else "（无标题）"  # a body-only copy has none
    return (f"[{i}] {place} · {title} · {h.section or '（文件头）'}\n"
            f"    score {h.score:.3f} · {h.chunk_id} · 原文 {h.start}–{h.end}\n"
            f"    {h.text}\n")


def cmd_ask(args) -> int:
    from ..search.query import analyze
    from ..search.retriever import Retriever

    try:  # before loading (or rebuilding) the index: an empty question should not wait a minute for its error
        analyze(args.question, None)
    except ValueError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    r = Retriever.load(args.index, args.corpus)
    try:
        hits = r.search(args.question, k=args.k, district=args.district, year=args.year, mode=args.mode, city=args.city)
    except ValueError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    q = r.analyze(args.question)
    abstain = r.should_abstain(q, hits)
    if args.json:
        print(json.dumps({"question": q.text, "truncated": q.truncated, "abstain": abstain,
                          "hits": [asdict(h) for h in hits]}, ensure_ascii=False, indent=1))
        return 0
    for note in q.notes:
        print(f"note: {note}")
    if hits:  # the extractive answer first (or the plain "documents do not seem to answer")
        from ..answering.answer import build_answer
        from ..answering.render import answer_text

        lang = "en" if q.script == "en" else "zh"
        answer = build_answer(args.question, hits, query=q, abstain=abstain, lang=lang, max_citations=args.k)
        print(answer_text(answer, with_citations=False) + "\n")
    for i, h in enumerate(hits, 1):
        print(format_hit(i, h))
    if not hits:
        print("no passages found")
    return 0


def add_search_commands(sub) -> None:
    b = sub.add_parser("build", help="build (or refresh) the index in index/")
    b.add_argument("--force", action="store_true", help="rebuild even if the index is up to date")
    b.add_argument("--dense", choices=["auto", "flat", "hnsw"], default="auto",
                   help="faiss index type (default auto: flat = exact below 20,000 chunks, HNSW above)")
    b.add_argument("--index", type=Path, default=None, help="index directory (default: index/)")
    b.set_defaults(func=cmd_build)

    a = sub.add_parser("ask", help="print ranked cited passages for a question")
    a.add_argument("question")
    a.add_argument("--k", type=int, default=5)
    a.add_argument("--district", default=None)
    a.add_argument("--city", default=None)
    a.add_argument("--year", type=int, default=None)
    a.add_argument("--mode", choices=["hybrid", "bm25", "dense", "rrf"], default="hybrid")
    a.add_argument("--json", action="store_true")
    a.add_argument("--index", type=Path, default=None, help="index directory (default: index/)")
    a.set_defaults(func=cmd_ask)
