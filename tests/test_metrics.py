"""eval.metrics against numbers worked out by hand (arithmetic in the comments)."""
import math
import random

import numpy as np
import pytest

from eval.metrics import (
    dcg_at_k,
    first_relevant_rank,
    flags_from_ids,
    hit_at_k,
    mean,
    mean_by_group,
    ndcg_at_k,
    percentile,
    recall_at_k,
    reciprocal_rank_at_k,
)

F, T = False, True
# Relevant at ranks 2 and 4 of 10.
RANKS_2_4 = [F, T, F, T, F, F, F, F, F, F]


# --- edge cases first ---------------------------------------------------------

@pytest.mark.parametrize("fn", [hit_at_k, reciprocal_rank_at_k, dcg_at_k])
def test_empty_ranking_scores_zero(fn):
    assert fn([], 10) == 0.0


def test_empty_ranking_ndcg_and_recall():
    assert ndcg_at_k([], 10, n_relevant=1) == 0.0
    assert recall_at_k([], {"a"}, 10) == 0.0


def test_no_relevant_items_scores_zero_not_nan():
    assert ndcg_at_k([F, F], 10, n_relevant=0) == 0.0
    assert recall_at_k(["a", "b"], set(), 10) == 0.0


@pytest.mark.parametrize("k", [0, -1, 2.5, True])
def test_bad_k_is_rejected(k):
    with pytest.raises(ValueError, match="k must be a positive integer"):
        hit_at_k([T], k)


def test_one_result():
    assert hit_at_k([T], 1) == 1.0
    assert reciprocal_rank_at_k([T], 1) == 1.0
    assert ndcg_at_k([T], 1, n_relevant=1) == 1.0
    assert first_relevant_rank([T]) == 1
    assert first_relevant_rank([F]) is None


def test_list_shorter_than_k_is_padded_with_non_relevant():
    # [F, T] at k=10 is the same as [F, T, F, …, F].
    assert reciprocal_rank_at_k([F, T], 10) == reciprocal_rank_at_k([F, T] + [F] * 8, 10) == 0.5


def test_relevant_just_past_k_does_not_count():
    flags = [F] * 10 + [T]  # first relevant at rank 11
    assert first_relevant_rank(flags) == 11
    assert hit_at_k(flags, 10) == 0.0
    assert reciprocal_rank_at_k(flags, 10) == 0.0
    assert ndcg_at_k(flags, 10, n_relevant=1) == 0.0
    assert hit_at_k(flags, 11) == 1.0


# --- hand-computed values -------------------------------------------------------

def test_hit_at_k_ranks_2_and_4():
    # hit@1: rank 1 is not relevant -> 0; hit@3: rank 2 is -> 1.
    assert hit_at_k(RANKS_2_4, 1) == 0.0
    assert hit_at_k(RANKS_2_4, 3) == 1.0
    assert hit_at_k(RANKS_2_4, 10) == 1.0


def test_reciprocal_rank_ranks_2_and_4():
    # First relevant at rank 2 -> 1/2; at k=1 nothing relevant -> 0.
    assert reciprocal_rank_at_k(RANKS_2_4, 10) == 0.5
    assert reciprocal_rank_at_k(RANKS_2_4, 1) == 0.0


def test_ndcg_ranks_2_and_4_of_10():
    # DCG  = 1/log2(3) + 1/log2(5) = 0.6309298 + 0.4306766 = 1.0616063
    # IDCG = 1/log2(2) + 1/log2(3) = 1 + 0.6309298         = 1.6309298  (2 relevant)
    # nDCG = 1.0616063 / 1.6309298                          = 0.6509209
    assert dcg_at_k(RANKS_2_4, 10) == pytest.approx(1.0616063, abs=1e-7)
    assert ndcg_at_k(RANKS_2_4, 10, n_relevant=2) == pytest.approx(0.6509209, abs=1e-7)


