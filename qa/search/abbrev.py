"""Abbreviations a plan writes for words a question spells out: 医疗…养老…结合 → 医养结合.

Chinese policy language contracts a phrase of two words and a verb into four
characters — a character of each of two words, then the verb or noun whole:
医养结合 (医疗 与 养老 相结合), 医防融合 (医疗 预防 融合), 家医签约 (家庭医生 签约). A
question written in full shares none of those tokens with a plan that writes
the contraction, so neither BM25 nor the answer's sentence scoring sees the
match. The contractions are read from the index's own vocabulary: a
four-character token T is offered when the question has a word holding T[0],
a later word holding T[1] (neither word being T[:2] itself, which would be T
written out), and later still the two-character T[2:], all within one clause. No list of abbreviations: any plan's contractions are found in
its own words.
"""
from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping

_CJK4 = re.compile(r"[\u4e00-\u9fff]{4}")
_CLAUSE = re.compile(r"[，。；：！？、,.;:!?\s（）()“”\"《》]")
MAX_SPAN = 16  # characters from the first word to the end of the tail: one phrase, not a sentence


def contraction_table(vocabulary: Iterable[str]) -> Mapping[tuple[str, str], tuple[str, ...]]:
    """(first char, second char) → the four-character CJK tokens starting with them."""
    table: dict[tuple[str, str], list[str]] = defaultdict(list)
    for t in vocabulary:
        if _CJK4.fullmatch(t):
            table[(t[0], t[1])].append(t)
    return {k: tuple(sorted(v)) for k, v in table.items()}


def contractions(text: str, words: Iterable[tuple[str, int]],
                 table: Mapping[tuple[str, str], tuple[str, ...]]) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """The table's tokens that contract a phrase of `text`, each with the words it stands for:
    ("医养结合", ("医疗卫生", "养老", "结合")).

    words: (word, start offset) of the question's segmentation, in order. A
    token the question writes itself is no contraction.
    """
    ws = [(w, i) for w, i in words if len(w) >= 2 and "\u4e00" <= w[0] <= "\u9fff"]
    out: dict[str, tuple[str, ...]] = {}
    for a_pos, (a, i) in enumerate(ws):
        for b, j in ws[a_pos + 1:]:
            if j >= i + MAX_SPAN or _CLAUSE.search(text, i, j):
                break
            if j < i + len(a):
                continue  # a part of the first word, not a second word
            for t in (t for x in dict.fromkeys(a) for y in dict.fromkeys(b) for t in table.get((x, y), ())):
                if t in text or t[:2] in (a, b) or t in out:
                    continue
                k = text.find(t[2:], j + len(b), i + MAX_SPAN)
                if k >= 0 and not _CLAUSE.search(text, j, k):
                    out[t] = (a, b, t[2:])
    return tuple(out.items())
