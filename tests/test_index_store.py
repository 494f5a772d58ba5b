"""The persisted index: save/load, embedding cache, staleness, damage, atomic swap."""
import json
import shutil
from pathlib import Path

import pytest

from qa.indexing import index_store
from qa.embed.encoder import FakeEncoder
from qa.search.retriever import Retriever

QUERIES = ["哪个区要求严重精神障碍患者报告患病率不低于4.5%？", "Which district targets a 4.5% reported prevalence?",
           "鼓楼区补助标准", "安宁疗护", "周卫健字〔2021〕20号"]


class CountingEncoder(FakeEncoder):
    """FakeEncoder that records how many passages it embedded."""

    def __init__(self, model_id="fake-counting"):
        super().__init__()
        self.model_id = model_id
        self.passages = 0

    def encode_passages(self, texts, *, show_progress=False):
        self.passages += len(texts)
        return super().encode_passages(texts, show_progress=show_progress)


@pytest.fixture()
def corpus(tmp_path):
    src = Path(__file__).resolve().parent.parent / "corpus"
    dst = tmp_path / "corpus"
    shutil.copytree(src, dst)
    return dst


def results(r):
    return [[(h.chunk_id, h.score) for h in r.search(q, k=10, mode=m)] for q in QUERIES for m in r.MODES]


def test_save_load_identical_results(tmp_path, corpus):
    enc = CountingEncoder()
    built = Retriever.load(tmp_path / "idx", corpus, encoder=enc)
    assert built.built_now and enc.passages == len(built.chunks)
    loaded = Retriever.load(tmp_path / "idx", corpus, encoder=enc)
    assert not loaded.built_now and enc.passages == len(built.chunks)  # nothing re-embedded
    assert results(built) == results(loaded)


def test_manifest_contents(tmp_path, corpus):
    r = Retriever.load(tmp_path / "idx", corpus, encoder=CountingEncoder())
    build_dir = index_store.current_build(tmp_path / "idx")
    m = json.loads((build_dir / "manifest.json").read_text())
    for key in ["format_version", "corpus_hash", "tokenizer_version", "chunker_version", "model_id", "params",
                "counts", "files"]:
        assert key in m
    assert m["counts"]["chunks"] == len(r.chunks)
    assert set(m["files"]) == {"docs.json", "chunks.jsonl", "bm25_tokens.jsonl", "embeddings.npy", "dense.faiss",
                               "xling_lexicon.jsonl", "xling_terms.json", "xling_term_vectors.npy"}
    assert all(len(f["sha256"]) == 64 for f in m["files"].values())


def test_changed_chunk_reembeds_only_that_chunk(tmp_path, corpus):
    enc = CountingEncoder()
    r1 = Retriever.load(tmp_path / "idx", corpus, encoder=enc)
    n = enc.passages
    doc = corpus / "001_2c24e101aae37e8e.txt"
    text = doc.read_text(encoding="utf-8")
    doc.write_text(text.replace("确保报告患病率不低于4.5%", "确保报告患病率不低于4.6%"), encoding="utf-8")
    r2 = Retriever.load(tmp_path / "idx", corpus, encoder=enc)
    assert r2.built_now
    assert enc.passages - n == 1
    assert r2.manifest["counts"]["embedded"] == 1 and r2.manifest["counts"]["reused"] == len(r1.chunks) - 1
    assert any("不低于4.6%" in h.text for h in r2.search("报告患病率不低于4.6%", k=3))


