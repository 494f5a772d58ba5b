"""How well the documents support an answer: 直接回答 / 部分相关 / 未找到.

A pure function of signals measured for the chosen answer sentence. The thresholds were refit at stop 38
on the answers of all development sets (1,015 answered questions, list answers aside): 直接回答 is given to
as many answers as keeps it right 90% of the time. Before, fit on eval/questions.jsonl alone, it went to
496 answers, 91.5% right, and 部分相关 to 519, of which 378 (73%) were right: most right answers to
paraphrased and English questions read "partly related". Now 625 answers are 直接回答 (90.2% right) and
部分相关 answers are right 69% of the time. The eval report's reliability table shows it per question set.

`python -m eval.calibrate` refits them from evaluation runs (it reads each answer's `Answer.signals`) and checks
the fit by leaving one question set out at a time. At stop 39's end, over 24 development sets (1,207 answers): these
thresholds label 745 answers 直接回答, 89.9% right; fit at a 0.90 target on the other sets, 直接回答 was right 89.5% of
the time on the set left out (the fit carries from set to set), and a stricter target (0.92) gained little out of
sample (90.3%) for 200 fewer direct answers; so they stay. One set's share ranges from 78% to 100% (median 90%): a
set of pages unlike the development ones may see less, as the held-out sets do (about 80%).
"""
from __future__ import annotations

from dataclasses import dataclass

DIRECT, PARTIAL, NOT_FOUND = "直接回答", "部分相关", "未找到"
EN = {DIRECT: "Direct answer", PARTIAL: "Partly related", NOT_FOUND: "Not found"}

# Below a lexical share of 0.1 answers are right about half the time whatever the other signals say;
# above it, a sentence far closer in meaning than the rest (z ≥ 2.5) was right 85–90% of the time.
LEX_DIRECT = 0.3  # share of the question's weighted terms in the answer sentence
LEX_AGREED = 0.2  # …enough when both retrievers rank the passage in their top AGREE_RANK
AGREE_RANK = 3
DENSE_Z_DIRECT = 2.5  # sentence cosine, in std above all sentences' mean for this question
LEX_DENSE = 0.1  # …with at least this lexical share


@dataclass(frozen=True, slots=True)
class Thresholds:
    """When an answer is 直接回答; `python -m eval.calibrate` refits them from evaluation runs."""

    lex_direct: float = LEX_DIRECT
    lex_agreed: float = LEX_AGREED
    dense_z_direct: float = DENSE_Z_DIRECT
    lex_dense: float = LEX_DENSE


@dataclass(frozen=True, slots=True)
class Signals:
    lex: float
    dense_z: float | None  # None without sentence vectors
    agree: bool  # the passage is in both retrievers' top AGREE_RANK
    asked_ok: bool  # the sentence carries the asked-for number/date (True when nothing is asked)
    missing: tuple[str, ...] = ()  # question terms no document contains (方舱, HPV): the topic may be absent


def agreement(signals: dict) -> bool:
    """Both retrievers put the passage near the top (hybrid hits carry per-side ranks)."""
    b, d = signals.get("bm25_rank"), signals.get("dense_rank")
    return b is not None and d is not None and b <= AGREE_RANK and d <= AGREE_RANK


def label(s: Signals, *, abstained: bool, t: Thresholds = Thresholds()) -> str:
    if abstained:
        return NOT_FOUND
    if not s.asked_ok or s.missing:
        return PARTIAL
    if s.lex >= t.lex_direct or (s.agree and s.lex >= t.lex_agreed):
        return DIRECT
    if s.dense_z is not None and s.dense_z >= t.dense_z_direct and s.lex >= t.lex_dense:
        return DIRECT
    return PARTIAL


def caption(name: str, en: bool, missing: tuple[str, ...] = ()) -> str:
    """The line shown above a partial answer (naming the question's words no document uses)."""
    if name == PARTIAL and missing:
        words = "、".join(f"“{m}”" for m in missing[:3])
        return (f"Partly related: no document mentions {', '.join(missing[:3])}; the closest text is below — "
                "check the source." if en else f"部分相关：文件中没有提到{words}，以下是最接近的原文，请核对。")
    if name == PARTIAL:
        # not "nothing answers this": on the development sets about two partial answers in three are right; what the
        # label says is that the evidence matches the question loosely, so the source must be read
        return ("Partly related: the text below may answer this, but it matches the question only loosely — "
                "check the source." if en else "部分相关：以下原文可能回答了问题，但与问题的对应不够明确，请核对原文。")
    return ""