def test_ndcg_ideal_uses_all_relevant_items_not_just_retrieved():
    # One of 2 relevant items retrieved, at rank 3:
    # DCG = 1/log2(4) = 0.5; IDCG = 1 + 1/log2(3) = 1.6309298; nDCG = 0.5/1.6309298 = 0.3065736
    assert ndcg_at_k([F, F, T], 10, n_relevant=2) == pytest.approx(0.3065736, abs=1e-7)
    # With only one relevant item: IDCG = 1, nDCG = 0.5
    assert ndcg_at_k([F, F, T], 10, n_relevant=1) == 0.5


def test_ndcg_ideal_is_capped_at_k():
    # 5 relevant items, k=3, top 3 all relevant: IDCG uses min(5, 3) = 3 items -> nDCG = 1.
    assert ndcg_at_k([T, T, T], 3, n_relevant=5) == pytest.approx(1.0)


def test_ndcg_rejects_more_flags_than_relevant_items():
    with pytest.raises(ValueError, match="n_relevant"):
        ndcg_at_k([T, T], 10, n_relevant=1)


def test_recall_counts_distinct_relevant_ids():
    ranked = ["a", "x", "b", "y"]
    relevant = {"a", "b", "c"}
    # top 2: {a} of 3 -> 1/3; top 3: {a, b} of 3 -> 2/3; the denominator stays 3, not min(3, k).
    assert recall_at_k(ranked, relevant, 2) == pytest.approx(1 / 3)
    assert recall_at_k(ranked, relevant, 3) == pytest.approx(2 / 3)
    assert recall_at_k(ranked, relevant, 1) == pytest.approx(1 / 3)
    # None marks "no relevant id here" (how the harness passes non-matching hits).
    assert recall_at_k([None, "a", None, "a"], {"a", "b"}, 10) == 0.5


def test_duplicates_count_once_and_keep_their_slot():
    # "a" at ranks 1 and 2: only rank 1 is relevant; "b" stays at rank 3.
    assert flags_from_ids(["a", "a", "b"], {"a", "b"}) == [T, F, T]
    # so nDCG cannot exceed 1: DCG = 1 + 1/log2(4) = 1.5; IDCG = 1 + 1/log2(3); 1.5/1.6309298 = 0.9197208
    assert ndcg_at_k(flags_from_ids(["a", "a", "b"], {"a", "b"}), 10, n_relevant=2) == pytest.approx(
        0.9197208, abs=1e-7
    )


def test_flags_from_ids_mixed_scripts():
    assert flags_from_ids(["鼓楼#1", "gulou#1", "鼓楼#2"], {"鼓楼#2"}) == [F, F, T]


# --- aggregators ----------------------------------------------------------------

def test_mean_and_empty_mean():
    assert mean([1.0, 0.0, 0.5]) == 0.5
    assert mean([]) is None


def test_mean_by_group():
    scores = {"q1": 1.0, "q2": 0.0, "q3": 0.5}  # qid => score
    groups = {"q1": "lexical", "q2": "lexical", "q3": "multi"}  # qid => type
    # lexical: (1 + 0)/2 = 0.5; multi: 0.5/1 = 0.5
    assert mean_by_group(scores, groups) == {"lexical": 0.5, "multi": 0.5}
    with pytest.raises(KeyError):
        mean_by_group({"q9": 1.0}, groups)


def test_percentile_by_hand():
    values = [40.0, 10.0, 30.0, 20.0]
    # sorted 10 20 30 40; p50: position 3*0.50 = 1.5  -> 20 + 0.5*(30-20)  = 25
    #                     p95: position 3*0.95 = 2.85 -> 30 + 0.85*(40-30) = 38.5
    assert percentile(values, 50) == pytest.approx(25.0)
    assert percentile(values, 95) == pytest.approx(38.5)
    assert percentile([7.0], 95) == 7.0
    assert percentile([], 50) is None
    with pytest.raises(ValueError):
        percentile(values, 101)


@pytest.mark.parametrize("n", [1, 2, 3, 7, 100, 101])
def test_percentile_matches_numpy(n):
    rng = random.Random(n)
    values = [rng.uniform(0, 500) for _ in range(n)]
    for p in (0, 5, 50, 95, 100):
        assert math.isclose(percentile(values, p), float(np.percentile(values, p)))
