"""qa.indexing.bm25.BM25Index against rank_bm25.BM25Okapi (the oracle) and by hand."""
import json
import math
import random
import threading
from collections import Counter

import numpy as np
import pytest
from rank_bm25 import BM25Okapi

from qa.indexing.bm25 import TOKENS_FILE, BM25Index, BM25IndexError
from qa.indexing.tokenize import tokenize

# Ten chunks in the corpus's register. rank_bm25 gives idf <= 0 to any term in
# half or more of the chunks, so a 2-4 chunk fixture would score almost
# everything 0; with ten, 服务 (in 6) exercises the epsilon floor.
CHUNKS = [
    "规范严重精神障碍患者管理治疗，确保报告患病率不低于4.5%、规范管理率不低于80%、规律服药率不低于50%。",
    "加强发热门诊和发热哨点诊室建设，持续强化传染病监测处置能力，落实首诊负责制，做好健康服务。",
    "完善家庭医生签约机制，做好老年人、孕产妇、儿童以及慢性病患者等重点人群的健康服务管理。",
    "将基本公共卫生服务项目政府补助标准提高到每人每年79元，做实基本公共卫生服务。",
    "推动与省市11家医院49个对子的医疗协作关系，促进社区卫生服务中心和医联体医院深度合作。",
    "加强0-3岁婴幼儿照护科普宣传，依法依规做好托育机构备案登记，促进普惠托育服务发展。",
    "实施医养结合服务质量提升行动，推进安宁疗护体系建设，为社区居家老人提供医疗服务。",
    "有序推进新冠病毒疫苗接种，适龄儿童免疫规划疫苗接种率达到90%以上。",
    "为12.8万名65岁以上老年人提供免费健康体检，加强慢性病患者健康管理。",
    "开展健康素养监测行动，持续提升居民健康素养水平，加强健康教育和健康促进。",
]
QUERIES = [
    "严重精神障碍报告患病率是多少",
    "发热门诊建设",
    "家庭医生签约服务",
    "基本公共卫生服务补助每人每年79 元",
    "老年人健康体检 12.8万名",
    "服务",  # in more than half the chunks: epsilon floor
    "服务 服务 健康",  # repeats count twice, as in rank_bm25
    "疫苗接种率 90%以上",
    "核酸检测",  # unseen term
    "unseen 未见过的词 加强",
]


@pytest.fixture(scope="module")
def tokens():
    return [tokenize(c) for c in CHUNKS]


@pytest.fixture(scope="module")
def index(tokens):
    return BM25Index(tokens)


@pytest.fixture(scope="module")
def oracle(tokens):
    return BM25Okapi(tokens, k1=1.5, b=0.75, epsilon=0.25)


# --- edge cases first ---------------------------------------------------------

def test_empty_corpus_is_an_error():
    with pytest.raises(ValueError, match="at least one chunk"):
        BM25Index([])


def test_strings_instead_of_token_lists_is_an_error():
    with pytest.raises(TypeError, match="tokenize first"):
        BM25Index(["发热门诊建设", "核酸检测"])


def test_string_query_is_an_error(index):
    with pytest.raises(TypeError, match="tokenize"):
        index.scores("发热门诊")


def test_all_chunks_empty_scores_zero():
    idx = BM25Index([[], [], []])
    assert idx.scores(["a"]).tolist() == [0.0, 0.0, 0.0]
    assert idx.top_k(["a"], 5) == []


@pytest.mark.parametrize("query", [[], ["没有"], ["x", "y"]])
def test_empty_or_unseen_query_scores_zero(index, query):
    assert not index.scores(query).any()
    assert index.top_k(query, 3) == []


def test_one_chunk():
    idx = BM25Index([["发热门诊"]])
    # N=1, n=1: idf = ln(0.5) - ln(1.5) < 0, the only idf, so the floor is
    # epsilon * itself, still negative: rank_bm25 scores it below zero.
    assert idx.scores(["发热门诊"])[0] == pytest.approx(0.25 * (math.log(0.5) - math.log(1.5)))
    assert idx.top_k(["发热门诊"], 1) == []  # only positive scores are results


# --- the formula, by hand -----------------------------------------------------

def test_score_by_hand():
    # 8 chunks of 4 tokens each, so |d| = avgdl and the length factor is 1.
    # "rare" is in 1 chunk, once: idf = ln(8 - 1 + 0.5) - ln(1 + 0.5) = ln 5,
    # tf part = 1 * (1.5 + 1) / (1 + 1.5 * 1) = 1, so the score is ln 5.
    docs = [["a", "b", "c", "d"] for _ in range(7)] + [["rare", "b", "c", "d"]]
    s = BM25Index(docs).scores(["rare"])
    assert s[7] == pytest.approx(math.log(5))
    assert not s[:7].any()


