"""How an answer line writes a place and a table row.

Places: 平顶山市卫东区 in Chinese; in English the unit's name in pinyin with its level
(Weidong District, Yuanjiang City, Ningcheng County, Zhenyuan Autonomous County), a
prefecture-level city by its name alone (Pingdingshan). Table rows: each cell under its
column's name ("2025年：≥79.2"), the 序号 left out.
"""
from __future__ import annotations

import re

from ..records import Hit
from .tablerows import aligned, cells


def place_label(hit: Hit) -> str:
    """平顶山市卫东区; 上海市嘉定区; a city alone when there is no district."""
    return f"{hit.city}{hit.district}" if hit.district else (hit.city or hit.province or hit.title)


# what a list heading calls its places when all are of one kind (qa.places.level); mixed kinds are 地方/places
_KIND_NOUN = {"district": ("区", "district(s)"), "county": ("县", "county(ies)"),
              "county_city": ("市", "city(ies)"), "city": ("市", "city(ies)")}


def places_noun(hits, *, en: bool) -> str:
    """区 / 县 / 市 (district(s) / county(ies) / city(ies)) when every listed place is of that kind, else 地方
    (place(s)): a list of counties headed "个区" misnames what it lists."""
    from ..places import issuer_kind

    nouns = {_KIND_NOUN.get(issuer_kind(h.district, h.city), ("地方", "place(s)")) for h in hits}
    zh, english = nouns.pop() if len(nouns) == 1 else ("地方", "place(s)")
    return english if en else zh


def romanise(name: str) -> str:
    """A place name's core in pinyin, as maps write it: CC-CEDICT's reading of the name as a proper noun
    (长治 Changzhi, 朝阳 Chaoyang, 郫都 Pidu), of the core itself or of the whole unit name it starts
    (鼓楼区 for 鼓楼, which alone is a drum tower); otherwise pypinyin's usual reading of each character."""
    from ..crosslingual.lexicon import proper_readings

    readings = proper_readings()
    for key in (name, *_unit_names(name)):
        syllables = readings.get(key, "").split()
        if len(syllables) >= len(name):
            return "".join(re.sub(r"[\d:]", "", s) for s in syllables[:len(name)]).lower().capitalize()
    try:
        from pypinyin import lazy_pinyin
    except ImportError:
        return ""
    return "".join(lazy_pinyin(name)).capitalize()


def _unit_names(core: str) -> tuple[str, ...]:
    """The unit names a core may stand for (鼓楼 → 鼓楼区, 鼓楼县, …), to find its proper reading."""
    return tuple(core + level for level, _ in _EN_LEVEL)


_pinyin = romanise


# the English for a unit's level, by its name's ending (longest first); a prefecture-level 市 is left out
_EN_LEVEL = (("自治县", "Autonomous County"), ("自治旗", "Autonomous Banner"), ("自治州", "Autonomous Prefecture"),
             ("新区", "New Area"), ("林区", "Forestry District"), ("特区", "Special District"),
             ("地区", "Prefecture"), ("区", "District"), ("县", "County"), ("旗", "Banner"), ("市", "City"),
             ("州", "Prefecture"), ("盟", "League"))


def english_unit(name: str, *, city: bool = False) -> str:
    """卫东区 → Weidong District, 沅江市 → Yuanjiang City, 镇沅彝族…自治县 → Zhenyuan Autonomous County;
    a prefecture-level city is its name alone (Pingdingshan)."""
    from ..places.divisions import short_forms

    suffix, level = next(((s, lv) for s, lv in _EN_LEVEL if name.endswith(s) and len(name) > len(s) + 1), ("", ""))
    if not suffix:
        return _pinyin(name)
    # the short form drops an autonomous unit's peoples (彝族哈尼族拉祜族) as well as the level
    core = min((f for f in short_forms(name) if len(f) >= 2 and not f.endswith(suffix[-1])), key=len,
               default=name[: -len(suffix)])
    return _pinyin(core) if city and suffix == "市" else f"{_pinyin(core)} {level}"


def english_label(hit: Hit) -> str:
    """'Weidong District, Pingdingshan (平顶山市卫东区)', 'Yuanjiang City, Yiyang (益阳市沅江市)'."""
    parts = []
    if hit.district:
        parts.append(english_unit(hit.district))
    if hit.city:
        parts.append(english_unit(hit.city, city=True))
    en = ", ".join(p for p in parts if p.strip())
    return f"{en} ({place_label(hit)})" if en else place_label(hit)


CELL_MAX_CHARS = 60  # a long cell (a list of 责任单位) is cut in the answer line; the citation has it whole


def labelled_cells(header_row: str, row: str) -> tuple[tuple[str, str], ...]:
    """(column name, cell) for each non-empty cell of a table row but its 序号; ("", cell) past the header."""
    names = cells(header_row)
    values = aligned(names, cells(row))
    out = []
    for i, v in enumerate(values):
        name = names[i] if i < len(names) else ""
        if not v or ((i == 0 or name == "序号") and v.isdigit()):
            continue
        out.append((name, v if len(v) <= CELL_MAX_CHARS else v[:CELL_MAX_CHARS] + "…"))
    return tuple(out)


def cells_text(pairs, en: bool) -> str:
    """A table row as one line: "指标名称：人均预期寿命；单位：岁；2025年：≥79.2"."""
    sep, colon = ("; ", ": ") if en else ("；", "：")
    return sep.join(f"{n}{colon}{v}" if n else v for n, v in pairs)
