"""eval.metrics against ranx on a synthetic run (the independent oracle).

ranx names and definitions (ranx 0.3.21, ranx/metrics/*.py):
- ``hit_rate@k``: per query 1.0 if any relevant doc in the top k, else 0.0 (trec_eval's
  ``success``); its mean is our hit@k.
- ``hits@k``: per query the *number* of relevant docs in the top k, not a rate.
- ``mrr@k``: 1/rank of the first relevant doc within the top k (the docstring says k is
  ignored, but the code cuts at k; `test_mrr_at_10_ignores_rank_11` pins that down).
- ``ndcg@k``: Järvelin gains rel/log2(rank+1), ideal from the qrels cut at k; with binary
  judgements equal to ``ndcg_burges@k`` and to ours.
- ``recall@k``: relevant retrieved in the top k / all relevant (denominator not capped at k).
- A run cannot hold a doc twice (it is a dict), and ranx orders a run by score, so the
  synthetic scores here are distinct.
"""
import random

import numpy as np
import pytest

from eval.metrics import flags_from_ids, hit_at_k, ndcg_at_k, recall_at_k, reciprocal_rank_at_k

ranx = pytest.importorskip("ranx")
# numba's uint64 -> int64 notice inside ranx; harmless for these sizes.
pytestmark = pytest.mark.filterwarnings("ignore:unsafe cast:Warning")

N_QUERIES = 40
POOL = [f"d{i:02d}" for i in range(40)]


def synthetic(seed: int = 1234):
    """qrels (qid => {doc: 1}) and run (qid => {doc: score}) with a few pinned edge cases."""
    rng = random.Random(seed)
    qrels, run = {}, {}
    for n in range(N_QUERIES):
        qid = f"q{n:02d}"
        depth = rng.choice([3, 8, 10, 15])  # some runs shorter than k, some longer
        docs = rng.sample(POOL, depth)
        scores = sorted(rng.sample(range(1, 10_000), depth), reverse=True)  # distinct
        run[qid] = {d: s / 100 for d, s in zip(docs, scores)}
        relevant = set(rng.sample(POOL, rng.randint(1, 6)))
        # bias towards retrieved docs so hits are common
        relevant |= {d for d in docs[: rng.randint(0, 4)] if rng.random() < 0.5}
        qrels[qid] = {d: 1 for d in relevant}
    # Pinned: q00's only retrieved relevant doc is at rank 11 of 15; q01 retrieves none.
    docs = rng.sample(POOL, 15)
    run["q00"] = {d: 100.0 - i for i, d in enumerate(docs)}
    qrels["q00"] = {docs[10]: 1, "zz-never-retrieved": 1}
    qrels["q01"] = {"zz-never-retrieved": 1}
    return qrels, run


def ours(qrels, run, k_hit=5, k=10):
    """qid => our metric values, computed from ranked ids + relevant ids."""
    out = {}
    for qid, scored in run.items():
        ranked = sorted(scored, key=lambda d: (-scored[d], d))
        relevant = set(qrels[qid])
        flags = flags_from_ids(ranked, relevant)
        out[qid] = {
            f"hit_rate@{k_hit}": hit_at_k(flags, k_hit),
            f"mrr@{k}": reciprocal_rank_at_k(flags, k),
            f"ndcg@{k}": ndcg_at_k(flags, k, n_relevant=len(relevant)),
            f"recall@{k}": recall_at_k(ranked, relevant, k),
            f"hits@{k_hit}": float(sum(flags[:k_hit])),
        }
    return out


METRICS = ["hit_rate@5", "mrr@10", "ndcg@10", "recall@10", "hits@5"]


@pytest.fixture(scope="module")
def evaluated():
    qrels, run = synthetic()
    ranx_run = ranx.Run(run)
    means = ranx.evaluate(ranx.Qrels(qrels), ranx_run, METRICS)
    return qrels, run, ranx_run, means


def test_synthetic_run_is_not_degenerate(evaluated):
    qrels, run, _, means = evaluated
    assert len(run) >= 20
    assert 0.2 < means["hit_rate@5"] < 0.95  # both hits and misses
    assert any(len(docs) < 10 for docs in run.values())


@pytest.mark.parametrize("metric", METRICS)
def test_mean_matches_ranx(evaluated, metric):
    qrels, run, _, means = evaluated
    mine = ours(qrels, run)
    assert np.isclose(np.mean([mine[q][metric] for q in run]), means[metric])


@pytest.mark.parametrize("metric", METRICS)
def test_per_query_matches_ranx(evaluated, metric):
    qrels, run, ranx_run, _ = evaluated
    mine = ours(qrels, run)
    for qid in run:
        assert np.isclose(mine[qid][metric], ranx_run.scores[metric][qid]), (qid, metric)


def test_mrr_at_10_ignores_rank_11(evaluated):
    qrels, run, ranx_run, _ = evaluated
    assert ranx_run.scores["mrr@10"]["q00"] == 0.0
    assert ours(qrels, run)["q00"]["mrr@10"] == 0.0


def test_hits_is_a_count_not_a_rate(evaluated):
    # ranx "hits@5" counts relevant docs in the top 5; our hit@5 is ranx "hit_rate@5".
    qrels, run, ranx_run, _ = evaluated
    counts = ranx_run.scores["hits@5"]
    assert max(counts.values()) > 1
    for qid in run:
        assert ranx_run.scores["hit_rate@5"][qid] == float(counts[qid] > 0)
