"""Find place names of the national table in text, in linear time.

Chinese names go through one Aho–Corasick automaton (pyahocorasick); English
names are pinyin looked up over runs of one to three Latin words, with an
optional "District/County/City/Prefecture/Province" after them.  Either way
the cost is proportional to the text, never to text × names, so a long
question or history cannot make matching slow.
"""
from __future__ import annotations

import itertools

import re
from dataclasses import dataclass
from functools import lru_cache

import ahocorasick

from .divisions import CITY, COUNTY, PROVINCE, Division, banner_forms, divisions, short_forms

# English words that follow a place name and say its level
_EN_LEVEL = {
    "district": (COUNTY,), "county": (COUNTY,), "city": (CITY, COUNTY), "prefecture": (CITY,),
    "province": (PROVINCE,), "municipality": (PROVINCE,), "region": (PROVINCE, CITY),
    "qu": (COUNTY,), "xian": (COUNTY,), "shi": (CITY, COUNTY), "zhou": (CITY,),
}
_EN_LEVEL_SKIP = {"autonomous"}  # "Huangnan Tibetan Autonomous Prefecture": skipped before a level word
_LATIN = re.compile(r"[A-Za-z]+(?:'[A-Za-z]+)?")


@dataclass(frozen=True, slots=True)
class Mention:
    """A place name found in text and the units it may denote."""

    surface: str
    start: int
    end: int
    candidates: tuple[Division, ...]
    form: str  # "full" | "short" | "pinyin"


def _pinyin(name: str) -> str:
    from pypinyin import lazy_pinyin

    return "".join(lazy_pinyin(name)).lower()


MAX_READINGS = 8  # a name's characters rarely have more than two readings each


def _readings(name: str) -> list[str]:
    """The pinyin an English text may spell a name with: the usual reading first, then every other reading
    of its polyphonic characters (郫都 is "Pidu", though 都 alone reads dou first), bounded."""
    from pypinyin import Style, pinyin

    per_char = pinyin(name, style=Style.NORMAL, heteronym=True, errors="ignore")
    combos = itertools.islice(itertools.product(*per_char), MAX_READINGS) if len(per_char) == len(name) else ()
    return list(dict.fromkeys([_pinyin(name), *("".join(c).lower() for c in combos)]))


@lru_cache(maxsize=1)
def _pinyin_table() -> dict[str, tuple[Division, ...]]:
    """pinyin of each unit's short name (chengguan, huangnan, xiao) → units."""
    table: dict[str, list[Division]] = {}
    for d in divisions():
        forms = short_forms(d.name)
        stem = forms[-1] if forms else d.name[:-1] if len(d.name) > 1 else d.name
        for f in {stem, d.name}:
            for key in _readings(f):
                if d not in table.setdefault(key, []):
                    table[key].append(d)
    return {k: tuple(v) for k, v in table.items()}


class PlaceMatcher:
    """Mentions of national units (plus any extra names) in a text.

    `short_levels`: levels whose short forms (嘉兴 for 嘉兴市) are matched;
    county short forms (城关) are words too common to match everywhere, so
    they are on only where the caller knows the text is a name (a title).
    `extra`: more surface → units, e.g. the loaded documents' own names.
    """

    def __init__(self, *, short_levels: tuple[str, ...] = (PROVINCE,),
                 extra: dict[str, tuple[Division, ...]] | None = None):
        table: dict[str, dict[Division, str]] = {}
        for d in divisions():
            table.setdefault(d.name, {})[d] = "full"
            banner = banner_forms(d.name)  # 科左中旗: written so only as a name, as sure as the full one
            for s in short_forms(d.name) if d.level in short_levels else banner:
                table.setdefault(s, {}).setdefault(d, "full" if s in banner else "short")
        for surface, units in (extra or {}).items():
            for d in units:
                table.setdefault(surface, {}).setdefault(d, "short" if surface != d.name else "full")
        self._auto = ahocorasick.Automaton()
        for surface, units in table.items():
            form = "full" if "full" in units.values() else "short"
            self._auto.add_word(surface, (surface, tuple(sorted(units, key=lambda u: u.adcode)), form))
        self._auto.make_automaton()

    def find(self, text: str, *, english: bool = True, loaded_pinyin: frozenset[str] = frozenset()) -> list[Mention]:
        """Non-overlapping mentions, leftmost-longest, in order of appearance."""
        found = []
        for end, (surface, units, form) in self._auto.iter(text):
            start = end - len(surface) + 1
            if len(surface) == 2 and not _whole_word(text, start, end + 1):
                continue
            found.append(Mention(surface, start, end + 1, units, form))
        if english:
            found.extend(_english(text, loaded_pinyin))
        found.sort(key=lambda m: (m.start, -(m.end - m.start)))
        out, last_end = [], -1
        for m in found:
            if m.start >= last_end:
                out.append(m)
                last_end = m.end
        return out


