"""Place names in questions: 鼓楼区 / 鼓楼 / Gulou / 福州 / Fuzhou → documents.

The gazetteer is built from the catalogue, so a document added with
`python -m qa add` is reachable by its district and city names at once,
in Chinese and in pinyin (via pypinyin), with no hand-made table.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from .records import DocMeta

_SUFFIXES = ("特别行政区", "自治区", "自治州", "地区", "新区", "省", "市", "区", "县", "州", "盟", "旗")
_EN_SUFFIX = r"(?:\s*(?:district|county|city|province|municipality|qu|shi|xian))?"
# not \b: "Weidong区" has no word boundary between g and 区 (both are \w)
_LAT_L, _LAT_R = r"(?<![A-Za-z])", r"(?![A-Za-z])"


def _strip_suffix(name: str) -> str:
    for s in _SUFFIXES:
        if name.endswith(s) and len(name) - len(s) >= 2:
            return name[: -len(s)]
    return name


def _pinyin(name: str) -> str:
    try:
        from pypinyin import lazy_pinyin
    except ImportError:  # English place matching degrades; Chinese still works
        return ""
    return "".join(lazy_pinyin(name)).lower()


@dataclass(frozen=True, slots=True)
class PlaceMention:
    field: str  # "district" | "city" | "province"
    value: str  # the catalogue value, e.g. 鼓楼区
    surface: str  # the text as written in the question
    start: int
    end: int


class Gazetteer:
    """Finds district/city/province mentions of the catalogued documents."""

    def __init__(self, metas: list[DocMeta]):
        self.metas = list(metas)
        entries: list[tuple[str, str, str]] = []  # (pattern source, field, value)
        seen = set()
        for m in self.metas:
            for field in ("district", "city", "province"):
                value = getattr(m, field)
                if not value or (field, value) in seen:
                    continue
                seen.add((field, value))
                short = _strip_suffix(value)
                forms = {value, short} if len(short) >= 2 else {value}
                for f in forms:
                    entries.append((re.escape(f), field, value))
                py = _pinyin(short)
                if py:
                    entries.append((_LAT_L + re.escape(py) + _EN_SUFFIX + _LAT_R, field, value))
        # longest first so 平顶山市 wins over 平顶山 and 上海市 over 上海
        entries.sort(key=lambda e: -len(e[0]))
        self._entries = [(re.compile(p, re.IGNORECASE), f, v) for p, f, v in entries]

    def find(self, text: str) -> list[PlaceMention]:
        """Non-overlapping mentions, in order of appearance."""
        taken: list[tuple[int, int]] = []
        out = []
        for pat, field, value in self._entries:
            for m in pat.finditer(text):
                if any(m.start() < b and a < m.end() for a, b in taken):
                    continue
                taken.append((m.start(), m.end()))
                out.append(PlaceMention(field, value, m.group(0), m.start(), m.end()))
        return sorted(out, key=lambda p: p.start)

    def doc_ids_for(self, mentions: list[PlaceMention]) -> set[str]:
        """Documents matching every distinct place the question names.

        Several districts named ("鼓楼区和卫东区…") → the union; a district and
        its own city ("福州市鼓楼区") → the intersection is the same document.
        """
        if not mentions:
            return set()
        groups: dict[str, set[str]] = {}
        for p in mentions:
            ids = {m.doc_id for m in self.metas if getattr(m, p.field) == p.value}
            groups.setdefault(p.value, set()).update(ids)
        # union over districts, but drop a city/province already implied by a district
        result: set[str] = set()
        districts = [p for p in mentions if p.field == "district"]
        if districts:
            for p in districts:
                result |= groups[p.value]
            return result
        for ids in groups.values():
            result |= ids
        return result
