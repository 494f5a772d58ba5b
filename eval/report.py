"""Turn a summary (see `eval.run.summarise`) into markdown tables and a PNG chart."""
from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from .run import ALL, ANSWER_METRICS, metric_names

_LABELS = {"mrr": "MRR", "ndcg": "nDCG"}
_ANSWER_LABELS = {"answer@1": "answer@1", "answer@any": "answer@any", "district_named": "district named",
                  "list_precision": "list P", "list_recall": "list R"}
CONFIDENCE_ORDER = ("直接回答", "部分相关", "未找到")


def _label(name: str) -> str:
    kind, _, cutoff = name.partition("@")
    return f"{_LABELS.get(kind, kind)}@{cutoff}" if cutoff else name


def _fmt(value, digits: int = 3) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def markdown_table(header: Sequence[str], rows: Sequence[Sequence]) -> str:
    """A GitHub-style table; numbers right-aligned, floats to 3 decimals."""
    cells = [[_fmt(v) for v in row] for row in rows]
    widths = [max(len(str(h)), *(len(r[i]) for r in cells)) for i, h in enumerate(header)]
    numeric = [i > 0 for i in range(len(header))]

    def line(values):
        padded = [v.rjust(w) if num else v.ljust(w) for v, w, num in zip(values, widths, numeric)]
        return "| " + " | ".join(padded) + " |"

    rule = "|" + "|".join(("-" * (w + 1) + ":") if num else ("-" * (w + 2))
                          for w, num in zip(widths, numeric)) + "|"
    return "\n".join([line(list(map(str, header))), rule, *(line(r) for r in cells)])


def mode_table(mode_summary: dict, *, k: int) -> str:
    """Rows: each question type present, then "all"; columns: n and every metric."""
    names = metric_names(k) + [f"recall@{k}"]
    rows = []
    for group, row in mode_summary["by_type"].items():
        label = f"**{group}** (answerable)" if group == ALL else group
        rows.append([label, row["n"], *(row.get(name) for name in names)])
    return markdown_table(["type", "n", *map(_label, names)], rows)


def overview_table(summary: dict, *, k: int) -> str:
    """One row per mode: overall metrics and latency."""
    names = metric_names(k)
    rows = []
    for mode, s in summary.items():
        overall = s["by_type"][ALL]
        lat = s["latency_ms"]
        rows.append([mode, overall["n"], *(overall[n] for n in names), lat["p50"], lat["p95"]])
    header = ["mode", "n", *map(_label, names), "p50 ms", "p95 ms"]
    return markdown_table(header, rows)


def _share(rate: float | None, n: int) -> str:
    """'3/4 (0.750)', or '0/0' when there was nothing to count."""
    return f"{round(rate * n)}/{n} ({rate:.3f})" if rate is not None else f"0/{n}"


def abstention_lines(summary: dict) -> list[str]:
    lines = []
    for mode, s in summary.items():
        a = s["abstention"]
        if not a["available"]:
            lines.append(f"- `{mode}`: not measured (the retriever has no `should_abstain`)")
            continue
        lines.append(
            f"- `{mode}`: abstains on {_share(a['abstain_rate'], a['n_unanswerable'])} "
            f"unanswerable questions; false-abstains on "
            f"{_share(a['false_abstain_rate'], a['n_answerable'])} answerable ones"
        )
    return lines


def answer_overview_table(summary: dict) -> str:
    """One row per mode: the answer metrics over all answerable questions, abstention, build time."""
    rows = []
    for mode, s in summary.items():
        a = s.get("answers", {})
        if not a.get("available"):
            continue
        overall = s["by_type"][ALL]
        multi = s["by_type"].get("multi", {})
        district = s["by_type"].get("district", {})
        rows.append([mode, overall["n"], overall.get("answer@1"), overall.get("answer@any"),
                     district.get("district_named"), multi.get("list_precision"), multi.get("list_recall"),
                     a["abstain_rate"], a["false_abstain_rate"], a["answer_ms"]["p50"]])
    header = ["mode", "n", "answer@1", "answer@any", "district named", "list P", "list R",
              "abstain (unans.)", "false abstain", "answer p50 ms"]
    return markdown_table(header, rows)


def answer_type_table(mode_summary: dict) -> str:
    """Rows: each question type, then "all"; columns: the answer metrics that apply."""
    rows = []
    for group, row in mode_summary["by_type"].items():
        label = f"**{group}** (answerable)" if group == ALL else group
        rows.append([label, row["n"], *(row.get(name) for name in ANSWER_METRICS)])
    return markdown_table(["type", "n", *(_ANSWER_LABELS[n] for n in ANSWER_METRICS)], rows)


