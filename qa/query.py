"""What a question is: its script, numbers, places, intent, and — for English —
the Chinese domain terms it names (so English questions also reach BM25).
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from .places import Gazetteer, PlaceMention

GLOSSARY_PATH = Path(__file__).parent / "data" / "glossary_en_zh.tsv"
MAX_QUERY_CHARS = 1000  # longer input is truncated (with a notice) so a paste cannot stall search

_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z\-']*")
_NUMBER = re.compile(r"\d+(?:\.\d+)?\s*[%％]?|百分之[零一二三四五六七八九十点\d.]+")
_DOCNO = re.compile(r"[〔（(\[]\s*(?:19|20)\d{2}\s*[〕）)\]]\s*\d+\s*号")
_WHICH = re.compile(
    r"哪个区|哪一个区|哪个县|哪个市|哪个城市|哪座城市|哪个地方|哪个单位|哪份文件|哪个文件|哪个区县|哪家|"
    r"\bwhich\s+(?:district|city|county|document|plan|bureau|place|area)s?\b|\bwhere\b",
    re.IGNORECASE,
)
_WHICH_MANY = re.compile(r"哪些区|哪些地方|哪些城市|哪些文件|哪几个区|哪些单位|\bwhich\s+(?:districts|cities|documents|plans)\b", re.IGNORECASE)
_STOP_EN = set(
    "a an the of to in on for and or is are was were be been by with as at from that this these those which what who "
    "whom whose how when where why does do did has have had it its their there than into about any all each per "
    "should must will would can could may might shall district city county document plan bureau say says said "
    "mention mentions mentioned require requires required".split()
)


@dataclass(frozen=True, slots=True)
class Query:
    """A question as understood for retrieval."""

    text: str  # the text searched (NFC, trimmed, possibly truncated)
    script: str  # "zh" | "en" | "mixed"
    places: tuple[PlaceMention, ...]
    place_doc_ids: frozenset[str]
    numbers: tuple[str, ...]
    has_doc_number: bool
    which: str  # "" | "one" | "many" — asks for a place/document as the answer
    expansion: tuple[str, ...]  # Chinese glossary terms for English words
    en_coverage: float  # share of English content words the glossary covered
    truncated: bool = False
    notes: tuple[str, ...] = field(default=())


def normalize_query(text: str) -> tuple[str, bool]:
    """Trim, drop control characters and lone surrogates, cap the length."""
    if not isinstance(text, str):
        raise TypeError(f"query must be a string, not {type(text).__name__}")
    text = text.encode("utf-8", "replace").decode("utf-8")  # lone surrogates → '?'
    text = "".join(ch if unicodedata.category(ch)[0] != "C" or ch in "\t\n" else " " for ch in text)
    text = unicodedata.normalize("NFC", text).strip()
    truncated = len(text) > MAX_QUERY_CHARS
    return (text[:MAX_QUERY_CHARS] if truncated else text), truncated


@lru_cache(maxsize=1)
def _glossary() -> tuple[tuple[tuple[str, ...], tuple[str, ...]], ...]:
    entries = []
    for line in GLOSSARY_PATH.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        en, zh = line.split("\t", 1)
        entries.append((tuple(_stem(w) for w in _LATIN_WORD.findall(en.lower())), tuple(zh.split())))
    entries.sort(key=lambda e: -len(e[0]))  # longest phrase first
    return tuple(entries)


# British → American, so one glossary spelling serves both
_SPELLING = [("centre", "center"), ("programme", "program"), ("isation", "ization"), ("ise", "ize"),
             ("ising", "izing"), ("ised", "ized"), ("our", "or"), ("ae", "e")]


def _stem(word: str) -> str:
    word = word.lower().strip("-'")
    for gb, us in _SPELLING:
        if gb in word and len(word) > 5:
            if gb in ("ise", "ising", "ised", "our") and not word.endswith(gb) and not word.endswith(gb + "s"):
                continue
            word = word.replace(gb, us)
    for suf in ("ies", "es", "s"):
        if len(word) > 4 and word.endswith(suf) and not word.endswith("ss"):
            return word[: -len(suf)] + ("y" if suf == "ies" else "")
    return word


def expand_english(text: str) -> tuple[tuple[str, ...], float]:
    """Chinese terms for the English domain phrases in text, and coverage.

    Coverage = share of English content words (not stop-words, not places)
    that fall inside a glossary phrase: how much BM25 can be trusted.
    """
    words = [_stem(w) for w in _LATIN_WORD.findall(text)]
    content = [i for i, w in enumerate(words) if w not in _STOP_EN]
    covered: set[int] = set()
    terms: list[str] = []
    i = 0
    gl = _glossary()
    while i < len(words):
        for phrase, zh in gl:
            n = len(phrase)
            if n and tuple(words[i : i + n]) == phrase:
                terms.extend(t for t in zh if t not in terms)
                covered.update(range(i, i + n))
                i += n
                break
        else:
            i += 1
    cov = len([i for i in content if i in covered]) / len(content) if content else 0.0
    return tuple(terms), cov


def analyze(text: str, gazetteer: Gazetteer | None) -> Query:
    """Raise ValueError on an empty question; otherwise describe it."""
    clean, truncated = normalize_query(text)
    if not clean:
        raise ValueError("empty query: type a question, e.g. 哪个区要求报告患病率不低于4.5%？")
    places = tuple(gazetteer.find(clean)) if gazetteer else ()
    # place names are not content words for the glossary coverage
    rest = clean
    for p in places:
        rest = rest.replace(p.surface, " ")
    n_cjk = len(_CJK.findall(rest))
    n_lat = sum(len(w) for w in _LATIN_WORD.findall(rest))
    if n_cjk == 0 and n_lat > 0:
        script = "en"
    elif n_lat > n_cjk * 2:
        script = "mixed"
    else:
        script = "zh"
    expansion, cov = expand_english(rest) if script != "zh" else ((), 0.0)
    which = "many" if _WHICH_MANY.search(clean) else ("one" if _WHICH.search(clean) else "")
    notes = (f"question truncated to {MAX_QUERY_CHARS} characters",) if truncated else ()
    return Query(
        text=clean,
        script=script,
        places=places,
        place_doc_ids=frozenset(gazetteer.doc_ids_for(list(places))) if gazetteer else frozenset(),
        numbers=tuple(m.group(0).replace(" ", "") for m in _NUMBER.finditer(clean)),
        has_doc_number=bool(_DOCNO.search(clean)),
        which=which,
        expansion=expansion,
        en_coverage=cov,
        truncated=truncated,
        notes=notes,
    )
