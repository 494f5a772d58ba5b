"""Refit the confidence thresholds (`qa.answering.confidence.Thresholds`) from evaluation runs, and check
the fit on question sets it was not fit on.

    python -m eval.calibrate RESULTS_DIR [RESULTS_DIR ...] [--target 0.9 ...] [--mode hybrid]

Each RESULTS_DIR is a `python -m eval --results-dir` folder (its newest run is read); each is one group, a
question set. The rows are the answers whose label the thresholds decide: answered, not a which-places list
or a header answer (those carry no signals), and not a `multi` question. An answer is right when its first
sentence holds the gold evidence (answer@1); an answer to an unanswerable question never is.

- `fit`: of the grid's thresholds, those that give 直接回答 to the most right answers while keeping at least
  `target` of its answers right (ties: fewer 直接回答 answers, then the grid's order).
- `cross_validate`: each group labelled with the thresholds fit on all the others. The pooled share of right
  直接回答 answers is what a target delivers on a set nobody fit on; a target whose cross-validated share falls
  below it is promising more than the signals can tell.
"""
from __future__ import annotations

import argparse
import itertools
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Sequence

from qa.answering.confidence import DIRECT, Signals, Thresholds, label

GRID: tuple[Thresholds, ...] = tuple(
    Thresholds(a, b, c, d) for a, b, c, d in itertools.product(
        (0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.6), (0.1, 0.15, 0.2, 0.25, 0.3, 0.4),
        (2.0, 2.5, 3.0, 3.5, 4.0, 5.0, float("inf")), (0.0, 0.1, 0.2, 0.3)))
TARGETS = (0.88, 0.90, 0.92, 0.94)
MIN_SET_DIRECT = 10  # a set with fewer 直接回答 answers says little about their share right


@dataclass(frozen=True, slots=True)
class Row:
    group: str  # the question set
    signals: Signals
    right: bool


@dataclass(frozen=True, slots=True)
class Tally:
    direct: int = 0
    direct_right: int = 0
    partial: int = 0
    partial_right: int = 0

    def __add__(self, o: "Tally") -> "Tally":
        return Tally(self.direct + o.direct, self.direct_right + o.direct_right, self.partial + o.partial,
                     self.partial_right + o.partial_right)

    @property
    def direct_rate(self) -> float | None:
        return self.direct_right / self.direct if self.direct else None

    @property
    def partial_rate(self) -> float | None:
        return self.partial_right / self.partial if self.partial else None


def is_direct(row: Row, t: Thresholds) -> bool:
    return label(row.signals, abstained=False, t=t) == DIRECT


def tally(rows: Iterable[Row], t: Thresholds) -> Tally:
    out = Tally()
    for r in rows:
        d = is_direct(r, t)
        out += Tally(int(d), int(d and r.right), int(not d), int(not d and r.right))
    return out


def _by_group(rows: Sequence[Row], grid: Sequence[Thresholds]) -> list[dict[str, Tally]]:
    """For each grid point, its tally per group: each fold's fit then only adds up groups."""
    members: dict[str, list[Row]] = {}
    for r in rows:
        members.setdefault(r.group, []).append(r)
    return [{g: tally(rs, t) for g, rs in sorted(members.items())} for t in grid]


def _best(tallies: Sequence[Tally], grid: Sequence[Thresholds], target: float) -> Thresholds | None:
    best, key = None, None
    for t, s in zip(grid, tallies):
        if s.direct and s.direct_right >= target * s.direct:
            k = (s.direct_right, -s.direct)
            if key is None or k > key:
                best, key = t, k
    return best


def fit(rows: Sequence[Row], target: float, grid: Sequence[Thresholds] = GRID,
        *, _tables: list[dict[str, Tally]] | None = None) -> Thresholds | None:
    """The thresholds labelling the most right answers 直接回答 at `target` precision or better (None: none can)."""
    if _tables is not None:
        return _best([sum(tab.values(), Tally()) for tab in _tables], grid, target)
    return _best([tally(rows, t) for t in grid], grid, target)


