"""python -m eval: run the question set through the retriever and report.

See eval/README.md for the question format, flags and output files.
"""
from __future__ import annotations

import argparse
import os
import dataclasses
import datetime as dt
import json
import logging
import subprocess
import sys
from pathlib import Path

from . import baseline as bl
from .answers import qa_answerer
from . import extra as extra_mod
from .export import write_beir, write_trec
from .questions import QuestionsError, load_questions
from .report import render_markdown, write_png
from .run import EvalError, resolve_modes, run_all, summarise, unmatched_gold

HERE = Path(__file__).resolve().parent
log = logging.getLogger("eval")


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m eval",
        description="Score the retriever and its answers on the question set: hit@k, MRR, nDCG, "
        "answer@1/any, district lists, abstention, calibration per mode and question type, "
        "latency; writes eval/results/<timestamp>/.",
    )
    p.add_argument("--questions", type=Path, default=HERE / "questions.jsonl",
                   help="JSON Lines question file (default: eval/questions.jsonl)")
    p.add_argument("--mode", action="append", metavar="MODE",
                   help="retrieval mode to run; repeat or comma-separate "
                   "(default: every mode in Retriever.MODES)")
    p.add_argument("--k", type=int, default=10, help="results per query (default: 10)")
    p.add_argument("--results-dir", type=Path, default=HERE / "results",
                   help="where the timestamped run directory goes (default: eval/results)")
    p.add_argument("--export-beir", type=Path, metavar="DIR",
                   help="also write queries.jsonl, corpus.jsonl, qrels/test.tsv to DIR")
    p.add_argument("--export-trec", type=Path, metavar="DIR",
                   help="also write run.<mode>.trec and qrels.trec to DIR")
    p.add_argument("--baseline-check", action="store_true",
                   help="exit 1 if overall hit@5 / MRR@10 fall below the baseline file")
    p.add_argument("--baseline", type=Path, default=bl.DEFAULT_PATH,
                   help="baseline file for --baseline-check / --record-baseline "
                   "(default: eval/baseline.json)")
    p.add_argument("--record-baseline", metavar="NOTE",
                   help="overwrite the baseline file with this run's hybrid numbers; "
                   "NOTE says why (it is stored in the file)")
    p.add_argument("--slack", type=int, default=0, metavar="N",
                   help="with --record-baseline: set each floor N questions below this run "
                   "(and the false-abstention ceiling N above), so one flipped near-tie does not fail CI")
    p.add_argument("--no-answers", action="store_true",
                   help="score retrieval only (skip building and judging the answers)")
    p.add_argument("--extra", type=Path, metavar="DIR", action="append",
                   help="also load the documents listed in DIR/manifest.json (e.g. eval/unseen) "
                   "into a combined corpus under --extra-cache; repeat to load several sets together; "
                   "corpus/ and index/ are not touched")
    p.add_argument("--extra-cache", type=Path, default=extra_mod.DEFAULT_CACHE, metavar="DIR",
                   help="where combined corpora and their indexes are kept (default: .cache/eval-corpora)")
    p.add_argument("--database-url", default=None, metavar="URL",
                   help="evaluate the index in PostgreSQL (default: $QA_DATABASE_URL, else the embedded index/)")
    p.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    return p


