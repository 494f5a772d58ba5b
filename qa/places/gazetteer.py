"""Place names in questions: 鼓楼区 / 鼓楼 / Gulou / 福州 / Fuzhou → documents.

Every name in the national table is recognised, so a question about a place
that has no document ("北京市朝阳区…") is told so instead of being answered
from another district, and a place that is loaded is never treated as
outside the corpus.  Loaded places are also matched by their short forms
(鼓楼, 福州) and bare pinyin (Gulou), as staff write them.
"""
from __future__ import annotations

from dataclasses import dataclass

from ..records import DocMeta
from .divisions import CITY, COUNTY, PROVINCE, Division, divisions, short_forms
from .matcher import Mention, PlaceMatcher, pinyin_keys



@dataclass(frozen=True, slots=True)
class PlaceMention:
    field: str  # "district" | "city" | "province"
    value: str  # the catalogue value, e.g. 鼓楼区
    surface: str  # the text as written in the question
    start: int
    end: int


def _meta_units(m: DocMeta, by_name: dict[str, list[Division]]) -> list[tuple[str, Division]]:
    """(catalogue field, national unit) for a catalogue entry's district, city and province.

    A value the national table lacks (a masked or future name) still gets a
    unit of its own, so the document stays reachable by it.
    """
    out = []
    for field in ("district", "city", "province"):
        value = getattr(m, field)
        if not value:
            continue
        units = by_name.get(value, [])
        if field == "district":
            units = [d for d in units if d.level == COUNTY and (not m.city or d.city in ("", m.city))]
        elif field == "city":  # a prefecture, a municipality, or a county-level city without one (仙桃市)
            units = [d for d in units if (d.level != COUNTY or not d.city) and (not m.province or d.province == m.province)]
        else:
            units = [d for d in units if d.level == PROVINCE]
        level = {"district": COUNTY, "city": CITY, "province": PROVINCE}[field]
        out.extend((field, d) for d in (units or [Division(f"doc:{m.doc_id}:{field}", value, level, m.province, m.city)]))
    return out


def _own_names(u: Division, unique: bool = False) -> tuple[str, ...]:
    """How a plan's title names its own place: 宜昌市 or 宜昌 ("健康宜昌行动"); a county by its full
    label, since a title's 鼓楼区 says nothing about 南京市鼓楼区 — or by its name when no other county
    bears it (`unique`: 西吉县)."""
    if u.level == COUNTY:
        return (u.label, u.name) if unique else (u.label,)
    return (u.name,) + tuple(f for f in short_forms(u.name) if len(f) >= 2)