def calibration_table(mode_summary: dict) -> str:
    """Reliability: per confidence label, how often the answer was right."""
    cal = mode_summary.get("answers", {}).get("calibration", {})
    order = [c for c in CONFIDENCE_ORDER if c in cal] + [c for c in cal if c not in CONFIDENCE_ORDER]
    rows = [[label, cal[label]["n"], cal[label]["answerable"], cal[label]["unanswerable"], cal[label]["right"],
             cal[label]["right_rate"]] for label in order]
    return markdown_table(["confidence", "n", "answerable", "unanswerable", "right", "right rate"], rows)


def answer_section(summary: dict) -> list[str]:
    if not any(s.get("answers", {}).get("available") for s in summary.values()):
        return []
    out = ["", "## Answers", "",
           "answer@1: the answer's first sentence comes from a gold document and holds its evidence; "
           "answer@any: any answer sentence does; district named: a which-district answer names the gold "
           "district; list P/R: the districts a which-districts answer lists against the gold documents; "
           "abstention is the answer's (unanswerable questions), false abstention on answerable ones. "
           "Right (calibration): answer@1 on an answerable question, abstention on an unanswerable one.",
           "", answer_overview_table(summary)]
    for mode, s in summary.items():
        if s.get("answers", {}).get("available"):
            out += ["", f"### Answers, mode `{mode}`, by question type", "", answer_type_table(s),
                    "", f"Calibration (`{mode}`): how often an answer with each confidence label is right",
                    "", calibration_table(s)]
    return out


def render_markdown(meta: dict, summary: dict, *, unmatched: list[dict] | None = None) -> str:
    """The whole report: header facts, overview, per-mode tables, abstention, warnings."""
    k = meta["k"]
    counts = ", ".join(f"{t} {n}" for t, n in meta["counts_by_type"].items())
    out = [
        "# Retrieval evaluation",
        "",
        f"- date: {meta['created']}",
        f"- git commit: {meta.get('git_commit') or 'unknown'}",
        f"- questions: {meta['n_questions']} from `{meta['questions_file']}` ({counts})",
        f"- depth k = {k}; modes: {', '.join(summary)}",
        "",
        "Unanswerable questions have no gold passages and are left out of the "
        "ranking tables; they are counted under abstention.",
        "",
        "## Overall (answerable questions)",
        "",
        overview_table(summary, k=k),
    ]
    for mode, s in summary.items():
        out += ["", f"## Mode `{mode}` by question type", "", mode_table(s, k=k)]
    out += ["", "## Abstention by retrieval alone", "",
            "`Retriever.should_abstain` before any answer is built (places no document covers, header fields "
            "a header lacks, weak coverage); the answers' own abstention, which users see, is in the answer "
            "tables below.", "", *abstention_lines(summary)]
    out += answer_section(summary)
    if unmatched:
        out += [
            "",
            "## Warning: gold evidence found in no indexed chunk",
            "",
            "These questions cannot be answered correctly by any mode; fix the evidence, "
            "the doc_id, or the chunking.",
            "",
        ]
        out += [f"- `{u['id']}` {u['doc_id']}: {u['evidence']}" for u in unmatched]
    return "\n".join(out) + "\n"


def write_png(path: str | Path, summary: dict, *, k: int) -> None:
    """Grouped bars per question type, one bar per mode: hit@5 on top, MRR@k below."""
    # Figure + Agg canvas directly: no pyplot, so no global backend state.
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    modes = list(summary)
    groups = list(next(iter(summary.values()))["by_type"]) if modes else []
    hit = f"hit@{min(5, k)}"
    panels = [(hit, _label(hit)), (f"mrr@{k}", _label(f"mrr@{k}"))]
    width = 0.8 / max(len(modes), 1)
    n_bars = len(groups) * len(modes)
    fig = Figure(figsize=(max(8.0, 1.2 + 0.45 * n_bars + 0.4 * len(groups)), 8.5), dpi=110)
    FigureCanvasAgg(fig)
    axes = fig.subplots(2, 1)
    for ax, (name, label) in zip(axes, panels):
        for m, mode in enumerate(modes):
            rows = summary[mode]["by_type"]
            values = [rows[g].get(name) or 0.0 for g in groups]
            xs = [i + (m - (len(modes) - 1) / 2) * width for i in range(len(groups))]
            bars = ax.bar(xs, values, width * 0.95, label=mode)
            ax.bar_label(bars, fmt="%.2f", fontsize=7, padding=2,
                         rotation=90 if len(modes) > 2 else 0)
        ax.set_xticks(range(len(groups)))
        ax.set_xticklabels(
            [f"{g}\n(n={summary[modes[0]]['by_type'][g]['n']})" for g in groups], fontsize=9
        )
        ax.set_ylim(0, 1.18)
        ax.set_ylabel(label)
        ax.set_title(f"{label} by question type (answerable questions)", fontsize=11)
        ax.grid(axis="y", alpha=0.3)
        ax.set_axisbelow(True)
        ax.legend(title="mode", fontsize=8, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    fig.tight_layout()
    fig.savefig(path)
