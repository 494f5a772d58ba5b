"""The recorded regression floor, eval/baseline.json.

Format::

    {"mode": "hybrid", "k": 10, "hit@5": 0.82, "mrr@10": 0.71,
     "recorded": "2025-01-31", "note": "why these numbers"}

Every key containing "@" is a floor on that overall metric (answerable
questions) for ``mode`` at depth ``k``; a run passes when each is >= its floor.
The optional "abstain" is a floor on the answers' abstention rate on
unanswerable questions, "false_abstain" a ceiling on their abstention rate on
answerable ones.
"""
from __future__ import annotations

import datetime as dt
import json
import math
from dataclasses import dataclass
from pathlib import Path

from .run import ALL

DEFAULT_PATH = Path(__file__).with_name("baseline.json")
# which-place list precision/recall over the multi questions: floors too when a baseline records them
LIST_METRICS = ("list_precision", "list_recall")
# Float noise only: the same retriever on the same questions must pass.
TOLERANCE = 1e-9


class BaselineError(ValueError):
    """The baseline file is malformed or does not fit this run."""


@dataclass(frozen=True, slots=True)
class Baseline:
    mode: str
    k: int
    floors: dict[str, float]  # metric name => minimum value
    abstain: float | None = None  # minimum abstention rate of the answers on unanswerable questions
    false_abstain: float | None = None  # maximum abstention rate of the answers on answerable questions
    recorded: str = ""
    note: str = ""


def load_baseline(path: str | Path = DEFAULT_PATH) -> Baseline:
    """Read and validate a baseline file; FileNotFoundError passes through."""
    path = Path(path)
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise BaselineError(f"{path}: not valid JSON ({exc.msg}, line {exc.lineno})") from None
    if not isinstance(raw, dict):
        raise BaselineError(f"{path}: expected a JSON object")
    mode, k = raw.get("mode"), raw.get("k")
    if not isinstance(mode, str) or not isinstance(k, int) or isinstance(k, bool) or k < 1:
        raise BaselineError(f"{path}: needs 'mode' (string) and 'k' (positive integer)")
    floors = {}
    for key, value in raw.items():
        if "@" in key or key in LIST_METRICS:
            if not isinstance(value, (int, float)) or isinstance(value, bool):
                raise BaselineError(f"{path}: {key!r} must be a number, got {value!r}")
            floors[key] = float(value)
    if not floors:
        raise BaselineError(f"{path}: no metric floors (keys like 'hit@5', 'mrr@10')")
    rates = {}
    for key in ("abstain", "false_abstain"):
        value = raw.get(key)
        if value is not None and (not isinstance(value, (int, float)) or isinstance(value, bool)
                                  or not 0 <= value <= 1):
            raise BaselineError(f"{path}: {key!r} must be a rate between 0 and 1, got {value!r}")
        rates[key] = None if value is None else float(value)
    return Baseline(mode=mode, k=k, floors=floors, **rates,
                    recorded=str(raw.get("recorded", "")), note=str(raw.get("note", "")))


def check_baseline(summary: dict, baseline: Baseline, *, k: int) -> tuple[bool, list[str]]:
    """Compare a run summary (mode => summarise_mode output) with the floors.

    Returns (passed, one line per metric). Raises BaselineError if the run
    cannot be compared (other k, mode not run, metric not computed).
    """
    if k != baseline.k:
        raise BaselineError(f"baseline was recorded at k={baseline.k}; run with --k {baseline.k}")
    if baseline.mode not in summary:
        raise BaselineError(f"baseline mode {baseline.mode!r} was not run; add --mode {baseline.mode}")
    overall = summary[baseline.mode]["by_type"][ALL]
    passed, lines = True, []
    for name, floor in baseline.floors.items():
        if name not in overall:
            raise BaselineError(f"baseline metric {name!r} is not computed at k={k}")
        value = overall[name]
        ok = value is not None and value >= floor - TOLERANCE
        passed &= ok
        shown = "–" if value is None else f"{value:.4f}"
        lines.append(f"{'ok  ' if ok else 'FAIL'} {baseline.mode} {name} = {shown} "
                     f"(baseline {floor:.4f}, recorded {baseline.recorded or '?'})")
    answers = summary[baseline.mode].get("answers") or {}
    for name, bound, key, low in (("abstain", baseline.abstain, "abstain_rate", True),
                                  ("false_abstain", baseline.false_abstain, "false_abstain_rate", False)):
        if bound is None:
            continue
        value = answers.get(key) if answers.get("available") else None
        if value is None:
            raise BaselineError(f"baseline {name!r} needs the answers scored (run without --no-answers)")
        ok = value >= bound - TOLERANCE if low else value <= bound + TOLERANCE
        passed &= ok
        lines.append(f"{'ok  ' if ok else 'FAIL'} {baseline.mode} answers {name} = {value:.4f} "
                     f"({'floor' if low else 'ceiling'} {bound:.4f}, recorded {baseline.recorded or '?'})")
    return passed, lines


