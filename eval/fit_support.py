"""Fit the answer-support model (`qa.answering.support`) on the development question sets.

    python -m eval.fit_support                      # fit, print the table, write the model
    python -m eval.fit_support --dry-run            # fit and print, write nothing
    python -m eval.fit_support --dump features.jsonl

Every development question is answered by the assistant with the model switched
off; each answer that the hand rules left standing gives one row: the
`Support` features of its best sentence and whether the question is answerable.
An L2-regularised logistic regression is fitted to those rows, and the
abstention threshold is the highest probability at which at most
`MAX_FALSE_ABSTAIN` of the answerable development questions would be abstained
on. The held-out sets are never read here.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import logging
import os
import sys
from dataclasses import dataclass
from pathlib import Path

from . import extra as extra_mod
from .questions import load_questions

log = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parent.parent
# (question file, extra documents directory or None for the seed corpus) — development sets only
DEV_SETS = (("eval/questions.jsonl", None), ("eval/unseen/questions.jsonl", "eval/unseen"))
MAX_FALSE_ABSTAIN = 0.015  # of the answerable dev questions the model may abstain on (the target is ≤ 3% overall)
L2 = 1.0  # ridge penalty on the standardised coefficients


@dataclass(frozen=True, slots=True)
class Row:
    qid: str
    qset: str
    qtype: str
    answerable: bool
    x: tuple[float, ...]


def collect(qfile: str, extra: str | None, *, cache_root: Path | None = None) -> list[Row]:
    """One row per question whose answer the hand rules did not already abstain on."""
    from qa import Retriever
    from qa.answering.respond import respond, warm
    from qa.answering.support import FEATURES

    if extra:
        combined = extra_mod.prepare(ROOT / extra, cache_root=cache_root or extra_mod.DEFAULT_CACHE)
        r = Retriever.load(index_dir=combined.index_dir, corpus_dir=combined.corpus_dir)
    else:
        r = Retriever.load()
    warm(r)
    rows = []
    for q in load_questions(ROOT / qfile):
        a = respond(r, q.question, []).answer
        if a.abstained or not a.signals:
            continue
        rows.append(Row(q.id, qfile, q.type, q.answerable, tuple(float(a.signals[f]) for f in FEATURES)))
    return rows


def fit_logistic(xs: list[tuple[float, ...]], ys: list[int], *, l2: float = L2, iters: int = 50):
    """(mean, scale, coef, intercept) of a ridge logistic regression, by Newton's method on standardised x."""
    import numpy as np

    X = np.asarray(xs, dtype=float)
    y = np.asarray(ys, dtype=float)
    mean, scale = X.mean(axis=0), X.std(axis=0)
    scale[scale == 0] = 1.0
    Z = np.hstack([np.ones((len(X), 1)), (X - mean) / scale])
    w = np.zeros(Z.shape[1])
    pen = np.full(Z.shape[1], l2)
    pen[0] = 0.0  # the intercept is not shrunk
    # each class weighs as much as the other: the answerable rows outnumber the rest ~6:1
    cw = np.where(y == 1, 0.5 / max(y.mean(), 1e-9), 0.5 / max(1 - y.mean(), 1e-9))
    for _ in range(iters):
        p = 1 / (1 + np.exp(-Z @ w))
        g = Z.T @ (cw * (p - y)) + pen * w
        H = (Z * (cw * p * (1 - p))[:, None]).T @ Z + np.diag(pen)
        step = np.linalg.solve(H, g)
        w -= step
        if np.abs(step).max() < 1e-8:
            break
    return mean.tolist(), scale.tolist(), w[1:].tolist(), float(w[0])


def choose_threshold(probs_answerable: list[float], max_false: float) -> float:
    """The highest threshold that abstains on at most `max_false` of the answerable questions."""
    ps = sorted(probs_answerable)
    allowed = int(max_false * len(ps))  # this many answerable questions may fall below
    if not ps:
        return 0.0
    # strictly below ps[allowed] abstains: exactly `allowed` answerable ones (ties aside)
    return ps[allowed] if allowed < len(ps) else ps[-1]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m eval.fit_support", description=__doc__.split("\n\n")[0])
    ap.add_argument("--dry-run", action="store_true", help="print the fit, write no model file")
    ap.add_argument("--dump", type=Path, help="also write the feature rows to this JSON Lines file")
    ap.add_argument("--out", type=Path, help="model file (default: qa/answering/support_model.json)")
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    from qa.answering import support

    os.environ["QA_SUPPORT_MODEL"] = os.devnull + ".none"  # answer with the model off while collecting
    rows = [row for qfile, extra in DEV_SETS for row in collect(qfile, extra)]
    if args.dump:
        with args.dump.open("w", encoding="utf-8") as fh:
            for row in rows:
                fh.write(json.dumps({"id": row.qid, "set": row.qset, "type": row.qtype, "answerable": row.answerable,
                                     **dict(zip(support.FEATURES, row.x))}, ensure_ascii=False) + "\n")
    ys = [int(r.answerable) for r in rows]
    mean, scale, coef, intercept = fit_logistic([r.x for r in rows], ys)
    d = {"format": support.FORMAT, "features": list(support.FEATURES), "mean": mean, "scale": scale,
         "coef": coef, "intercept": intercept, "threshold": 0.0}
    m = support.from_dict(d)
    probs = [m.probability(support.Support(*r.x)) for r in rows]
    n_ans = sum(ys)
    # the budget counts every answerable dev question, not only the rows the rules left standing
    n_all = sum(1 for qfile, _ in DEV_SETS for q in load_questions(ROOT / qfile) if q.answerable)
    thr = choose_threshold([p for p, y in zip(probs, ys) if y], MAX_FALSE_ABSTAIN * n_all / max(n_ans, 1))
    d["threshold"] = thr
    caught = sum(1 for p, y in zip(probs, ys) if not y and p < thr)
    false = sum(1 for p, y in zip(probs, ys) if y and p < thr)
    d["fitted"] = {"date": dt.date.today().isoformat(), "sets": [q for q, _ in DEV_SETS], "rows": len(rows),
                   "answerable_rows": n_ans, "unanswerable_rows": len(rows) - n_ans,
                   "unanswerable_caught": caught, "answerable_abstained": false, "l2": L2,
                   "max_false_abstain": MAX_FALSE_ABSTAIN}
    print(f"{len(rows)} rows ({n_ans} answerable); threshold {thr:.3f}: abstains on {caught}/{len(rows) - n_ans} "
          f"unanswerable, {false}/{n_ans} answerable")
    for name, c in sorted(zip(support.FEATURES, coef), key=lambda t: -abs(t[1])):
        print(f"  {name:14s} {c:+.3f}")
    if not args.dry_run:
        out = args.out or support.MODEL_FILE
        tmp = out.with_suffix(".tmp")
        tmp.write_text(json.dumps(d, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        tmp.replace(out)  # atomically: a crash mid-write leaves the last good model
        print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