def git_commit(repo: Path = HERE.parent) -> str | None:
    """HEAD's hash (+"-dirty" with uncommitted changes), or None outside git / before a commit."""
    try:
        head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=repo, capture_output=True,
                              text=True, timeout=10)
        if head.returncode != 0:
            return None
        status = subprocess.run(["git", "status", "--porcelain"], cwd=repo,
                                capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return None
    return head.stdout.strip() + ("-dirty" if status.stdout.strip() else "")


def load_retriever(*, index_dir=None, corpus_dir=None, encoder=None, reuse_from=None):
    try:
        import jieba  # noqa: F401  imported first so its start-up chatter can be silenced

        jieba.setLogLevel(logging.WARNING)
    except ImportError:
        pass
    try:
        from qa import Retriever
    except ImportError as exc:
        raise EvalError(f"cannot import qa.Retriever ({exc}); run from the repository root") from exc
    return Retriever.load(index_dir=index_dir, corpus_dir=corpus_dir, encoder=encoder, reuse_from=reuse_from)


def new_run_dir(root: Path, now: dt.datetime) -> Path:
    """root/<YYYYmmdd-HHMMSS>, with -2, -3 … if a run in the same second exists."""
    stamp = now.strftime("%Y%m%d-%H%M%S")
    path, n = root / stamp, 1
    while path.exists():
        n += 1
        path = root / f"{stamp}-{n}"
    path.mkdir(parents=True)
    return path


def write_results(run_dir: Path, meta: dict, summary: dict, runs: dict, markdown: str) -> None:
    (run_dir / "metrics.json").write_text(
        json.dumps({**meta, "modes": summary}, ensure_ascii=False, indent=2) + "\n",
        encoding="utf-8")
    with (run_dir / "per_question.jsonl").open("w", encoding="utf-8") as fh:
        for results in runs.values():
            for r in results:
                row = dataclasses.asdict(r)
                row["latency_ms"] = round(r.latency_ms, 3)
                fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    (run_dir / "report.md").write_text(markdown, encoding="utf-8")
    write_png(run_dir / "report.png", summary, k=meta["k"])


def main(argv: list[str] | None = None, *, retriever=None, answerer=None, encoder=None) -> int:
    """Entry point; ``retriever`` replaces `qa.Retriever.load()` (tests pass a fake);
    ``answerer`` the assistant's answer pipeline (`eval.answers.qa_answerer`, used by default
    only with a retriever loaded here); ``encoder`` is handed to `Retriever.load` (tests pass a
    fake encoder).

    Returns 0, 1 when --baseline-check fails, 2 for a usage or input error.
    """
    args = build_parser().parse_args(argv)
    if args.database_url:  # Retriever.load() reads it
        os.environ["QA_DATABASE_URL"] = args.database_url
    if not logging.getLogger().handlers:
        logging.basicConfig(level=logging.DEBUG if args.verbose else logging.INFO,
                            format="%(levelname)s %(name)s: %(message)s")
    try:
        return _main(args, retriever, answerer, encoder)
    except (QuestionsError, EvalError, bl.BaselineError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except FileNotFoundError as exc:
        print(f"error: file not found: {exc.filename}", file=sys.stderr)
        return 2


def _main(args: argparse.Namespace, retriever, answerer=None, encoder=None) -> int:
    if args.k < 1:
        raise EvalError(f"--k must be at least 1, got {args.k}")
    questions = load_questions(args.questions)
    baseline = bl.load_baseline(args.baseline) if args.baseline_check else None
    combined = agreement = None
    if args.extra:
        if retriever is not None:
            raise EvalError("--extra builds its own retriever; it cannot be combined with a given one")
        combined = extra_mod.prepare(args.extra, cache_root=args.extra_cache)
        agreement = extra_mod.metadata_agreement(combined)
        retriever = load_retriever(index_dir=combined.index_dir, corpus_dir=combined.corpus_dir,
                                   encoder=encoder, reuse_from=combined.donor)
        if answerer is None and not args.no_answers:
            answerer = qa_answerer(retriever)
    if retriever is None:
        retriever = load_retriever(encoder=encoder)
        if answerer is None and not args.no_answers:
            answerer = qa_answerer(retriever)
    requested = [m.strip() for arg in args.mode or [] for m in arg.split(",") if m.strip()]
    modes = resolve_modes(retriever, requested)
    for needed in ([baseline.mode] if baseline else []) + (["hybrid"] if args.record_baseline else []):
        if needed not in modes:
            raise EvalError(f"the baseline needs mode {needed!r}; add --mode {needed}")

    now = dt.datetime.now().astimezone()
    runs = run_all(retriever, questions, modes, k=args.k, answerer=answerer)
    summary = summarise(runs, k=args.k)
    chunks = getattr(retriever, "chunks", None)
    unmatched = unmatched_gold(questions, chunks) if chunks is not None else None
    counts: dict[str, int] = {}
    for q in questions:
        counts[q.type] = counts.get(q.type, 0) + 1
    meta = {
        "created": now.isoformat(timespec="seconds"),
        "git_commit": git_commit(),
        "questions_file": str(args.questions),
        "n_questions": len(questions),
        "counts_by_type": counts,
        "k": args.k,
        "unmatched_gold": unmatched,
    }
    if combined is not None:
        meta["extra"] = {"dir": ", ".join(map(str, args.extra)), "corpus_dir": str(combined.corpus_dir),
                         "n_documents": len(combined.extras), "metadata": agreement}
    markdown = render_markdown(meta, summary, unmatched=unmatched)
    if agreement is not None:
        markdown += "\n" + extra_mod.render_agreement(agreement)
    print(markdown)

    run_dir = new_run_dir(args.results_dir, now)
    write_results(run_dir, meta, summary, runs, markdown)
    print(f"wrote {run_dir}/ (metrics.json, per_question.jsonl, report.md, report.png)")

    if args.export_beir:
        if chunks is None:
            raise EvalError("--export-beir needs the retriever's chunks (Retriever.chunks)")
        counts_beir = write_beir(args.export_beir, questions, chunks)
        print(f"wrote BEIR files to {args.export_beir}/: {counts_beir}")
    if args.export_trec:
        counts_trec = write_trec(args.export_trec, questions, runs, chunks=chunks)
        print(f"wrote TREC files to {args.export_trec}/: {counts_trec}")

    status = 0
    if baseline:
        passed, lines = bl.check_baseline(summary, baseline, k=args.k)
        print("\n".join(["", "Baseline check:", *lines]))
        status = 0 if passed else 1
    if args.record_baseline:
        obj = bl.record_baseline(args.baseline, summary, mode="hybrid", k=args.k,
                                 note=args.record_baseline, slack=args.slack)
        print(f"recorded baseline in {args.baseline}: {obj}")
    return status


if __name__ == "__main__":
    sys.exit(main())
