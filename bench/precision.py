"""Reference vs ONNX int8 vs ONNX fp32, in one process, interleaved: `python -m bench.precision`.

The question this answers: what does each ONNX precision cost against the sentence-transformers
reference (torch, float32), measured side by side so that background load on a shared machine
hits every engine alike.

- passage encoding: the 1000 synthetic chunks of `bench.synth` (seed 13) in blocks of 250, the
  engines' order rotated per block; then the 150 shipped chunks, rotated likewise, twice.
  Each engine encodes passages the way an index build does (all cores).
- query embedding: the questions of eval/questions.jsonl one at a time (as a served question is
  embedded: one thread), the engines' order rotated per question, `--rounds` passes; p50/p95 per
  engine and the median of the per-question time ratios.
- vectors: cosine of each ONNX precision's passage vectors to the reference's.

Prints a Markdown table and writes the numbers as JSON (`--json`). The 1-minute load average is
recorded at the start and end of every phase.
"""
from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import time
from pathlib import Path

import numpy as np

from . import synth
from .util import machine, mem_mb, pcts, say, timed

logger = logging.getLogger(__name__)

REF = "reference"
ENGINES = (REF, "onnx-int8", "onnx-fp32")


def _load() -> float:
    return round(os.getloadavg()[0], 2)


def _rotated(names: list[str], i: int) -> list[str]:
    k = i % len(names)
    return names[k:] + names[:k]


def make_engines(int8_dir: Path | None, fp32_dir: Path | None, names=ENGINES, extra: list[str] = ()) -> dict:
    """The engines by name; `extra` adds ONNX folders as NAME=PRECISION:DIR (e.g. a re-optimised graph)."""
    from qa.embed.encoder import E5Encoder
    from qa.embed.onnx_encoder import OnnxE5Encoder

    engines = {}
    for name in names:
        if name == REF:
            engines[name] = E5Encoder()
        else:
            precision = name.split("-", 1)[1]
            engines[name] = OnnxE5Encoder(int8_dir if precision == "int8" else fp32_dir, precision=precision)
    for spec in extra:
        name, _, rest = spec.partition("=")
        precision, _, folder = rest.partition(":")
        if not (name and precision in ("int8", "fp32") and folder):
            raise SystemExit(f"--engine {spec!r}: expected NAME=int8|fp32:DIR")
        engines[name] = OnnxE5Encoder(Path(folder), precision=precision)
    return engines


def passages(engines: dict, texts: list[str], shipped: list[str], *, block: int = 250) -> dict:
    names = list(engines)
    out = {n: {"synthetic_s": 0.0, "shipped_s": 0.0} for n in names}
    vecs = {n: [] for n in names}
    load = [_load()]
    blocks = [texts[lo:lo + block] for lo in range(0, len(texts), block)]
    for bi, b in enumerate(blocks):
        for n in _rotated(names, bi):
            t, v = timed(engines[n].encode_passages, b)
            out[n]["synthetic_s"] += t
            vecs[n].append(v)
        say("passages", f"block {bi + 1}/{len(blocks)}: " + ", ".join(
            f"{n} {sum(len(x) for x in blocks[:bi + 1]) / out[n]['synthetic_s']:.1f}/s" for n in names))
    rounds = 2
    for ri in range(rounds):
        for n in _rotated(names, ri):
            t, _ = timed(engines[n].encode_passages, shipped)
            out[n]["shipped_s"] += t
    load.append(_load())
    ref = np.concatenate(vecs[REF]) if REF in vecs else None
    for n in names:
        e = out[n]
        e["synthetic_per_s"] = round(len(texts) / e["synthetic_s"], 2)
        e["shipped_per_s"] = round(rounds * len(shipped) / e["shipped_s"], 2)
        if ref is not None and n != REF:
            cos = np.sum(ref * np.concatenate(vecs[n]), axis=1)
            e["cosine_to_reference"] = {"min": round(float(cos.min()), 5), "mean": round(float(cos.mean()), 5)}
    return {"engines": out, "synthetic_passages": len(texts), "shipped_passages": len(shipped),
            "synthetic_mean_chars": round(float(np.mean([len(t) for t in texts])), 1),
            "shipped_mean_chars": round(float(np.mean([len(t) for t in shipped])), 1), "loadavg_1min": load}


