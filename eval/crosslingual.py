"""python -m eval.crosslingual: which English mechanisms win, measured.

Runs the English questions of each question file in hybrid mode once per
combination of the cross-lingual mechanisms (qa.crosslingual: G glossary,
L lexicon, P dense pseudo-relevance feedback, T term table) and prints
hit@1 / hit@5 / MRR@10 per combination and file.  Tune on eval/questions.jsonl
and the unseen development set only; held-out files are the judgement.
"""
from __future__ import annotations

import argparse
import dataclasses
import logging
import sys
import time
from pathlib import Path

from qa.crosslingual import DEFAULT

from .questions import load_questions
from .run import run_mode, summarise_mode

HERE = Path(__file__).resolve().parent
MECHANISMS = {"G": "glossary", "L": "lexicon", "P": "prf", "T": "terms"}
COMBOS = ("none", "G", "L", "P", "T", "LP", "LT", "PT", "LPT", "GL", "GLP", "GLT", "GPT", "GLPT")


def config_for(combo: str, base=DEFAULT):
    """'LPT' → the default Config with exactly those mechanisms on ('none' → all off)."""
    on = set() if combo == "none" else set(combo)
    unknown = on - set(MECHANISMS)
    if unknown:
        raise ValueError(f"unknown mechanism letter(s) {sorted(unknown)}; use {', '.join(MECHANISMS)}")
    return dataclasses.replace(base, **{name: letter in on for letter, name in MECHANISMS.items()})


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m eval.crosslingual", description=__doc__.split("\n\n")[0])
    p.add_argument("--questions", type=Path, action="append",
                   help="question file (repeatable; default: eval/questions.jsonl and eval/heldout.jsonl)")
    p.add_argument("--combos", default=",".join(COMBOS), help="comma-separated letters of G L P T, or none")
    p.add_argument("--mode", default="hybrid")
    p.add_argument("--set", action="append", default=[], metavar="FIELD=VALUE",
                   help="override a qa.crosslingual.Config parameter, e.g. terms_margin=0.09")
    p.add_argument("--index", type=Path, help="index directory (default: the project's)")
    p.add_argument("--corpus", type=Path, help="corpus directory (default: corpus/)")
    p.add_argument("--extra", type=Path, metavar="DIR", action="append",
                   help="add a manifest's documents (e.g. eval/unseen) to the seed corpus, as python -m eval --extra "
                   "(repeatable)")
    args = p.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    logging.getLogger("jieba").setLevel(logging.WARNING)
    from qa.search.retriever import Retriever

    base = DEFAULT
    for item in args.set:
        name, _, value = item.partition("=")
        field = {f.name: f for f in dataclasses.fields(base)}.get(name)
        if field is None:
            p.error(f"unknown Config field {name!r}")
        base = dataclasses.replace(base, **{name: type(getattr(base, name))(value)})
    files = args.questions or [HERE / "questions.jsonl", HERE / "heldout.jsonl"]
    index, corpus, donor = args.index, args.corpus, None
    if args.extra:
        from .extra import prepare

        combined = prepare(args.extra)
        index, corpus, donor = combined.index_dir, combined.corpus_dir, combined.donor
    r = Retriever.load(index, corpus, reuse_from=donor)
    print(f"config: {base}\n")
    print("| combo | " + " | ".join(f"{f.name} n | hit@1 | hit@5 | MRR@10" for f in files) + " | ms/q |")
    print("|---|" + "---|---|---|---|" * len(files) + "---|")
    for combo in args.combos.split(","):
        r.xling_config = config_for(combo.strip(), base)
        cells, ms = [], []
        for f in files:
            qs = [q for q in load_questions(f) if q.lang == "en" and q.answerable]
            if not qs:
                cells.append("0 | – | – | –")
                continue
            t0 = time.perf_counter()
            res = run_mode(r, qs, args.mode, k=10)
            ms.append((time.perf_counter() - t0) * 1000 / len(qs))
            row = summarise_mode(res, k=10)["by_type"]["all"]
            cells.append(f"{row['n']} | {row['hit@1']:.3f} | {row['hit@5']:.3f} | {row['mrr@10']:.3f}")
        print(f"| {combo} | " + " | ".join(cells) + f" | {sum(ms) / max(len(ms), 1):.0f} |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
