"""How well do the documents support the chosen answer? A fitted probability.

The hand rules in `qa.answering.abstain` and `qa.answering.grounding` catch the
clear cases (a place nothing covers, a header field a header lacks, a thing no
passage names). The rest — "鼓楼区对狂犬病暴露处置门诊有什么要求？" answered with a
sentence about a dental clinic — are told apart only by how strongly the
retrieval signals agree, so the decision is a logistic model over those
signals, fitted on the development question sets (`python -m eval.fit_support`,
which writes `support_model.json` beside this module) and judged on held-out
ones. Pure Python: a dot product and a sigmoid.

Features (`Support`), each a property of any question and passage, never of a
particular document:

- sent_lex / passage_cov: the weighted share of the question's terms in the
  answer sentence / the IDF share in its passage;
- sent_z / passage_z: the cosine of the sentence / passage with the question,
  in standard deviations above the question's mean over all sentences /
  passages;
- agree: both retrievers rank the passage in their top 3;
- asked_missing: the question asks for a figure or date the sentence lacks;
- absent_share: the weight share of the question's topical words that no
  passage of the corpus contains;
- english, en_coverage: an English question, and the share of its content
  words the lexicon translates.
"""
from __future__ import annotations

import functools
import json
import math
import os
from dataclasses import asdict, dataclass, fields
from pathlib import Path

MODEL_FILE = Path(__file__).with_name("support_model.json")
FORMAT = 1


@dataclass(frozen=True, slots=True)
class Support:
    sent_lex: float
    sent_z: float
    passage_cov: float
    passage_z: float
    agree: float
    asked_missing: float
    absent_share: float
    english: float
    en_coverage: float

    def as_dict(self) -> dict[str, float]:
        return {k: round(v, 4) for k, v in asdict(self).items()}


FEATURES = tuple(f.name for f in fields(Support))


@dataclass(frozen=True, slots=True)
class Model:
    """p(answerable) = sigmoid(intercept + Σ coef·(x − mean)/scale); abstain below `threshold`."""

    mean: tuple[float, ...]
    scale: tuple[float, ...]
    coef: tuple[float, ...]
    intercept: float
    threshold: float

    def probability(self, s: Support) -> float:
        x = [getattr(s, n) for n in FEATURES]
        t = self.intercept + sum(c * (v - m) / (sc or 1.0) for c, v, m, sc in zip(self.coef, x, self.mean, self.scale))
        return sigmoid(t)


def sigmoid(t: float) -> float:
    if t >= 0:
        return 1.0 / (1.0 + math.exp(-t))
    e = math.exp(t)
    return e / (1.0 + e)


def from_dict(d: dict) -> Model:
    """A `Model` from the JSON `eval.fit_support` writes; ValueError on a file for other features."""
    if d.get("format") != FORMAT or tuple(d.get("features", ())) != FEATURES:
        raise ValueError(f"support model: expected format {FORMAT} over {FEATURES}, got "
                         f"{d.get('format')} over {d.get('features')}")
    return Model(tuple(d["mean"]), tuple(d["scale"]), tuple(d["coef"]), float(d["intercept"]),
                 float(d["threshold"]))


@functools.lru_cache(maxsize=4)
def _load(path: str, mtime: float) -> Model | None:
    return from_dict(json.loads(Path(path).read_text(encoding="utf-8")))


def model() -> Model | None:
    """The fitted model (`QA_SUPPORT_MODEL` names another file), or None when there is none."""
    path = Path(os.environ.get("QA_SUPPORT_MODEL") or MODEL_FILE)
    if not path.is_file():
        return None
    return _load(str(path), path.stat().st_mtime)