class Gazetteer:
    """Finds place mentions in questions and maps them to catalogued documents."""

    def __init__(self, metas: list[DocMeta]):
        self.metas = list(metas)
        by_name: dict[str, list[Division]] = {}
        for d in divisions():
            by_name.setdefault(d.name, []).append(d)
        # unit → (catalogue field, catalogue value, doc ids)
        self._loaded: dict[Division, tuple[str, str, set[str]]] = {}
        extra: dict[str, tuple[Division, ...]] = {}
        loaded_pinyin = set()
        for m in self.metas:
            for field, d in _meta_units(m, by_name):
                entry = self._loaded.setdefault(d, (field, getattr(m, field), set()))
                entry[2].add(m.doc_id)
                for s in (d.name,) + short_forms(d.name):
                    extra[s] = tuple(dict.fromkeys(extra.get(s, ()) + (d,)))
                loaded_pinyin.update(pinyin_keys(d.name))
        self._loaded_pinyin = frozenset(loaded_pinyin)
        # the loaded documents' own titles and issuers: a place they name is not "unloaded", whatever
        # the catalogue says (its place fields are extracted, and an extraction can miss or misplace one)
        self._own_words = "\n".join(f"{m.title}\n{m.issuer}" for m in self.metas)
        self._by_name = by_name
        self._matcher = PlaceMatcher(short_levels=(PROVINCE, CITY), extra=extra)

    # ------------------------------------------------------------ matching
    def _resolve(self, text: str) -> list[tuple[Mention, tuple[Division, ...]]]:
        """Each mention with the units it denotes here, narrowed by the others.

        "南京市鼓楼区": 鼓楼区 is narrowed to the one in 南京市.  With no such
        context, a name that a loaded document carries means that document.
        """
        mentions = self._matcher.find(text, loaded_pinyin=self._loaded_pinyin)
        out = []
        for m in mentions:
            units = m.candidates
            if len(units) > 1:
                # context comes from the other mentions: "Changsha" may be the city or 长沙县 in it, and
                # the city among its own candidates says nothing about which
                named = {u.name for o in mentions if o is not m for u in o.candidates if u.level != COUNTY}
                ctx = tuple(u for u in units if u.level == COUNTY and (u.city in named or u.province in named))
                if not ctx and m.form == "full" and len(m.surface) == 2 and all(u.level == COUNTY for u in units):
                    # 城区, 郊区, 矿区: several districts bear the everyday word ("中心城区"), and it names
                    # none of them until its city does ("阳泉市城区")
                    continue
                units = ctx or units
            if len(units) > 1 or m.form == "short":
                loaded = tuple(u for u in units if u in self._loaded)
                units = loaded or units
            out.append((m, units))
        # a city named only to say where a district is ("南京市鼓楼区") is not a place of its own
        return out

    def find(self, text: str) -> list[PlaceMention]:
        """Mentions of places that documents are about, in order of appearance."""
        out = []
        for m, units in self._resolve(text):
            for u in units:
                if u in self._loaded:
                    field, value, _ = self._loaded[u]
                    out.append(PlaceMention(field, value, m.surface, m.start, m.end))
                    break
        return out

    def unloaded(self, text: str) -> list[str]:
        """Labels of the places the text names that no document covers ("北京市朝阳区")."""
        return list(dict.fromkeys(label for label, _ in self.unloaded_mentions(text)))

    def unloaded_mentions(self, text: str) -> list[tuple[str, str]]:
        """(label, name as written) of the places the text names that no document covers."""
        resolved = self._resolve(text)
        out: list[tuple[str, str]] = []
        for i, (m, units) in enumerate(resolved):
            if any(u in self._loaded for u in units) or m.form == "short":
                continue
            if any(n in self._own_words for u in units for n in _own_names(u, len(self._by_name.get(u.name, ())) == 1)):
                continue  # a loaded plan's title or issuer names it: saying none is loaded would be wrong
            # "北京市" directly before "朝阳区" is part of its name, reported once
            nxt = resolved[i + 1] if i + 1 < len(resolved) else None
            if nxt and nxt[0].start == m.end and any(u.city == c.name or u.province == c.name
                                                     for u in nxt[1] for c in units):
                continue
            label = units[0].label if len(units) == 1 else m.surface
            if m.start > 0 and units and units[0].level == COUNTY:
                prev = resolved[i - 1] if i else None
                if prev and prev[0].end == m.start:
                    label = prev[0].surface + m.surface
            out.append((label, m.surface))
        return out

    def loaded_labels(self) -> tuple[str, ...]:
        """'福州市鼓楼区'-style labels of the loaded documents' places, each once."""
        return tuple(dict.fromkeys(m.place for m in self.metas if m.place))

    def doc_ids_for(self, mentions: list[PlaceMention]) -> set[str]:
        """Documents matching every distinct place the question names.

        Several districts named ("鼓楼区和卫东区…") → the union; a district and
        its own city ("福州市鼓楼区") → the district's documents: the city only says
        where it is. A city that is no named district's ("海南州和九龙坡区…") is a
        place of its own and adds its documents.
        """
        if not mentions:
            return set()
        groups: dict[str, set[str]] = {}
        for p in mentions:
            ids = {m.doc_id for m in self.metas if getattr(m, p.field) == p.value}
            groups.setdefault(p.value, set()).update(ids)
        districts = [p for p in mentions if p.field == "district"]
        result: set[str] = set()
        for p in districts:
            result |= groups[p.value]
        around = [m for m in self.metas if m.doc_id in result]  # the named districts' own documents
        for p in mentions:
            if p.field != "district" and not any(getattr(m, p.field) == p.value for m in around):
                result |= groups[p.value]
        return result
