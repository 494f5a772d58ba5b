"""Write the question set and runs in BEIR and TREC formats for outside tools.

Relevance is chunk-level: a chunk is relevant to a question iff it satisfies
`eval.judge` for any of the question's gold items. Only *judged* questions
(at least one relevant chunk) are written, so qrels and runs hold the same
query ids, as ranx and trec_eval expect.
"""
from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from pathlib import Path

from .judge import relevant_ids
from .questions import Question
from .run import EvalError, QuestionResult

log = logging.getLogger(__name__)

HEADING_SEP = " > "


def _section(chunk) -> str:
    section = getattr(chunk, "section", None)
    if isinstance(section, str):
        return section
    return HEADING_SEP.join(getattr(chunk, "heading_path", ()) or ())


def _check_id(qid: str) -> None:
    if any(ch.isspace() for ch in qid):
        raise EvalError(f"question id {qid!r} contains whitespace; TREC files cannot hold it")


def chunk_qrels(questions: Sequence[Question], chunks: Sequence) -> dict[str, list[str]]:
    """qid => relevant chunk ids (corpus order), for answerable questions with any."""
    qrels = {}
    for q in questions:
        if not q.answerable:
            continue
        rel = relevant_ids(chunks, q.gold)
        if rel:
            qrels[q.id] = rel
        else:
            log.warning("question %s: no chunk satisfies its gold evidence; left out", q.id)
    return qrels


def pooled_qrels(
    questions: Sequence[Question], runs: dict[str, list[QuestionResult]]
) -> dict[str, list[str]]:
    """qid => relevant chunk ids among those any mode retrieved (TREC-style pooling)."""
    pools: dict[str, dict[str, None]] = {}
    for results in runs.values():
        for r in results:
            if r.relevant_chunk_ids:
                pools.setdefault(r.id, {}).update(dict.fromkeys(r.relevant_chunk_ids))
    return {q.id: list(pools[q.id]) for q in questions if q.id in pools}


def write_beir(out_dir: str | Path, questions: Sequence[Question], chunks: Sequence) -> dict:
    """queries.jsonl, corpus.jsonl and qrels/test.tsv under ``out_dir``; returns counts."""
    out = Path(out_dir)
    (out / "qrels").mkdir(parents=True, exist_ok=True)
    qrels = chunk_qrels(questions, chunks)
    with (out / "corpus.jsonl").open("w", encoding="utf-8") as fh:
        for c in chunks:
            row = {"_id": c.chunk_id, "title": _section(c), "text": c.text,
                   "metadata": {"doc_id": c.doc_id}}
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    with (out / "queries.jsonl").open("w", encoding="utf-8") as fh:
        for q in questions:
            if q.id in qrels:
                row = {"_id": q.id, "text": q.question, "metadata": {"type": q.type, "lang": q.lang}}
                fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    with (out / "qrels" / "test.tsv").open("w", encoding="utf-8") as fh:
        fh.write("query-id\tcorpus-id\tscore\n")
        for qid, cids in qrels.items():
            fh.writelines(f"{qid}\t{cid}\t1\n" for cid in cids)
    return {"queries": len(qrels), "corpus": len(chunks),
            "qrels": sum(len(v) for v in qrels.values())}


def write_trec(
    out_dir: str | Path,
    questions: Sequence[Question],
    runs: dict[str, list[QuestionResult]],
    *,
    chunks: Sequence | None = None,
) -> dict:
    """qrels.trec and one run.<mode>.trec per mode under ``out_dir``; returns counts.

    Qrels come from every chunk in ``chunks`` when given, else from the pool
    of chunks the runs retrieved (then unretrieved relevant chunks are missing
    and recall is overestimated).
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    if chunks is None:
        log.warning("retriever exposes no chunks: qrels.trec is pooled from the retrieved chunks")
        qrels = pooled_qrels(questions, runs)
    else:
        qrels = chunk_qrels(questions, chunks)
    for qid in qrels:
        _check_id(qid)
    with (out / "qrels.trec").open("w", encoding="utf-8") as fh:
        for qid, cids in qrels.items():
            fh.writelines(f"{qid} 0 {cid} 1\n" for cid in cids)
    lines_per_mode = {}
    for mode, results in runs.items():
        n = 0
        with (out / f"run.{mode}.trec").open("w", encoding="utf-8") as fh:
            for r in results:
                if r.id not in qrels:
                    continue
                seen: set[str] = set()
                rank = 0
                for cid, score in zip(r.top_chunk_ids, r.top_scores):
                    if cid in seen:  # a run cannot hold a document twice
                        continue
                    seen.add(cid)
                    rank += 1
                    fh.write(f"{r.id} Q0 {cid} {rank} {score!r} qa.{mode}\n")
                    n += 1
        lines_per_mode[mode] = n
    return {"queries": len(qrels), "qrels": sum(len(v) for v in qrels.values()),
            "run_lines": lines_per_mode}