def queries(engines: dict, questions: list[str], *, rounds: int) -> dict:
    names = list(engines)
    lat = {n: [] for n in names}
    load = [_load()]
    for n in names:  # warm-up: first runs allocate
        for q in questions[:5]:
            engines[n].encode_queries([q])
    i = 0
    for _ in range(rounds):
        for q in questions:
            for n in _rotated(names, i):
                t, _ = timed(engines[n].encode_queries, [q])
                lat[n].append(t)
            i += 1
    load.append(_load())
    out = {"questions": len(questions), "rounds": rounds, "loadavg_1min": load, "engines": {}}
    base = "onnx-int8" if "onnx-int8" in lat else names[0]
    for n in names:
        ratios = np.asarray(lat[n]) / np.asarray(lat[base])
        out["engines"][n] = {**pcts(lat[n]), f"median_ratio_to_{base}": round(float(np.median(ratios)), 3)}
    return out


def render(res: dict) -> str:
    p, q = res["passages"], res.get("queries")
    ref = p["engines"].get(REF)
    L = [f"load average (1 min): passages {p['loadavg_1min']}"
         + (f", queries {q['loadavg_1min']}" if q else ""), "",
         "| engine | synthetic passages/s | × ref | shipped passages/s | × ref | cos to ref min / mean "
         "| query p50 ms | query p95 ms | query time / int8 (median per question) |",
         "|---|---|---|---|---|---|---|---|---|"]
    for n, e in p["engines"].items():
        xs = f"{e['synthetic_per_s'] / ref['synthetic_per_s']:.2f}" if ref else "-"
        xh = f"{e['shipped_per_s'] / ref['shipped_per_s']:.2f}" if ref else "-"
        cos = e.get("cosine_to_reference")
        c = f"{cos['min']:.4f} / {cos['mean']:.4f}" if cos else "-"
        qe = (q or {}).get("engines", {}).get(n, {})
        ratio = next((v for k, v in qe.items() if k.startswith("median_ratio_to_")), "-")
        L.append(f"| {n} | {e['synthetic_per_s']:.1f} | {xs} | {e['shipped_per_s']:.1f} | {xh} | {c} | "
                 f"{qe.get('p50', '-')} | {qe.get('p95', '-')} | {ratio} |")
    return "\n".join(L)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.precision", description=__doc__.splitlines()[0])
    ap.add_argument("--int8-dir", type=Path, default=None, help="ONNX int8 folder (default: beside the model)")
    ap.add_argument("--fp32-dir", type=Path, default=None, help="ONNX fp32 folder (default: beside the model)")
    ap.add_argument("--rounds", type=int, default=3, help="passes over the questions (query embedding)")
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--no-reference", action="store_true", help="ONNX precisions only (no torch)")
    ap.add_argument("--engine", action="append", default=[], metavar="NAME=PRECISION:DIR",
                    help="also time this ONNX folder (repeatable), e.g. fp32-fused=fp32:/tmp/onnx-fused")
    ap.add_argument("--json", type=Path, default=None, help="write the numbers here")
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    from eval.questions import load_questions
    from qa.corpus.chunking import chunk_corpus
    from qa.corpus.documents import REPO_ROOT, load_corpus

    names = [n for n in ENGINES if not (args.no_reference and n == REF)]
    engines = make_engines(args.int8_dir, args.fp32_dir, names, args.engine)
    loads = {}
    for n, enc in engines.items():
        loads[n], _ = timed(enc.load)
        say("load", f"{n}: {loads[n]:.1f} s ({enc.model_id})")
    _, chunks = synth.corpus(1000, args.seed)
    texts = [c.text for c in chunks]
    shipped = [c.text for c in chunk_corpus(load_corpus())]
    qs = [q.question for q in load_questions(REPO_ROOT / "eval" / "questions.jsonl")]
    res = {"machine": machine(), "started": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
           "model_ids": {n: e.model_id for n, e in engines.items()},
           "model_load_s": {n: round(t, 2) for n, t in loads.items()}}
    res["passages"] = passages(engines, texts, shipped)
    res["queries"] = queries(engines, qs, rounds=args.rounds)
    res["mem"] = mem_mb()
    md = render(res)
    print(md)
    if args.json:
        args.json.write_text(json.dumps(res, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
