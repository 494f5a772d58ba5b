"""The answer-support model: its arithmetic, its file, and how it is fitted (hand-computed cases)."""
import json
import math

import pytest

from eval.fit_support import choose_threshold, fit_logistic
from qa.answering import support
from qa.answering.support import FEATURES, Model, Support, from_dict, sigmoid


def _support(**kw) -> Support:
    base = dict.fromkeys(FEATURES, 0.0)
    base.update(kw)
    return Support(**base)


def test_sigmoid_is_symmetric_and_does_not_overflow():
    assert sigmoid(0.0) == 0.5
    assert sigmoid(2.0) == pytest.approx(1 / (1 + math.exp(-2)))
    assert sigmoid(-2.0) == pytest.approx(1 - sigmoid(2.0))
    assert sigmoid(-1000.0) == 0.0 and sigmoid(1000.0) == 1.0


def test_probability_standardises_each_feature_before_weighting():
    n = len(FEATURES)
    coef = [0.0] * n
    coef[FEATURES.index("sent_lex")] = 2.0
    mean = [0.0] * n
    mean[FEATURES.index("sent_lex")] = 0.5
    scale = [1.0] * n
    scale[FEATURES.index("sent_lex")] = 0.25
    m = Model(tuple(mean), tuple(scale), tuple(coef), intercept=-1.0, threshold=0.3)
    # t = -1 + 2 × (0.75 − 0.5) / 0.25 = 1
    assert m.probability(_support(sent_lex=0.75)) == pytest.approx(sigmoid(1.0))
    # t = -1 + 2 × (0.5 − 0.5) / 0.25 = -1
    assert m.probability(_support(sent_lex=0.5)) == pytest.approx(sigmoid(-1.0))


def test_a_model_file_for_other_features_is_refused_with_a_clear_error():
    with pytest.raises(ValueError, match="support model"):
        from_dict({"format": support.FORMAT, "features": ["sent_lex"], "mean": [0], "scale": [1], "coef": [1],
                   "intercept": 0, "threshold": 0.5})


def test_the_shipped_model_file_loads_and_matches_the_features():
    m = support.model()
    assert m is not None, "qa/answering/support_model.json is missing: run python -m eval.fit_support"
    assert len(m.coef) == len(FEATURES)
    assert 0.0 < m.threshold < 1.0
    fitted = json.loads(support.MODEL_FILE.read_text(encoding="utf-8"))["fitted"]
    # fitted on development sets only: the held-out files are never read by the fitter
    assert all("heldout" not in s for s in fitted["sets"])
    # a sentence holding the question's words, close in meaning, in both retrievers' top 3 is supported
    strong = _support(sent_lex=0.9, sent_z=5.0, passage_cov=0.9, passage_z=4.0, agree=1.0)
    weak = _support(sent_lex=0.0, sent_z=0.5, passage_cov=0.1, passage_z=0.5, absent_share=0.5)
    assert m.probability(strong) > m.threshold > m.probability(weak)


def test_an_unset_model_path_means_no_model(monkeypatch, tmp_path):
    monkeypatch.setenv("QA_SUPPORT_MODEL", str(tmp_path / "absent.json"))
    assert support.model() is None


def test_choose_threshold_allows_exactly_the_budgeted_answerable_questions_below_it():
    probs = [0.9, 0.1, 0.5, 0.3, 0.7, 0.2, 0.8, 0.6, 0.4, 0.95]  # sorted: .1 .2 .3 .4 .5 …
    assert choose_threshold(probs, 0.0) == 0.1  # nothing below 0.1
    assert choose_threshold(probs, 0.2) == 0.3  # 2 of 10 (0.1, 0.2) fall below 0.3
    assert choose_threshold(probs, 0.25) == 0.3  # int(2.5) = 2
    assert choose_threshold([], 0.1) == 0.0


def test_fit_logistic_separates_a_separable_set_and_standardises():
    xs = [(0.0, 1.0), (0.1, 1.0), (0.2, 1.0), (0.8, 1.0), (0.9, 1.0), (1.0, 1.0)]
    ys = [0, 0, 0, 1, 1, 1]
    mean, scale, coef, intercept = fit_logistic(xs, ys, l2=0.1)
    assert mean == pytest.approx([0.5, 1.0])
    assert scale[1] == 1.0  # a constant column is not divided by 0
    assert coef[0] > 0 and coef[1] == pytest.approx(0.0)
    assert abs(intercept) < 1e-6  # balanced and symmetric about the mean

    def p(x):
        return sigmoid(intercept + coef[0] * (x - mean[0]) / scale[0])

    assert p(0.0) < 0.2 and p(1.0) > 0.8