def cross_validate(rows: Sequence[Row], target: float, grid: Sequence[Thresholds] = GRID,
                   *, _tables: list[dict[str, Tally]] | None = None) -> Tally:
    """Leave one group out: fit on the others, label it; the tallies of all groups added up. A fold where no
    thresholds reach the target labels its group all 部分相关."""
    tables = _tables if _tables is not None else _by_group(rows, grid)
    groups = sorted({r.group for r in rows})
    out = Tally()
    for g in groups:
        rest = [sum((tab[h] for h in groups if h != g), Tally()) for tab in tables]
        t = _best(rest, grid, target)
        held = [r for r in rows if r.group == g]
        out += tally(held, t) if t is not None else Tally(0, 0, len(held), sum(r.right for r in held))
    return out


def read_rows(results_dirs: Sequence[Path], mode: str = "hybrid") -> list[Row]:
    """The rows of the newest run in each results directory (its name is the group)."""
    rows = []
    for d in results_dirs:
        if not Path(d).is_dir():
            raise SystemExit(f"{d}: not a results directory (give the folders passed to `python -m eval --results-dir`)")
        runs = sorted(p for p in Path(d).iterdir() if (p / "per_question.jsonl").is_file())
        if not runs:
            raise SystemExit(f"{d}: no evaluation run (per_question.jsonl) in it")
        for line in (runs[-1] / "per_question.jsonl").read_text(encoding="utf-8").splitlines():
            q = json.loads(line)
            s = (q.get("answer") or {}).get("signals")
            if q["mode"] != mode or s is None or q["type"] == "multi":
                continue
            sig = Signals(s["lex"], s["dense_z"], s["agree"], s["asked_ok"], tuple(s["missing"]))
            rows.append(Row(Path(d).name, sig, bool(q["answerable"]) and q["answer_scores"].get("answer@1") == 1))
    return rows


def _pct(x: float | None) -> str:
    return "–" if x is None else f"{100 * x:.1f}%"


def report(rows: Sequence[Row], targets: Sequence[float] = TARGETS, grid: Sequence[Thresholds] = GRID) -> str:
    tables = _by_group(rows, grid)
    lines = ["| thresholds | fit on | 直接回答 n | right | 部分相关 n | right |", "|---|---|---|---|---|---|"]

    def line(name: str, how: str, s: Tally) -> None:
        lines.append(f"| {name} | {how} | {s.direct} | {_pct(s.direct_rate)} | {s.partial} | {_pct(s.partial_rate)} |")

    line(f"current {_show(Thresholds())}", "(as shipped, in sample)", tally(rows, Thresholds()))
    for target in targets:
        t = fit(rows, target, grid, _tables=tables)
        line(f"target {target:.2f}: {_show(t)}", "all groups (in sample)",
             tally(rows, t) if t else Tally(0, 0, len(rows), sum(r.right for r in rows)))
        line(f"target {target:.2f}", "the other groups (left out)", cross_validate(rows, target, grid, _tables=tables))
    # how far one set's share of right 直接回答 answers strays from the pooled one: what a new set may see
    per = {g: tally([r for r in rows if r.group == g], Thresholds()) for g in sorted({r.group for r in rows})}
    rated = sorted((s.direct_rate, g) for g, s in per.items() if s.direct >= MIN_SET_DIRECT)
    if rated:
        lines += ["", f"Per question set (current thresholds, sets with {MIN_SET_DIRECT}+ 直接回答 answers): right "
                      f"{_pct(rated[0][0])} ({rated[0][1]}) to {_pct(rated[-1][0])} ({rated[-1][1]}), "
                      f"median {_pct(rated[len(rated) // 2][0])}."]
    return "\n".join(lines)


def _show(t: Thresholds | None) -> str:
    if t is None:
        return "none reach it"
    return f"lex {t.lex_direct:g} / agreed {t.lex_agreed:g} / z {t.dense_z_direct:g} with lex {t.lex_dense:g}"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m eval.calibrate", description=__doc__.split("\n\n")[0])
    ap.add_argument("results", nargs="+", type=Path, help="results directories of `python -m eval`, one per question set")
    ap.add_argument("--target", type=float, action="append", help=f"precision targets for 直接回答 (default {TARGETS})")
    ap.add_argument("--mode", default="hybrid")
    args = ap.parse_args(argv)
    rows = read_rows(args.results, args.mode)
    groups = len({r.group for r in rows})
    print(f"{len(rows)} answers from {groups} question sets ({args.mode})\n")
    print(report(rows, tuple(args.target or TARGETS)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