def test_term_in_exactly_half_has_zero_idf():
    # N=8, n=4: ln(4.5) - ln(4.5) = 0. Not negative, so no epsilon floor:
    # rank_bm25 (and we) give such a term no weight at all.
    docs = [["half", "x"]] * 4 + [["y", "z"]] * 4
    idx = BM25Index(docs)
    assert idx.idf_map()["half"] == 0.0
    assert not idx.scores(["half"]).any()


def test_epsilon_floor_matches_rank_bm25(index, oracle, tokens):
    n = len(tokens)
    df = Counter(t for doc in tokens for t in set(doc))
    common = [t for t, c in df.items() if c > n / 2]
    assert common, "fixture must contain a term in more than half the chunks"
    idf = index.idf_map()
    for t in common:
        assert idf[t] == oracle.idf[t] == 0.25 * oracle.average_idf > 0
    assert index.scores(common).any()


# --- against rank_bm25 ----------------------------------------------------------

@pytest.mark.parametrize("query", QUERIES)
def test_scores_equal_rank_bm25(index, oracle, query):
    q = tokenize(query)
    ours, theirs = index.scores(q), oracle.get_scores(q)
    assert np.allclose(ours, theirs)
    # the weights reproduce rank_bm25's float operations, so they are exact
    assert np.array_equal(ours, theirs)


def test_idf_and_lengths_equal_rank_bm25(index, oracle):
    assert index.idf_map() == oracle.idf
    assert index.avgdl == oracle.avgdl
    assert index.average_idf == oracle.average_idf
    assert index.doc_len.tolist() == oracle.doc_len


def _synthetic(seed, n_docs, vocab_size=300, min_len=0):
    rng = random.Random(seed)
    vocab = [f"词{i}" for i in range(vocab_size)]
    # skewed draws so some terms are in most documents (negative idf)
    docs = [
        [vocab[int(rng.paretovariate(1.2)) % vocab_size] for _ in range(rng.randint(min_len, 40))]
        for _ in range(n_docs)
    ]
    queries = [
        [rng.choice(vocab + ["未登录"]) for _ in range(rng.randint(1, 6))] + [vocab[0]] * rng.randint(0, 1)
        for _ in range(50)
    ]
    return docs, queries


def test_fast_path_matches_rank_bm25_on_random_docs():
    docs, queries = _synthetic(seed=1, n_docs=500)
    idx, oracle = BM25Index(docs), BM25Okapi(docs)
    for q in queries:
        assert np.allclose(idx.scores(q), oracle.get_scores(q))
        assert np.array_equal(idx.scores(q), oracle.get_scores(q))


def test_fast_path_matches_rank_bm25_rs():
    rs = pytest.importorskip("rank_bm25_rs")
    docs, queries = _synthetic(seed=2, n_docs=500)
    idx, other = BM25Index(docs), rs.BM25Okapi(docs)
    for q in queries:
        assert np.array_equal(idx.scores(q), other.get_scores(q))


@pytest.mark.parametrize("k1, b, epsilon", [(1.2, 0.75, 0.25), (2.0, 0.0, 0.5), (0.9, 1.0, 0.0)])
def test_other_parameters_match_rank_bm25(k1, b, epsilon):
    docs, queries = _synthetic(seed=3, n_docs=120, min_len=1)  # empty chunks: see below
    idx, oracle = BM25Index(docs, k1=k1, b=b, epsilon=epsilon), BM25Okapi(docs, k1=k1, b=b, epsilon=epsilon)
    for q in queries[:10]:
        assert np.allclose(idx.scores(q), oracle.get_scores(q))


def test_empty_chunk_with_b_1_scores_zero_not_nan():
    # rank_bm25 computes 0 * 2.5 / (0 + k1 * (1 - 1 + 1 * 0 / avgdl)) = 0/0 = nan
    # for every empty chunk when b = 1; we only visit chunks containing a term.
    docs = [["a", "b"], [], ["b"], ["c"]] * 2
    s = BM25Index(docs, b=1.0).scores(["a"])
    assert not np.isnan(s).any() and s[1] == 0.0


# --- top_k ------------------------------------------------------------------------

def _top_k_oracle(scores, k, allowed=None):
    idx = [i for i in range(len(scores)) if scores[i] > 0 and (allowed is None or allowed[i])]
    idx.sort(key=lambda i: (-scores[i], i))
    return [(i, float(scores[i])) for i in idx[:k]]


