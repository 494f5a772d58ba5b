"""The reference engine (sentence-transformers, torch) against the default ONNX Runtime int8 engine:
one table, measured in the same `python -m bench` run, with ratios and the issue-13 targets."""
from __future__ import annotations

SHIPPED_P50_MS = 15.0
SHIPPED_RSS_MB = 500.0
BIG_P50_MS = 35.0
BIG_PEAK_MB = 1024.0
PASSAGE_SPEEDUP = 3.0
LOAD_CLIENTS = 8
LOAD_ANSWERS_PER_S = 60.0
LOAD_P95_MS = 200.0
REF, NEW = "sentence-transformers", "onnx"


def _fmt(v, unit: str = "") -> str:
    if v is None:
        return "-"
    return f"{v:.1f}{unit}" if isinstance(v, float) else f"{v}{unit}"


def _ratio(old, new, *, higher_better: bool) -> str:
    if not old or not new:
        return "-"
    return f"×{(new / old if higher_better else old / new):.2f}"


def _verdict(ok: bool | None) -> str:
    return "-" if ok is None else ("**PASS**" if ok else "**FAIL**")


def rows(res: dict) -> list[list[str]]:
    """[metric, reference, onnx, gain, target, verdict] rows for whatever was measured."""
    out = []
    big = res["sizes"][-1]
    label = f"{big // 1000}k" if big >= 1000 else str(big)

    def add(metric, old, new, *, unit, higher_better, target=None, ok=None):
        out.append([metric, _fmt(old, unit), _fmt(new, unit), _ratio(old, new, higher_better=higher_better),
                    target or "", _verdict(ok)])

    s_old, s_new = res.get("shipped"), res.get("shipped_onnx")
    if s_old or s_new:
        p = [s["latency"]["hybrid"]["p50"] if s else None for s in (s_old, s_new)]
        add("shipped corpus: hybrid p50 incl. query embedding", *p, unit=" ms", higher_better=False,
            target=f"≤ {SHIPPED_P50_MS:.0f} ms", ok=None if p[1] is None else p[1] <= SHIPPED_P50_MS)
        e = [s["embed_isolated"]["p50"] if s else None for s in (s_old, s_new)]
        add("shipped corpus: query embedding alone p50", *e, unit=" ms", higher_better=False)
        m = [s["mem"]["queries"]["VmHWM"] if s else None for s in (s_old, s_new)]
        add("shipped corpus: serving process peak RSS (index + model + queries)", *m, unit=" MB", higher_better=False,
            target=f"≤ {SHIPPED_RSS_MB:.0f} MB", ok=None if m[1] is None else m[1] <= SHIPPED_RSS_MB)
    b_old, b_new = (res.get("serve") or {}).get(big), (res.get("serve_onnx") or {}).get(big)
    if b_old or b_new:
        p = [s["latency"]["hybrid"]["p50"] if s else None for s in (b_old, b_new)]
        add(f"{label} chunks: hybrid p50 incl. query embedding", *p, unit=" ms", higher_better=False,
            target=f"≤ {BIG_P50_MS:.0f} ms", ok=None if p[1] is None else p[1] <= BIG_P50_MS)
        m = [s["mem"]["queries"]["VmHWM"] if s else None for s in (b_old, b_new)]
        add(f"{label} chunks: serving process peak RSS", *m, unit=" MB", higher_better=False,
            target=f"≤ {BIG_PEAK_MB / 1024:.1f} GB", ok=None if m[1] is None else m[1] <= BIG_PEAK_MB)
    enc = (res.get("encode") or {}).get("engines") or {}
    if REF in enc and NEW in enc:
        old, new = enc[REF]["passages_per_s"], enc[NEW]["passages_per_s"]
        add(f"passage encoding, {res['encode']['passages']} synthetic chunks (interleaved)", old, new, unit="/s",
            higher_better=True, target=f"≥ {PASSAGE_SPEEDUP:.0f}× reference", ok=new >= PASSAGE_SPEEDUP * old)
        add(f"passage encoding, {res['encode']['shipped_passages']} shipped chunks", enc[REF]["shipped_passages_per_s"],
            enc[NEW]["shipped_passages_per_s"], unit="/s", higher_better=True)
        add("model load", enc[REF]["model_load_s"], enc[NEW]["model_load_s"], unit=" s", higher_better=False)
    for clients in sorted({int(k.rsplit("-", 1)[1]) for k in (res.get("load") or {})}):
        lo, ln = res["load"].get(f"{REF}-{clients}"), res["load"].get(f"{NEW}-{clients}")
        a = [r["answers_per_s"] if r else None for r in (lo, ln)]
        q = [r["latency"]["p95"] if r else None for r in (lo, ln)]
        errs = [r["errors"] if r else None for r in (lo, ln)]
        gate = clients == LOAD_CLIENTS and ln is not None
        add(f"app, {clients} clients: answers/s (search + ask)", *a, unit="", higher_better=True,
            target=f"≥ {LOAD_ANSWERS_PER_S:.0f}" if clients == LOAD_CLIENTS else "",
            ok=(a[1] >= LOAD_ANSWERS_PER_S) if gate else None)
        add(f"app, {clients} clients: p95", *q, unit=" ms", higher_better=False,
            target=f"≤ {LOAD_P95_MS:.0f} ms, no errors" if clients == LOAD_CLIENTS else "",
            ok=(q[1] <= LOAD_P95_MS and errs[1] == 0) if gate else None)
        add(f"app, {clients} clients: errors", *errs, unit="", higher_better=False)
        m = [r["app_mem"]["VmHWM"] if r else None for r in (lo, ln)]
        add(f"app, {clients} clients: app process peak RSS (Gradio included)", *m, unit=" MB", higher_better=False)
    return out


def section(res: dict) -> list[str]:
    table = rows(res)
    if not table:
        return []
    enc = res.get("encode") or {}
    cos = enc.get("onnx_vs_reference_cosine")
    L = ["## Reference (sentence-transformers) vs ONNX Runtime int8 (the default engine)", "",
         "Same run, same machine; each serving step is its own process. Gain = reference / ONNX for times and "
         "memory, ONNX / reference for rates. Targets are issue 13's, checked on the ONNX column.", "",
         "| measure | reference | ONNX int8 | gain | target | |", "|---|---|---|---|---|---|"]
    L += ["| " + " | ".join(r) + " |" for r in table]
    if cos:
        L += ["", f"ONNX vs reference passage vectors on the synthetic chunks: cosine min {cos['min']:.4f}, "
                  f"mean {cos['mean']:.4f}."]
    return L + [""]
