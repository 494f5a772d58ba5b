"""The question's terms, and how much of them a sentence (or a clause run) holds.

`query_terms` weighs the question's words (numbers most, Chinese words by
length, frame words and the named place left out); `sentence_score` is the
weighted share of them among a sentence's tokens; `trim` cuts a long sentence
to the run of clauses that holds most of the question. Split out of
`qa.answering.answer` so the lexical side of choosing a sentence can be read and tested
on its own.
"""
from __future__ import annotations

import functools
import logging
import re
from typing import Callable, Mapping

from ..crosslingual import translations
from ..search.query import Query
from ..indexing.tokenize import tokenize

log = logging.getLogger(__name__)

# Longer sentences are cut to the clauses around the match. At 120 the cut dropped the very clause that
# answered when the question's words sit in the sentence's opening (a plan's basis: the city's own
# document is cited last, after the national and provincial ones): 5 development answers lost, none won.
_MAX_SENT_CHARS = 200
# Words that frame a question rather than name its topic: they would make any
# sentence with "要求" or "工作" look relevant and light up half the passage.
_FRAME_WORDS = frozenset(
    "哪个 哪些 哪个区 哪些区 哪几个 什么 如何 怎么 怎样 多少 是否 有没有 有无 提到 提出 要求 规定 文件 工作 类似 情况 "
    "方面 相关 内容 具体 主要 哪里 目标 百分比 区 市 县 which what how does district city".split()
)
_NUMBER_WEIGHT = 6.0
_FRAME_CHARS = frozenset("".join(w for w in _FRAME_WORDS if not w.isascii()) + "谁哪几吗呢")


def _is_number(term: str) -> bool:
    return any(ch.isdigit() for ch in term)


def _specific_number(term: str) -> bool:
    return not term.isdigit() or len(term) >= 2


# "the 10th Five-Year Plan", "2nd": an English ordinal is a word no Chinese passage writes (十五, 第二), not a figure
_EN_ORDINAL = re.compile(r"\d{1,3}(?:st|nd|rd|th)")


def query_terms(query: Query) -> dict[str, float]:
    """Term → weight: the question's tokens (plus English glossary terms), places and frame words left out.

    Numbers weigh most; Chinese words weigh by length (capped), because a
    long word such as 报告患病率 is far more specific than 管理.
    """
    text = query.text
    for p in sorted(query.places, key=lambda p: -p.start):  # the place is already a filter/steer
        text = text[: p.start] + " " + text[p.end :]
    toks = tokenize(text)
    if query.expansion:
        toks += tokenize(" ".join(translations(query)))  # one word per English word, not every alternative
    weights: dict[str, float] = {}
    for t in toks:
        if t in _FRAME_WORDS:
            continue
        if _is_number(t) and not _EN_ORDINAL.fullmatch(t):
            # 4.5%, 79元, 2021年 are what a question is about; a bare "1" (alert(1), 第1条) is not
            w = _NUMBER_WEIGHT if _specific_number(t) else 1.0
        elif t.isascii():
            w = 1.0  # English words rarely occur in the Chinese passages; keep them light
        elif len(t) == 1:
            w = 0.3
        else:
            w = float(min(len(t), 4))
        weights[t] = max(weights.get(t, 0.0), w)
    return weights


LIST_IDF_POWER = 0.25  # dev (eval/lists, Chinese): list precision 0.81 → 0.89, recall 0.84 → 0.87; 0.5 the same


def topic_specific(weights: Mapping[str, float], idf: Callable[[str], float]) -> dict[str, float]:
    """A which-places question's weights, each word's also scaled by its IDF to LIST_IDF_POWER.

    "哪些地方提出推进医共体建设" asks which plans name the topic: a plan that writes 建设 and
    推进 a dozen times but never 医共体 does not say it. The rare word is the topic; the
    common ones are how every plan talks. Numbers keep their weight (they are already the
    heaviest). English questions are left alone: their rarest translation is often the wrong
    one of several ("建党" or "中国共产党" for "the founding of the Party"), measured on dev.
    """
    return {t: w if _is_number(t) else w * max(idf(t), _MIN_IDF) ** LIST_IDF_POWER for t, w in weights.items()}


_MIN_IDF = 0.1  # a word in nearly every passage (negative or zero IDF) still counts a little


@functools.lru_cache(maxsize=16384)
def sentence_tokens(sentence: str) -> frozenset[str]:
    """The sentence's token set, cached: the same passages' sentences are scored for many questions."""
    return frozenset(tokenize(sentence))


_BARE_NUMBER = re.compile(r"\d+(?:\.\d+)?")
_LEADING_NUMBER = re.compile(r"^\d+(?:\.\d+)?")
_YEAR = re.compile(r"(?:19|20)\d\d")


@functools.lru_cache(maxsize=16384)
def sentence_numbers(sentence: str) -> frozenset[str]:
    """The numbers the sentence's tokens start with: 37 of 37条, 2025 of 2025年."""
    return frozenset(m.group() for t in sentence_tokens(sentence) if (m := _LEADING_NUMBER.match(t)))


_CJK4 = re.compile(r"[\u4e00-\u9fff]{4}")


@functools.lru_cache(maxsize=16384)
def short_form(term: str) -> str:
    """The usual short form of a four-character word made of two words: 计划生育 → 计生, 疾病控制 → 疾控,
    医疗保障 → 医保 (the first character of each), when the dictionary knows it as a word; else ""."""
    if not _CJK4.fullmatch(term):
        return ""
    toks = tokenize(term)
    short = term[0] + term[2]
    if term[:2] not in toks or term[2:] not in toks:
        return ""
    from .topic import _dictionary_freq  # jieba's dictionary, loaded with the tokenizer

    return short if _dictionary_freq(short) is not None else ""