def _whole_word(text: str, start: int, end: int, *, margin: int = 6) -> bool:
    """Whether text[start:end] is a word of its own where it stands.

    A two-character name is also the tail or head of common words: 康县 in 健康县, 和县 in 和县城,
    城区 in 城区医院 is a word but 东区 in 广东区域 is not. Segmenting a few characters around it
    (jieba's dictionary holds the county names) tells the two apart.
    """
    import jieba  # loaded anyway by the tokenizer; imported here so the table loads without it

    a = max(0, start - margin)
    pos, bounds = a, {a}
    for tok in jieba.cut(text[a:end + margin], HMM=False):
        pos += len(tok)
        bounds.add(pos)
    return start in bounds and end in bounds


def _level_word(word: str) -> str:
    """'County's' → 'county', 'Jiaxing's' → 'jiaxing': a possessive is still the name."""
    w = word.lower()
    return w[:-2] if w.endswith("'s") else w


def _english(text: str, loaded: frozenset[str]) -> list[Mention]:
    """Pinyin place names: 'Xiao County', 'Chengguan District', 'Jiaxing'."""
    table = _pinyin_table()
    words = []
    for m in _LATIN.finditer(text):
        w, a, b = m.group(0), m.start(), m.end()
        if w.lower().endswith("'s"):  # "Jiaxing's plan": the name is Jiaxing
            w, b = w[:-2], b - 2
        words.append((w, a, b))
    out, i = [], 0
    while i < len(words):
        hit = None
        for n in (3, 2, 1):
            if i + n > len(words):
                continue
            key = "".join(_level_word(w).replace("'", "") for w, _, _ in words[i:i + n])
            if key in table:
                hit = (n, key)
                break
        if not hit:
            i += 1
            continue
        n, key = hit
        j = i + n
        while j < len(words) and _level_word(words[j][0]) in _EN_LEVEL_SKIP:
            j += 1
        levels = _EN_LEVEL.get(_level_word(words[j][0])) if j < len(words) else None
        units = table[key]
        first = words[i][0]
        if levels:
            units = tuple(u for u in units if u.level in levels)
            end = words[j][2]
        elif key in loaded or (first[:1].isupper() and len(key) >= 4):
            # a bare name: only the units that are not counties, or a loaded place —
            # bare county pinyin ("He", "Xiao") is too often an English word
            units = tuple(u for u in units if u.level != COUNTY or key in loaded)
            end = words[i + n - 1][2]
        else:
            units = ()
        if units:
            out.append(Mention(text[words[i][1]:end], words[i][1], end, units, "pinyin"))
            i = j + 1 if levels else i + n
        else:
            i += 1
    return out


@lru_cache(maxsize=4)
def national_matcher(short_levels: tuple[str, ...] = (PROVINCE,)) -> PlaceMatcher:
    return PlaceMatcher(short_levels=short_levels)


def pinyin_keys(name: str) -> list[str]:
    """The pinyin keys an English mention of `name` is looked up by (every reading, the usual one first)."""
    forms = short_forms(name)
    return _readings(forms[-1] if forms else name)