TIE_DOCS = [["a"], ["b", "c"], ["d"], ["b", "c"], ["b", "c"], ["c", "x"], ["e"], ["f"], ["g"], ["h"]]


def test_top_k_orders_by_score_then_index():
    # chunks 1, 3 and 4 are identical: equal scores, so index order decides
    # (10 chunks: with 8, "c" in 4 of them would have idf exactly 0)
    docs = TIE_DOCS
    idx = BM25Index(docs)
    got = idx.top_k(["b", "c"], 10)
    assert [i for i, _ in got] == [1, 3, 4, 5]
    assert got[0][1] == got[1][1] == got[2][1] > got[3][1] > 0
    assert idx.top_k(["b", "c"], 2) == got[:2]  # the cut falls inside a tie


def test_top_k_allowed_mask():
    idx = BM25Index(TIE_DOCS)
    allowed = np.array([True, False, True, False, True, True, True, True, True, True])
    assert [i for i, _ in idx.top_k(["b", "c"], 10, allowed=allowed)] == [4, 5]
    assert idx.top_k(["b", "c"], 10, allowed=np.zeros(10, dtype=bool)) == []


@pytest.mark.parametrize("bad", [np.ones(7, dtype=bool), np.ones(8, dtype=int), [1, 0, 1, 0, 1, 0, 1, 0]])
def test_top_k_rejects_a_bad_mask(bad):
    idx = BM25Index([["a"]] * 8)
    with pytest.raises(ValueError, match="boolean mask"):
        idx.top_k(["a"], 3, allowed=bad)


@pytest.mark.parametrize("k", [0, -1])
def test_top_k_non_positive_k(index, k):
    assert index.top_k(tokenize("发热门诊"), k) == []


@pytest.mark.parametrize("k", [1, 2, 7, 10, 49, 50, 51, 1000])
def test_top_k_matches_brute_force(k):
    # a tiny vocabulary makes many exact ties
    docs, queries = _synthetic(seed=4, n_docs=300, vocab_size=12)
    idx = BM25Index(docs)
    rng = np.random.default_rng(k)
    for q in queries[:20]:
        s = idx.scores(q)
        allowed = rng.random(len(docs)) < 0.6
        assert idx.top_k(q, k) == _top_k_oracle(s, k)
        assert idx.top_k(q, k, allowed=allowed) == _top_k_oracle(s, k, allowed)


# --- persistence ---------------------------------------------------------------------

def test_save_load_gives_identical_scores(tmp_path, index):
    params = index.save(tmp_path)
    assert json.loads(json.dumps(params)) == params  # goes into a JSON manifest as is
    assert {"k1", "b", "epsilon", "n_docs", "format_version", "tokens_sha256"} <= params.keys()
    loaded = BM25Index.load(tmp_path, params)
    for query in QUERIES:
        q = tokenize(query)
        assert np.array_equal(loaded.scores(q), index.scores(q))
    lines = (tmp_path / TOKENS_FILE).read_text(encoding="utf-8").splitlines()
    assert len(lines) == len(CHUNKS) and "严重精神障碍" in lines[0]  # readable UTF-8, not \u escapes


def test_load_keeps_parameters(tmp_path):
    idx = BM25Index([["a", "b"], ["b"], ["c"]] * 3, k1=1.2, b=0.5, epsilon=0.1)
    loaded = BM25Index.load(tmp_path, idx.save(tmp_path))
    assert (loaded.k1, loaded.b, loaded.epsilon) == (1.2, 0.5, 0.1)
    assert np.array_equal(loaded.scores(["a", "b"]), idx.scores(["a", "b"]))


def test_edited_tokens_file_is_detected(tmp_path, index):
    params = index.save(tmp_path)
    path = tmp_path / TOKENS_FILE
    path.write_text(path.read_text(encoding="utf-8").replace("发热", "发烧"), encoding="utf-8")
    with pytest.raises(BM25IndexError, match="rebuild"):
        BM25Index.load(tmp_path, params)


def test_chunk_count_mismatch_is_detected(tmp_path, index):
    params = index.save(tmp_path) | {"n_docs": len(CHUNKS) + 1, "tokens_sha256": None}
    with pytest.raises(BM25IndexError, match="rebuild"):
        BM25Index.load(tmp_path, params)


def test_unknown_format_is_detected(tmp_path, index):
    params = index.save(tmp_path) | {"format_version": 99}
    with pytest.raises(BM25IndexError, match="rebuild"):
        BM25Index.load(tmp_path, params)