def _below(value: float, questions: int, n: int) -> float:
    """A floor `questions` questions of `n` below `value`, rounded down to 4 places (never above it)."""
    return max(0.0, math.floor((value - questions / n) * 10_000 + 1e-6) / 10_000) if n else value


def _above(value: float, questions: int, n: int) -> float:
    """A ceiling `questions` questions of `n` above `value`, rounded up to 4 places (never below it)."""
    return min(1.0, math.ceil((value + questions / n) * 10_000 - 1e-6) / 10_000) if n else value


def _previous(path: Path) -> dict:
    """The baseline file being replaced ({} when there is none or it is unreadable)."""
    try:
        obj = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return obj if isinstance(obj, dict) else {}


def record_baseline(
    path: str | Path, summary: dict, *, mode: str, k: int, note: str, metrics=("hit@1", "hit@5", "answer@1"),
    slack: int = 0, lists: bool = True,
) -> dict:
    """Write the current overall numbers of ``mode`` as the new floors; returns the object.

    ``slack`` sets each bound that many questions looser than measured: floors
    below, the false-abstention ceiling above, counted in the questions each
    rate is over. Rounding is always towards looser: a floor of 105/124 rounded
    to the nearest 0.001 (0.847) would demand 106. ``lists`` (default) also records the which-place list
    precision and recall (averaged over the multi questions; slack counted in those).
    """
    if mode not in summary:
        raise BaselineError(f"cannot record a baseline for mode {mode!r}: it was not run")
    if slack < 0:
        raise BaselineError(f"slack must be a number of questions >= 0, not {slack}")
    overall = summary[mode]["by_type"][ALL]
    names = [m for m in metrics if m in overall] + [f"mrr@{k}"]
    n = int(overall.get("n") or 0)
    obj = {"mode": mode, "k": k}
    for name in names:
        if overall.get(name) is None:
            raise BaselineError(f"cannot record {name}: no answerable questions were scored")
        obj[name] = _below(overall[name], slack, n) if slack else overall[name]
    multi = int((summary[mode]["by_type"].get("multi") or {}).get("n") or 0)
    for name in LIST_METRICS if lists else ():
        if overall.get(name) is not None:  # an average over the multi questions: slack counts in those
            obj[name] = _below(overall[name], slack, multi) if slack else overall[name]
    answers = summary[mode].get("answers") or {}
    if answers.get("available"):
        if answers.get("abstain_rate") is not None:
            rate = answers["abstain_rate"]
            obj["abstain"] = _below(rate, slack, int(answers.get("n_unanswerable") or 0)) if slack else rate
        if answers.get("false_abstain_rate") is not None:
            rate = answers["false_abstain_rate"]
            obj["false_abstain"] = _above(rate, slack, int(answers.get("n_answerable") or 0)) if slack else rate
    today = dt.date.today().isoformat()
    old = _previous(Path(path))
    # a floor this run does not measure (district_first, checked by its own test) stays as it was,
    # and the note keeps the file's history: each floor says what it was measured on
    obj.update({key: v for key, v in old.items() if key not in obj and key not in ("recorded", "note")})
    obj["recorded"] = today
    obj["note"] = f"{old['note']} {today}: {note}" if old.get("note") else note
    Path(path).write_text(json.dumps(obj, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return obj
