"""The kind of administrative unit a question asks for, and the kind each document's issuer is.

"哪个县…", "Which county…", "哪个州…" name the kind of place the answer must be. On a
corpus mixing districts, counties, county-level cities and prefectures that is
evidence about which document answers; a corpus of one kind gains nothing from it.
Kinds come from the GB/T 2260 naming suffixes, so they hold for any unit in the
gazetteer, not only loaded ones.
"""
from __future__ import annotations

import re

DISTRICT, COUNTY, COUNTY_CITY, CITY, PREFECTURE = "district", "county", "county_city", "city", "prefecture"

# suffix → kind, longest first; 自治县/自治旗 before 县/旗
_COUNTY_SUFFIXES = ("自治县", "自治旗", "特区", "林区", "县", "旗")
_PREFECTURE_SUFFIXES = ("自治州", "地区", "盟", "州")

# What a question's word means as an asked kind (the set of issuer kinds it admits).
# 市 is both a prefecture-level and a county-level city; 城市 is used for either too.
_ZH_WORDS = {
    "区": {DISTRICT}, "县": {COUNTY}, "县级市": {COUNTY_CITY}, "市": {CITY, COUNTY_CITY}, "城市": {CITY, COUNTY_CITY},
    "地级市": {CITY}, "州": {PREFECTURE}, "自治州": {PREFECTURE}, "地区": {PREFECTURE}, "盟": {PREFECTURE},
    "旗": {COUNTY},
}
_EN_WORDS = {
    "district": {DISTRICT}, "districts": {DISTRICT}, "county": {COUNTY}, "counties": {COUNTY},
    "city": {CITY, COUNTY_CITY}, "cities": {CITY, COUNTY_CITY}, "prefecture": {PREFECTURE},
    "prefectures": {PREFECTURE},
    # Inner Mongolia's county-level 旗 is a "banner" in English, its prefecture-level 盟 a "league"
    "banner": {COUNTY}, "banners": {COUNTY}, "league": {PREFECTURE}, "leagues": {PREFECTURE},
}
_ZH_ASK = re.compile(r"哪(?:个|一个|些|几个|座|一座)(县级市|地级市|自治州|城市|地区|区|县|市|州|盟|旗)(?!县|区|市)")  # 县市: either kind
# "哪些县（市）", "哪些县（市、区）": the official way to say "counties, and county-level cities (and districts)"
_ZH_ALSO = re.compile(r"^[（(]((?:县级市|区|县|市|旗)(?:[、，,/](?:县级市|区|县|市|旗))*)[）)]")
# "哪个城市的区…", "哪个市的县…": the issuer is the unit after 的
_ZH_OWNER = re.compile(r"^的(区|县|县级市)")
_EN_ASK = re.compile(r"\bwhich\s+(districts?|count(?:y|ies)|cit(?:y|ies)|prefectures?|banners?|leagues?)\b", re.IGNORECASE)
_EN_OWNER = re.compile(r"^\W*(?:'s\s+|is\s+the\s+|are\s+the\s+|has\s+the\s+)?(district|county)\b", re.IGNORECASE)


def unit_kind(name: str, *, county_level: bool) -> str:
    """The kind of a unit from its full name; `county_level` tells a county-level 市 from a prefecture's."""
    if not name:
        return ""
    if any(name.endswith(s) for s in _COUNTY_SUFFIXES):
        return COUNTY
    if name.endswith("地区"):  # a prefecture (阿里地区), not a district
        return PREFECTURE
    if name.endswith("区"):
        return DISTRICT
    if name.endswith("市"):
        return COUNTY_CITY if county_level else CITY
    if any(name.endswith(s) for s in _PREFECTURE_SUFFIXES):
        return PREFECTURE
    return ""


def issuer_kind(district: str, city: str) -> str:
    """The kind of unit a document is about: its district (county level) if set, else its city."""
    if district:
        return unit_kind(district, county_level=True)
    return unit_kind(city, county_level=False)


def asked_kinds(question: str) -> frozenset[str]:
    """The issuer kinds a 'which X' question admits; empty when it names no kind (or several)."""
    found: list[set[str]] = []
    for m in _ZH_ASK.finditer(question):
        rest = question[m.end():]
        owner = _ZH_OWNER.match(rest)
        kinds = set(_ZH_WORDS[owner.group(1) if owner else m.group(1)])
        if more := _ZH_ALSO.match(rest):  # 哪些县（市、区）: the bracket admits those kinds too
            # a 市 beside 县 is its peer, a county-level city
            kinds.update(k for w in re.split(r"[、，,/]", more.group(1)) for k in ({COUNTY_CITY} if w == "市" else _ZH_WORDS[w]))
        found.append(kinds)
    for m in _EN_ASK.finditer(question):
        owner = _EN_OWNER.match(question[m.end():])
        asked = m.group(1).lower()
        if owner and asked.startswith("cit"):  # "In which city is the district whose plan…": a district's
            asked = owner.group(1).lower()
        found.append(_EN_WORDS[asked])
    if len({frozenset(f) for f in found}) != 1:  # none, or a question asking for two kinds at once
        return frozenset()
    return frozenset(found[0])