@functools.lru_cache(maxsize=16384)
def _short_forms(sentence: str) -> frozenset[str]:
    """The short forms of the sentence's four-character words (计生 for a sentence writing 计划生育)."""
    return frozenset(f for t in sentence_tokens(sentence) if (f := short_form(t)))


def holds(term: str, sentence: str) -> bool:
    """The sentence has the term among its tokens; a bare number also counts with its unit, and a word
    with its short form (计划生育 / 计生: plans write either, and a question either).

    An English question says "37 articles" or "by 2025" where the passage
    writes 37条 and 2025年: the tokenizer keeps the unit on the number, so
    the bare number would never match a token. A bare year ("in 2005")
    matches the date as a passage writes it (2005年), not a span's end
    (2021-2025); a year the plan's title holds ("by 2025" of a 2021–2025
    plan) is the frame the whole plan shares, and `topic_weights` drops it.
    """
    tokens = sentence_tokens(sentence)
    if term in tokens:
        return True
    if len(term) == 4 and (f := short_form(term)) and f in tokens:
        return True
    if len(term) == 2 and term in _short_forms(sentence):
        return True
    if _YEAR.fullmatch(term):
        return term + "年" in tokens
    return bool(_BARE_NUMBER.fullmatch(term)) and term in sentence_numbers(sentence)


def topic_weights(weights: Mapping[str, float], title: str) -> Mapping[str, float]:
    """The question's terms less those its document's title holds (2024年, 卫生健康, 健康七里河).

    "西安市2024年卫生健康工作拿什么作为抓手" names the plan with 2024年 and 卫生健康; every clause
    of that plan's opening sentence shares them, so they cannot say which clause answers. When
    every term is a title word, the question is about the title itself and keeps them all.
    """
    own = sentence_tokens(title) if title else frozenset()
    # an English question's bare year is dropped when the title writes it (2021-2025年 holds 2025)
    rest = {t: w for t, w in weights.items() if t not in own and not (_YEAR.fullmatch(t) and t in title)}
    if rest:
        return rest
    # even then the plan's year only names the plan: a clause repeating it ("安排部署2022年重点工作")
    # says no more about what is asked than one that does not, and the year outweighs every word
    undated = {t: w for t, w in weights.items() if not _YEAR_TOKEN.fullmatch(t)}
    return undated or weights


_YEAR_TOKEN = re.compile(r"(?:19|20)\d\d年?")


def sentence_score(sentence: str, weights: Mapping[str, float],
                   implied: Mapping[str, tuple[str, ...]] | None = None) -> float:
    """Weighted share (0..1) of the question's terms found among the sentence's tokens; a term also
    counts where the sentence writes a contraction `implied` lists for it (养老 in 医养结合)."""
    total = sum(weights.values())
    if total <= 0:
        return 0.0
    return sum(w for t, w in weights.items()
               if holds(t, sentence) or (implied and any(holds(c, sentence) for c in implied.get(t, ())))) / total


def implied_terms(query: Query) -> dict[str, tuple[str, ...]]:
    """Question term → the contractions that stand for it (养老 → 医养结合), from `Query.contracted`."""
    out: dict[str, list[str]] = {}
    for short, words in getattr(query, "contracted", ()) or ():
        for w in words:
            for t in {w, *tokenize(w)}:
                out.setdefault(t, []).append(short)
    return {t: tuple(v) for t, v in out.items()}


def question_chars(query: Query) -> frozenset[str]:
    """The question's Chinese characters, its place and frame words left out.

    When no clause run holds more of the question's words than another (a
    paraphrase: 评出 for 评选出), the run sharing more of its characters is
    the better guess than simply the first.
    """
    text = query.text
    for p in sorted(query.places, key=lambda p: -p.start):
        text = text[: p.start] + " " + text[p.end :]
    return frozenset(ch for ch in text if "\u4e00" <= ch <= "\u9fff") - _FRAME_CHARS


def trim(sentence: str, weights: Mapping[str, float], prefer=None, chars: frozenset[str] = frozenset()) -> str:
    """A long sentence cut down to the run of clauses (≤ _MAX_SENT_CHARS) that holds most of the question.

    Every maximal run of whole clauses is scored as one text, so an answer
    split over clauses ("“两新三强”定位、“五个大幅提升”目标") is kept together.
    A run where `prefer(text)` holds (the question's frame around its question
    word, the asked-for figure) wins over one that merely repeats more words;
    among equals, the run with more of the question's `chars`.
    """
    if len(sentence) <= _MAX_SENT_CHARS:
        return sentence
    parts = re.split(r"(?<=[，、,：:])", sentence)
    windows = []
    for a in range(len(parts)):
        b = a + 1
        while b < len(parts) and len("".join(parts[a : b + 1])) <= _MAX_SENT_CHARS:
            b += 1
        if windows and windows[-1][1] == b:
            continue  # contained in the previous run
        windows.append((a, b))
    def key(w):
        text = "".join(parts[w[0] : w[1]])
        return (prefer is not None and bool(prefer(text)), sentence_score(text, weights),
                len(chars.intersection(text)), -w[0])
    a, b = max(windows, key=key)
    return ("…" if a > 0 else "") + "".join(parts[a:b]) + ("…" if b < len(parts) else "")


