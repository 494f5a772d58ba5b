"""LightTokenizer gives exactly the ids of `tokenizers` on every eval and corpus text (and odd inputs)."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from qa.embed.e5tokenizer import LightTokenizer

REPO = Path(__file__).resolve().parent.parent
ODD = ["", " ", "  a   b  ", "x" * 3000, "报告" * 2000, "Ⅻ ＡＢＣ ﬁ ½ \u200b\u00a0tab\tnew\nline", "㋿ ～ 🅬🈻🯰 𐞁",
       "（一）认真落实，“报告患病率”不低于４.５％", "ɐɐɐ ❄ \x00\x01", "<s>hi</s> <mask> <unk><pad>", "a<s", "\u0378\u0379 unassigned"]


def _texts() -> list[str]:
    from qa.corpus.chunking import chunk_corpus
    from qa.corpus.documents import load_corpus

    out = []
    for name in ("questions.jsonl", "heldout.jsonl"):
        for line in (REPO / "eval" / name).read_text(encoding="utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                out += [v for v in row.values() if isinstance(v, str)]
                out += [g["evidence"] for g in row.get("gold", []) if isinstance(g, dict) and isinstance(g.get("evidence"), str)]
    return out + [c.text for c in chunk_corpus(load_corpus(REPO / "corpus"))] + ODD


@pytest.fixture(scope="module")
def tokenizer_json() -> Path:
    from qa.embed.onnx_encoder import ensure_onnx
    from qa.embed.onnx_export import TOKENIZER_FILE

    return ensure_onnx() / TOKENIZER_FILE


@pytest.mark.model
def test_same_ids_as_tokenizers_on_every_eval_and_corpus_text(tokenizer_json):
    from tokenizers import Tokenizer

    full = Tokenizer.from_file(str(tokenizer_json))
    full.no_padding()
    full.enable_truncation(512)
    light = LightTokenizer(tokenizer_json, 512)
    texts = [p + t for t in _texts() for p in ("query: ", "passage: ")]
    want = [e.ids for e in full.encode_batch(texts, add_special_tokens=True)]
    got = light.encode(texts)
    bad = [t[:60] for t, a, b in zip(texts, got, want) if a != b]
    assert len(texts) > 1000 and not bad, bad[:5]
    assert max(map(len, got)) == 512  # truncation exercised
    assert light._full is not None  # the special-token literals went the full tokenizer's way


@pytest.mark.model
def test_unknown_characters_fuse_into_one_unk(tokenizer_json):
    light = LightTokenizer(tokenizer_json, 512)
    unk = light.token_to_id("<unk>")
    one = light.encode(["\u0378"])[0]
    two = light.encode(["\u0378\u0378\u0378"])[0]
    assert unk in one and two.count(unk) == one.count(unk)
    assert light._full is None
