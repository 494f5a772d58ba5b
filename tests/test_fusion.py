"""Fusion functions against hand-computed numbers."""
import math

import pytest

from qa.search import fusion


def test_rank_breaks_ties_on_id():
    assert fusion.rank({"b": 1.0, "a": 1.0, "c": 2.0}) == [("c", 2.0), ("a", 1.0), ("b", 1.0)]


def test_rrf_hand_computed():
    # a: 1/(60+1) + 1/(60+2) = 0.016393 + 0.016129 = 0.032522
    # b: 1/(60+2) + 1/(60+1) = same as a
    # c: 1/(60+3) = 0.015873 (only in the first list)
    out = fusion.rrf([["a", "b", "c"], ["b", "a"]])
    assert out["a"] == pytest.approx(1 / 61 + 1 / 62)
    assert out["b"] == pytest.approx(out["a"])
    assert out["c"] == pytest.approx(1 / 63)
    assert [d for d, _ in fusion.rank(out)] == ["a", "b", "c"]


def test_rrf_weights():
    # a: 2/(1+1) + 0 = 1.0 ; b: 0 + 1/(1+1) = 0.5
    out = fusion.rrf([["a"], ["b"]], k=1, weights=[2.0, 1.0])
    assert out == {"a": 1.0, "b": 0.5}


def test_z_normalize_hand_computed():
    # mean 2, std 2: (6-2)/2 = 2, (2-2)/2 = 0, (0-2)/2 = -1
    assert fusion.z_normalize({"a": 6.0, "b": 2.0, "c": 0.0}, mean=2.0, std=2.0) == {"a": 2.0, "b": 0.0, "c": -1.0}


def test_z_normalize_flat_distribution_gives_zeros():
    assert fusion.z_normalize({"a": 0.8, "b": 0.8}, mean=0.8, std=0.0) == {"a": 0.0, "b": 0.0}


def test_max_normalize():
    assert fusion.max_normalize({"a": 4.0, "b": 1.0, "c": 0.0}) == {"a": 1.0, "b": 0.25, "c": 0.0}
    assert fusion.max_normalize({"a": 0.0}) == {"a": 0.0}


def test_combine_weighted_sum_over_union():
    # a: 0.5*2 + 1*1 = 2.0 ; b: 0.5*1 = 0.5 ; c: 1*(-1) = -1
    out = fusion.combine([(0.5, {"a": 2.0, "b": 1.0}), (1.0, {"a": 1.0, "c": -1.0})])
    assert out == {"a": 2.0, "b": 0.5, "c": -1.0}


@pytest.mark.parametrize(
    "sig, expected",
    [
        # zh: 0.3 + 1.0 = 1.3
        (fusion.QuerySignals("zh", bm25_coverage=1.0), (1.3, 1.0)),
        # zh, nothing covered: 0.3
        (fusion.QuerySignals("zh", bm25_coverage=0.0), (0.3, 1.0)),
        # zh, half covered, verbatim number: 0.3 + 0.5 + 0.5 = 1.3
        (fusion.QuerySignals("zh", bm25_coverage=0.5, exact_match=True), (1.3, 1.0)),
        # en, glossary covered nothing: BM25 gets nothing
        (fusion.QuerySignals("en", en_coverage=0.0, bm25_coverage=1.0), (0.0, 1.0)),
        # en: 2.0 * 0.5 * 0.8 = 0.8
        (fusion.QuerySignals("en", en_coverage=0.5, bm25_coverage=0.8), (0.8, 1.0)),
        # en with a verbatim number: 2.0 * 0.25 * 1.0 + 0.5 = 1.0
        (fusion.QuerySignals("en", en_coverage=0.25, bm25_coverage=1.0, exact_match=True), (1.0, 1.0)),
    ],
)
def test_adaptive_weights(sig, expected):
    w = fusion.adaptive_weights(sig)
    assert w == pytest.approx(expected)


def test_english_question_cannot_be_buried_by_bm25_noise():
    # An English question whose words the glossary did not cover: BM25's
    # z-scores (here a stray chunk "x" at +5 sigma) get weight 0, so the dense
    # favourite stays first — the failure of naive RRF this design avoids.
    w_b, w_d = fusion.adaptive_weights(fusion.QuerySignals("en", en_coverage=0.0, bm25_coverage=0.9))
    bm25 = {"x": 5.0, "y": 0.0}
    dense = {"x": 0.0, "y": 3.0}
    ranked = fusion.rank(fusion.combine([(w_b, bm25), (w_d, dense)]))
    assert ranked[0][0] == "y"
    assert not math.isnan(ranked[0][1])


def test_steer_puts_the_steered_chunks_first_and_keeps_scores_descending():
    ranked = [("a", 3.0), ("b", 2.0), ("c", 1.0)]
    out = fusion.steer(ranked, lambda c: c == "c")
    # the others shift down by 3.0 - 1.0 + 0.01 = 2.01, keeping their own order
    assert [c for c, _ in out] == ["c", "a", "b"]
    assert [round(s, 6) for _, s in out] == [1.0, 0.99, -0.01]


def test_steer_leaves_a_list_already_in_place_alone():
    ranked = [("a", 3.0), ("b", 2.0)]
    assert fusion.steer(ranked, lambda c: c == "a") == ranked
    assert fusion.steer(ranked, lambda c: False) == ranked
