"""`Retriever.search` from a thread pool gives what it gives single-threaded — with the real model.

tests/test_retriever.py::test_thread_safe does this with the fake encoder; the real E5 encoder
has a lock around a torch module that runs its own intra-op threads, so it is checked here too.
"""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from qa import Retriever

QUERIES = ["哪个区要求严重精神障碍患者报告患病率不低于4.5%？", "Which district targets a 4.5% reported prevalence?",
           "鼓楼区基本公共卫生服务补助标准是多少？", "哪些区提到了家庭医生签约服务？", "What does Zhoucun plan for family doctors?",
           "安宁疗护", "疫苗接种", "周卫健字〔2021〕20号", "12.8万名65岁以上老年人", "<script>alert(1)</script>",
           "'; DROP TABLE chunks; --", "ＡＢＣ　卫生健康", "杭州市西湖区的疫苗接种率是多少？", "x" * 5000]


@pytest.mark.model
def test_real_model_thread_pool_matches_single_threaded(real_retriever):
    expected = {(q, m): real_retriever.search(q, k=5, mode=m) for q in QUERIES for m in Retriever.MODES}
    abstain = {q: real_retriever.should_abstain(q, expected[q, "hybrid"]) for q in QUERIES}
    # a second retriever over the same index: its query-vector cache is empty, so every thread
    # really encodes (through the shared encoder and its lock) instead of reading the cache
    fresh = Retriever.load()
    assert fresh.encoder is real_retriever.encoder
    jobs = list(expected) * 2

    def run(job):
        q, m = job
        hits = fresh.search(q, k=5, mode=m)
        return job, hits, fresh.should_abstain(q, hits) if m == "hybrid" else None

    with ThreadPoolExecutor(max_workers=8) as pool:
        got = list(pool.map(run, jobs))
    assert len(got) == len(jobs)
    for (q, m), hits, abst in got:
        want = expected[q, m]
        assert [h.chunk_id for h in hits] == [h.chunk_id for h in want], (q, m)
        # ONNX Runtime's int8 kernels may sum in another order when sessions run side by side:
        # fused scores then differ in the 5th significant digit (measured 5e-5 relative), never the ranking
        np.testing.assert_allclose([h.score for h in hits], [h.score for h in want], rtol=2e-4, atol=1e-4)
        if abst is not None:
            assert abst == abstain[q], q
