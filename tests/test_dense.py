"""DenseIndex: vectors held once (a view of faiss's storage), and the automatic flat/HNSW choice."""
from pathlib import Path

import numpy as np
import pytest

from qa.indexing import dense as dense_mod
from qa.indexing.dense import AUTO_HNSW_MIN, DenseIndex, resolve_kind


def _unit(n: int, d: int = 16, seed: int = 0) -> np.ndarray:
    x = np.random.default_rng(seed).standard_normal((n, d)).astype(np.float32)
    return x / np.linalg.norm(x, axis=1, keepdims=True)


@pytest.mark.parametrize("kind", ["flat", "hnsw"])
def test_embeddings_view_equals_stored_vectors_without_a_copy(kind, tmp_path: Path):
    x = _unit(300)
    d = DenseIndex(x, kind=kind)
    assert np.array_equal(d.embeddings, x)
    assert not d.embeddings.flags.owndata and not d.embeddings.flags.writeable
    d.save(tmp_path)
    assert np.array_equal(np.load(tmp_path / "embeddings.npy"), x)
    back = DenseIndex.load(tmp_path)
    assert back.kind == kind and np.array_equal(back.embeddings, x)
    assert not back.embeddings.flags.owndata
    q = x[7]
    rows = np.array([7, 3, 200])
    assert np.allclose(back.scores_for(q, rows), x[rows] @ q)
    assert back.search(q, 1)[0][0] == 7


def test_auto_picks_hnsw_from_the_threshold():
    assert resolve_kind("auto", AUTO_HNSW_MIN - 1) == "flat"
    assert resolve_kind("auto", AUTO_HNSW_MIN) == "hnsw"
    assert resolve_kind("flat", 10**7) == "flat"
    with pytest.raises(ValueError):
        resolve_kind("ivf", 10)


def test_auto_index_type_follows_the_size(monkeypatch, tmp_path: Path):
    monkeypatch.setattr(dense_mod, "AUTO_HNSW_MIN", 200)
    assert DenseIndex(_unit(199), kind="auto").kind == "flat"
    big = DenseIndex(_unit(200), kind="auto")
    assert big.kind == "hnsw" and hasattr(big.index, "hnsw")
    big.save(tmp_path)
    with pytest.raises(ValueError, match="hnsw index, not flat"):
        DenseIndex.load(tmp_path, kind="flat")


def test_load_refuses_vectors_that_disagree_with_the_npy(tmp_path: Path):
    DenseIndex(_unit(20)).save(tmp_path)
    np.save(tmp_path / "embeddings.npy", _unit(21), allow_pickle=False)
    with pytest.raises(ValueError, match="embeddings.npy"):
        DenseIndex.load(tmp_path)


def test_empty_index():
    d = DenseIndex(np.zeros((0, 8), dtype=np.float32))
    assert len(d) == 0 and d.embeddings.shape == (0, 8) and d.search(np.ones(8, np.float32), 5) == []


def test_index_store_records_the_resolved_kind_and_auto_reloads_it(monkeypatch, tmp_path: Path):
    from qa.indexing import index_store
    from qa.embed.encoder import FakeEncoder
    from qa.search.retriever import DEFAULT_PARAMS

    corpus = Path(__file__).resolve().parent.parent / "corpus"
    assert DEFAULT_PARAMS["dense_kind"] == "auto"
    enc = FakeEncoder()
    built = index_store.build(tmp_path, corpus, enc, dict(DEFAULT_PARAMS))
    n = len(built.chunks)
    assert built.manifest["params"]["dense_kind"] == "flat" and built.dense.kind == "flat"
    expect = index_store.identity(corpus, enc.model_id, dict(DEFAULT_PARAMS))
    assert index_store.load(tmp_path, expect=expect).dense.kind == "flat"
    # the same stored build is stale for "auto" once the corpus is over the threshold
    monkeypatch.setattr(dense_mod, "AUTO_HNSW_MIN", n)
    with pytest.raises(index_store.IndexUnusable, match="dense_kind"):
        index_store.load(tmp_path, expect=expect)
    rebuilt = index_store.build(tmp_path, corpus, enc, dict(DEFAULT_PARAMS))
    assert rebuilt.manifest["params"]["dense_kind"] == "hnsw"
    again = index_store.load(tmp_path, expect=expect)
    assert again.dense.kind == "hnsw"
    assert np.array_equal(again.dense.embeddings, built.dense.embeddings)


def test_a_row_outlives_the_index_it_came_from():
    """The rebuild's embedding cache keeps rows of the old index after dropping it."""
    import gc

    x = _unit(500, 64, seed=3)
    rows = [DenseIndex(x, kind=k).embeddings[i] for k, i in (("flat", 5), ("hnsw", 9))]
    gc.collect()
    _ = [DenseIndex(_unit(500, 64, seed=4)) for _ in range(4)]  # reuse the freed memory, if it were freed
    assert np.array_equal(rows[0], x[5]) and np.array_equal(rows[1], x[9])