def test_another_index_lends_its_vectors_for_identical_texts(tmp_path, corpus):
    """A corpus sharing most documents with an indexed one embeds only what is new (eval's combined corpora)."""
    enc = CountingEncoder()
    donor = Retriever.load(tmp_path / "donor", corpus, encoder=enc)
    other = tmp_path / "other"
    shutil.copytree(corpus, other)
    doc = other / "001_2c24e101aae37e8e.txt"
    doc.write_text(doc.read_text(encoding="utf-8").replace("不低于4.5%", "不低于4.6%"), encoding="utf-8")
    n = enc.passages
    r = Retriever.load(tmp_path / "idx", other, encoder=enc, reuse_from=tmp_path / "donor")
    assert enc.passages - n == 1
    assert r.manifest["counts"]["reused"] == len(donor.chunks) - 1
    assert r.manifest["crosslingual"]["terms_embedded"] < donor.manifest["crosslingual"]["terms_embedded"] / 10
    fresh = Retriever.load(tmp_path / "fresh", other, encoder=CountingEncoder())
    assert results(r) == results(fresh)  # borrowed vectors search exactly as freshly embedded ones

    enc_b = CountingEncoder("model-b")
    r_b = Retriever.load(tmp_path / "idx-b", other, encoder=enc_b, reuse_from=tmp_path / "donor")
    assert enc_b.passages == len(r_b.chunks)  # another model's vectors are never borrowed
    r_none = Retriever.load(tmp_path / "idx-c", other, encoder=CountingEncoder(), reuse_from=tmp_path / "nothing")
    assert r_none.manifest["counts"]["reused"] == 0  # a donor with no index is no error


def test_other_model_rebuilds(tmp_path, corpus):
    Retriever.load(tmp_path / "idx", corpus, encoder=CountingEncoder("model-a"))
    enc_b = CountingEncoder("model-b")
    r = Retriever.load(tmp_path / "idx", corpus, encoder=enc_b)
    assert r.built_now and enc_b.passages == len(r.chunks)  # no vectors borrowed from another model
    assert r.manifest["model_id"] == "model-b"


def test_other_format_version_rebuilds(tmp_path, corpus, monkeypatch):
    Retriever.load(tmp_path / "idx", corpus, encoder=CountingEncoder())
    monkeypatch.setattr(index_store, "FORMAT_VERSION", index_store.FORMAT_VERSION + 1)
    assert Retriever.load(tmp_path / "idx", corpus, encoder=CountingEncoder()).built_now


@pytest.mark.parametrize("name", ["chunks.jsonl", "bm25_tokens.jsonl", "embeddings.npy", "dense.faiss", "docs.json"])
@pytest.mark.parametrize("damage", ["truncate", "flip", "delete"])
def test_damaged_file_is_detected_and_rebuilt(tmp_path, corpus, name, damage, caplog):
    enc = CountingEncoder()
    good = results(Retriever.load(tmp_path / "idx", corpus, encoder=enc))
    path = index_store.current_build(tmp_path / "idx") / name
    data = path.read_bytes()
    if damage == "truncate":
        path.write_bytes(data[: len(data) // 2])
    elif damage == "flip":
        path.write_bytes(data[:-10] + bytes(b ^ 0xFF for b in data[-10:]))
    else:
        path.unlink()
    with pytest.raises(index_store.IndexUnusable, match=name):
        index_store.load(tmp_path / "idx")
    with caplog.at_level("WARNING"):
        r = Retriever.load(tmp_path / "idx", corpus, encoder=enc)
    assert r.built_now and name in caplog.text and "rebuilding" in caplog.text
    assert results(r) == good


def test_failed_build_keeps_previous_index(tmp_path, corpus):
    enc = CountingEncoder()
    good = results(Retriever.load(tmp_path / "idx", corpus, encoder=enc))
    before = index_store.current_build(tmp_path / "idx")

    class Exploding(CountingEncoder):
        def encode_passages(self, texts, *, show_progress=False):
            raise RuntimeError("killed mid-build")

    (corpus / "001_2c24e101aae37e8e.txt").write_text("一、新的内容\n1. 完全不同的文本，用来触发重建。", encoding="utf-8")
    with pytest.raises(RuntimeError, match="killed"):
        Retriever.load(tmp_path / "idx", corpus, encoder=Exploding())
    assert index_store.current_build(tmp_path / "idx") == before
    assert not [p for p in (tmp_path / "idx" / "builds").iterdir() if p.name.startswith(".tmp")]
    data = index_store.load(tmp_path / "idx")  # still loadable, same answers
    assert results(Retriever(data, enc)) == good


def test_no_pickle_anywhere(tmp_path, corpus):
    import numpy as np

    Retriever.load(tmp_path / "idx", corpus, encoder=CountingEncoder())
    emb = index_store.current_build(tmp_path / "idx") / "embeddings.npy"
    np.load(emb, allow_pickle=False)  # raises if it needed pickle