def test_malformed_tokens_row_is_detected(tmp_path):
    (tmp_path / TOKENS_FILE).write_text('["a"]\n{"not": "a list"}\n', encoding="utf-8")
    with pytest.raises(BM25IndexError, match=":2"):
        BM25Index.read_tokens(tmp_path)


def test_write_read_tokens_round_trip(tmp_path):
    rows = [["严重精神障碍", "4.5%", "〔2021〕20号"], [], ["weidong", "😀?"]]
    assert BM25Index.write_tokens(tmp_path, rows) == [TOKENS_FILE]
    assert BM25Index.read_tokens(tmp_path) == rows


# --- concurrency --------------------------------------------------------------------

def test_concurrent_scores_are_consistent():
    docs, queries = _synthetic(seed=5, n_docs=2000)
    idx = BM25Index(docs)
    expected = [idx.scores(q) for q in queries]
    errors = []

    def work(offset):
        for j in range(len(queries)):
            i = (j + offset) % len(queries)
            if not np.array_equal(idx.scores(queries[i]), expected[i]):
                errors.append(i)

    threads = [threading.Thread(target=work, args=(t * 7,)) for t in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []


def test_index_arrays_are_read_only(index):
    with pytest.raises(ValueError):
        index.idf[0] = 1.0
    out = index.scores(tokenize("发热门诊"))
    out[:] = 0  # the caller's copy is theirs to change
    assert index.scores(tokenize("发热门诊")).any()


def test_row_terms_and_dropped_token_lists(tmp_path):
    from qa.indexing.bm25 import BM25Index, StoredTokens

    docs = [["a", "b", "a"], ["c"], ["b", "c", "d", "d"], ["a"], ["e", "a", "e"]]
    kept, lean = BM25Index(docs), BM25Index([list(d) for d in docs], keep_tokens=False)
    for i, d in enumerate(docs):
        assert kept.row_terms(i) == lean.row_terms(i) == frozenset(d)
    for q in (["a"], ["b", "d", "d"], ["zz", "e"]):
        assert (kept.scores(q) == lean.scores(q)).all()
    assert len(lean) == 5 and lean.params() == kept.params()
    with pytest.raises(ValueError, match="keep_tokens"):
        lean.tokens
    BM25Index.write_tokens(tmp_path, docs)
    stored = StoredTokens(tmp_path, len(docs))
    assert len(stored) == 5 and stored._rows is None  # nothing read yet
    assert list(stored) == docs and stored[2] == ["b", "c", "d", "d"]
    with pytest.raises(ValueError, match="rows"):
        StoredTokens(tmp_path, 6)[0]


def test_loaded_index_holds_no_token_lists(tmp_path):
    from pathlib import Path

    from qa.indexing import index_store
    from qa.indexing.bm25 import StoredTokens
    from qa.embed.encoder import FakeEncoder
    from qa.search.retriever import DEFAULT_PARAMS

    corpus = Path(__file__).resolve().parent.parent / "corpus"
    built = index_store.build(tmp_path, corpus, FakeEncoder(), dict(DEFAULT_PARAMS))
    loaded = index_store.load(tmp_path)
    assert loaded.bm25._tokens is None and isinstance(loaded.tokens, StoredTokens)
    assert [loaded.bm25.row_terms(i) for i in range(len(built.tokens))] == [frozenset(t) for t in built.tokens]
    assert list(loaded.tokens) == built.tokens


def test_from_token_file_equals_the_lists_path(tmp_path):
    from qa.indexing.bm25 import BM25Index

    rng = random.Random(5)
    words = ["卫生", "健康", "a", "b", "疫苗", "2021", "x y"]
    docs = [[rng.choice(words) for _ in range(rng.randint(0, 12))] for _ in range(60)] + [["a"]]
    BM25Index.write_tokens(tmp_path, docs)
    a, b = BM25Index(docs, k1=1.2, b=0.7, epsilon=0.3), BM25Index.from_token_file(tmp_path, k1=1.2, b=0.7, epsilon=0.3)
    for name in ("_indptr", "_indices", "_data", "idf", "doc_len", "_doc_terms", "_doc_indptr"):
        assert np.array_equal(getattr(a, name), getattr(b, name)), name
    assert a.vocab == b.vocab and list(a.vocab) == list(b.vocab) and a.avgdl == b.avgdl and b._tokens is None
    for q in (["a"], ["疫苗", "2021", "2021"], ["none"]):
        assert np.array_equal(a.scores(q), b.scores(q))
    (tmp_path / TOKENS_FILE).write_text('["a"]\n{"x": 1}\n', encoding="utf-8")
    with pytest.raises(BM25IndexError, match=":2 "):
        BM25Index.from_token_file(tmp_path)
