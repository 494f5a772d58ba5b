"""Which place a document is about, from its own text.

Evidence comes in tiers, each tagged with where it came from:
  issuer   the issuing body as the header or portal block states it
           (上海市徐汇区卫生健康委员会, 发文机构:…)                    → high
  title    a place in the title (健康城关行动)                         → medium
  body     issuer-like phrases in the body (XX区卫生健康局, XX县人民政府) → low
A name several units share (鼓楼区: 福州, 南京, 徐州, 开封) is narrowed by
the document's own context — a city or province named in the issuer, the
title, the body, or the 文号's prefix — and otherwise left unresolved with a
note.  Nothing is guessed.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from .divisions import CITY, COUNTY, PROVINCE, Division, normalize_division, short_forms
from .matcher import Mention, national_matcher
from .zones import self_level

_ALL_SHORT = (PROVINCE, CITY, COUNTY)
# "XX区卫生健康局", "XX县人民政府": the body speaking of its own issuer
_ISSUER_TAIL = re.compile(r"^(?:卫生健康|卫生和计划生育|卫生计生|卫计|卫生局|卫健|人民政府|政府|委员会|党委|疾病预防控制|爱国卫生"
                          r"|医疗保障)")
_SELF_TAIL = re.compile(r"^(?:卫健|卫生健康|区委|县委|区政府|县政府)")
_MIN_SHORT_SELF_REFS = 3
# "…的通知\nXX新区管委会、XX市人民政府,各县(市、区)人民政府,…:": the bodies a notice is sent to
_ADDRESSEES = re.compile(r"[^。：:\n]{0,160}?各[^。：:\n]{0,80}[：:]")
_LEVEL_RANK = {COUNTY: 2, CITY: 1, PROVINCE: 0}
# a portal's 来源 naming the place's own media or office ("XX发布", "XX融媒", "XX卫健"): not a news agency
# ("新华社") or a website ("XX网"), whose name may also be a place's
_SOURCE_TAIL = re.compile(r"^(?:发布|融媒|卫健|卫生健康|政务|人民政府|政府|县委|区委|市委|疾控)")


@dataclass(frozen=True)
class PlaceResolution:
    province: str = ""
    city: str = ""
    district: str = ""
    # field → (where it came from, "high" | "medium" | "low")
    sources: dict = field(default_factory=dict)
    notes: tuple[str, ...] = ()


def _slogan(body: str, m: Mention, *, strict: bool = False) -> bool:
    """健康XX / 健康XX建设 / 健康XX行动 — the plan's campaign named after its place, quoted or not
    (“健康XX”建设)."""
    if body[max(0, m.start - 2):m.start] != "健康":
        return False
    end = m.end + (body[m.end:m.end + 1] in "”’\"」』")
    return not strict or body[end:end + 2] in ("建设", "行动")


def _most_specific(mentions: list[Mention]) -> Mention | None:
    best = None
    for m in mentions:
        rank = max(_LEVEL_RANK[u.level] for u in m.candidates)
        if best is None or rank > best[0]:
            best = (rank, m)
    return best[1] if best else None


def _narrow(units: tuple[Division, ...], named: set[str]) -> tuple[Division, ...]:
    """Units whose city or province is among the names the context gives."""
    return tuple(u for u in units if u.level != PROVINCE and (u.city in named or u.province in named))


def _names_of(mentions: list[Mention]) -> set[str]:
    return {u.name for m in mentions for u in m.candidates if u.level != COUNTY or len(m.candidates) == 1}


def _context_support(units: tuple[Division, ...], text: str, doc_prefix: str) -> Counter:
    """How often each candidate's city/province is named in `text` (+1 for a 文号 prefix match)."""
    support: Counter = Counter()
    mentions = national_matcher((PROVINCE, CITY)).find(text, english=False)
    counts = Counter(u.name for m in mentions for u in m.candidates if u.level != COUNTY)
    for u in units:
        support[u] += counts.get(u.city, 0) + counts.get(u.province, 0) * (u.province != u.city)
        # 文号 prefixes abbreviate the issuing place by its first character (兰卫发, 徐卫健发)
        if doc_prefix and u.city and doc_prefix[0] in {u.city[0], *(s[0] for s in short_forms(u.city))}:
            support[u] += 1
    return support


def _county_within(city: Division, tiers) -> tuple[Division, str] | None:
    """A county of `city` that the title or body names ("杭州市…办公室" + 《健康余杭…》)."""
    for label, _, ms in tiers:
        if not (label == "title" or label.startswith("body")):
            continue
        # a short name the city shares with one of its counties (新乡: 新乡市, 新乡县) is the city
        # speaking of itself, not a county
        inside = {u for m in ms if city not in m.candidates
                  for u in m.candidates if u.level == COUNTY and u.city == city.name}
        if len(inside) == 1:
            return inside.pop(), label
    return None


def _unit_in_title(province: Division, tiers) -> Division | None:
    """The one county or city of `province` that the title names, or None."""
    inside = {u for label, _, ms in tiers if label == "title" for m in ms for u in m.candidates
              if u.level != PROVINCE and u.province == province.name}
    if len(inside) > 1:  # a county and its own city (固原市西吉县): the county
        inside = {u for u in inside if u.level == COUNTY} or inside
    return inside.pop() if len(inside) == 1 else None


def _fields(unit: Division, source: str, confidence: str) -> PlaceResolution:
    prov, city, district = normalize_division(unit)
    src = {f: (source, confidence) for f, v in (("province", prov), ("city", city), ("district", district)) if v}
    return PlaceResolution(prov, city, district, src)


def _source_place(source: str, body: str) -> Mention | None:
    """The county a portal's 来源 names by its short form ("来源:XX发布"), told from the units sharing
    that name by the level the text speaks of itself at (全县 → XX县, not XX区); None unless one fits."""
    level = self_level(body)
    if not level:
        return None
    for m in national_matcher(_ALL_SHORT).find(source, english=False):
        if m.form != "short" or not _SOURCE_TAIL.match(source[m.end:]):
            continue
        fits = tuple(u for u in m.candidates if u.level == COUNTY and u.name.endswith(level))
        if len(fits) == 1:
            return Mention(m.surface, m.start, m.end, fits, m.form)
    return None


def _suffixed(m: Mention) -> bool:
    """A short form that keeps its unit's level (阿克塞县, 红河州): it names one unit as a full name does."""
    return m.form == "short" and len(m.candidates) == 1 and m.surface[-1] == m.candidates[0].name[-1]


def _addressee(body: str, m: Mention) -> bool:
    """Is the mention one of the bodies a notice is addressed to (a list ending "各…:")?"""
    return _ADDRESSEES.match(body, m.end) is not None and "通知" in body[max(0, m.start - 200):m.start]


def _last_resort(body: str, mentions: list[Mention]) -> tuple[str, str, list[Mention]] | None:
    """When no issuer, title, self-reference or full county name says where a text is from:

    - a city the text names in full as a body speaking ("XX市卫生局获悉", "XX市人民政府下发");
    - else, in a text speaking of itself as a city (市政府, 全市), the one unit it names in full, a city;
    - else one unit named by its short form at least twice (a local site's "XX新闻", the slogan
      "实力XX、生态XX"), of the level the text speaks of itself at (全市, 我区, 区委书记).
    Both are guesses and marked low.
    """
    cities = [m for m in mentions if m.form == "full" and all(u.level == CITY for u in m.candidates)
              and _ISSUER_TAIL.match(body[m.end:m.end + 8]) and not _addressee(body, m)]
    if len({m.surface for m in cities}) == 1:
        return (f"body ({len(cities)}× '{cities[0].surface}…', a city speaking)", "low", cities[:1])
    level = self_level(body)
    if not level:
        return None
    named = [m for m in mentions if m.form == "full" and not all(u.level == PROVINCE for u in m.candidates)
             and not _addressee(body, m)]
    if level == "市" and len({m.surface for m in named}) == 1 and all(u.level == CITY for u in named[0].candidates):
        # a text speaking of itself as a city (市政府, 全市) that names one city in full and no other unit
        # ("XX市七个县(市)区全部制定了…")
        return (f"body (the only place named: '{named[0].surface}', 全市)", "low", named[:1])
    # a short name that is also a province's (河北) is read as the province; one of another level
    # (惠民 in 惠民工程 is a 县's name) is a word
    counts = Counter(u for m in mentions if m.form == "short" and all(u.level != PROVINCE for u in m.candidates)
                     for u in m.candidates if u.name.endswith(level))
    ranked = counts.most_common(2)
    if ranked and ranked[0][1] >= 2 and (len(ranked) == 1 or ranked[0][1] > ranked[1][1]):
        u, n = ranked[0]
        m = next(m for m in mentions if u in m.candidates)
        return (f"body ({n}× '{m.surface}', 全{level})", "low", [Mention(m.surface, m.start, m.end, (u,), "short")])
    return None


def _over_its_counties(counties: list[Mention], mentions: list[Mention]) -> Mention | None:
    """The one city (地区, 州) named in full whose counties are all the county-level units a text names in full:
    a prefecture's report lists what its counties do ("持续推进喀什市、岳普湖县创建…" under "喀什地区…")."""
    cities = {u.city for m in counties for u in m.candidates}
    if len(cities) != 1:
        return None
    whole = [m for m in mentions if m.form == "full" and len(m.candidates) == 1 and m.candidates[0].level == CITY
             and m.candidates[0].name in cities]
    return whole[0] if whole else None


def resolve_place(*, issuer: list[tuple[str, str]] = (), title: str = "", body: str = "",
                  doc_number: str = "", source: str = "") -> PlaceResolution:
    """The (province, city, district) a document is about.

    `issuer`: (source label, text) pairs that name the issuing body, best
    first; `title`, `body`: the document's title and text; `doc_number`: its
    文号 (the prefix may abbreviate the place); `source`: a portal's 来源 value, read only when
    nothing else names a place.
    """
    names = national_matcher(_ALL_SHORT)
    prefix = re.split(r"[〔（(\[［]", doc_number)[0] if doc_number else ""
    tiers: list[tuple[str, str, list[Mention]]] = []
    issuer_names = national_matcher((PROVINCE, CITY))  # an issuer field is a name: 黄南州卫生健康委员会
    for label, text in issuer:
        tiers.append((label, "high", issuer_names.find(text, english=False)))
    mentions = names.find(body[:5000], english=False) if body else []
    # "健康龙江行" in a text naming 黑龙江省: the province's campaign, not the county 龙江's
    provinces = {u.name for m in mentions for u in m.candidates if u.level == PROVINCE}
    in_province = lambda m: m.form == "short" and any(m.surface in p for p in provinces)  # noqa: E731
    if title:
        tiers.append(("title", "medium", [m for m in names.find(title, english=False) if not in_province(m)]))
    if body:
        # the body speaking of its issuer: "XX区卫生健康局", "XX县人民政府", or by the short
        # name in the plan's own slogans ("健康XX建设", "XX卫健")
        own = [m for m in mentions
               if any(u.level == COUNTY for u in m.candidates) and not _addressee(body, m) and not in_province(m) and (
                   (m.form == "full" and _ISSUER_TAIL.match(body[m.end:m.end + 8]))
                   or (m.form == "short" and (_SELF_TAIL.match(body[m.end:m.end + 4]) or _slogan(body, m))))]
        if own:
            top, n = Counter(m.surface for m in own).most_common(1)[0]
            short = all(m.form == "short" and not _slogan(body, m, strict=True) for m in own if m.surface == top)
            # a short name after 健康 once ("健康惠民") is a word, not a self-reference: ask for a
            # habit, unless it is the plan's own campaign ("健康临川建设", "健康XX行动")
            if not short or n >= _MIN_SHORT_SELF_REFS:
                tiers.append((f"body ({n}× '{top}…')", "low", [m for m in own if m.surface == top][:1]))
        found = [u for _, _, ms in tiers for m in ms for u in m.candidates]
        if source and (m := _source_place(source, body[:5000])) and all(
                u.level == CITY and u.name == m.candidates[0].city for u in found):
            # nothing else names a place, or only the county's own city (XX发布: XX市 or XX县? 全县 says)
            tiers.insert(0, (f"portal source '{source}' + the text's 全{m.candidates[0].name[-1]}", "low", [m]))
        if not any(ms for _, _, ms in tiers):
            # no issuer, title or self-reference names a place (a table row copied without its
            # header): the one county-level unit the text names in full is the best guess, and is
            # marked as such; two different ones, and it is left open. Three characters at least:
            # a two-character county (康县) is also the tail of a word (健康县)
            # an autonomous county's usual name (XX县 for XX哈萨克族自治县) is as good as its full one
            counties = [m for m in names.find(body[:5000], english=False)
                        if (m.form == "full" or _suffixed(m)) and len(m.surface) >= 3
                        and all(u.level == COUNTY for u in m.candidates)]
            if len({m.surface for m in counties}) == 1:
                tiers.append((f"body (the only place named: '{counties[0].surface}')", "low", counties[:1]))
            elif counties and (whole := _over_its_counties(counties, mentions)):
                tiers.append((f"body ('{whole.surface}' and {len({m.surface for m in counties})} of its counties)",
                              "low", [whole]))
            elif not counties and (last := _last_resort(body[:5000], mentions)):
                tiers.append(last)
    context_names = set()
    for _, _, ms in tiers:
        context_names |= _names_of(ms)
    for label, conf, ms in tiers:
        m = _most_specific(ms)
        if m is None:
            continue
        units = m.candidates
        if len(units) > 1:
            units = _narrow(units, _names_of(ms)) or _narrow(units, context_names) or units
        if len(units) > 1 and body:
            support = _context_support(units, f"{title}\n{body}", prefix)
            ranked = support.most_common()
            if ranked and ranked[0][1] > 0 and (len(ranked) == 1 or ranked[0][1] > ranked[1][1]):
                u, n = ranked[0]
                res = _fields(u, label, conf)
                src = dict(res.sources)
                for f in ("city", "province"):
                    if f in src:
                        src[f] = (f"context: {u.city or u.province} named {n}× in the text", "medium")
                return PlaceResolution(res.province, res.city, res.district, src)
        if len(units) == 1:
            if units[0].level == PROVINCE and label.startswith("portal") and source and m.surface in source:
                # a portal's 来源 naming a province (来源:XX自治区卫生健康委员会) is where the page was posted,
                # not who wrote it: a county or city of that province the title names is the place
                finer = _unit_in_title(units[0], tiers)
                if finer:
                    res = _fields(finer, "title", "medium")
                    return PlaceResolution(res.province, res.city, res.district,
                                           {**_fields(units[0], label, conf).sources, **res.sources})
            if units[0].level == CITY:
                finer = _county_within(units[0], tiers)
                if finer:
                    res = _fields(finer[0], finer[1], "medium")
                    src = {**_fields(units[0], label, conf).sources, "district": res.sources["district"]}
                    return PlaceResolution(res.province, res.city, res.district, src)
            return _fields(units[0], label, conf)
        # the name is certain, where it is not: keep the name, say why the rest is empty
        where = "、".join(sorted({u.city or u.province for u in units}))
        note = f"{m.surface} is the name of {len(units)} places ({where}); the text does not say which"
        levels = {u.level for u in units}
        res = PlaceResolution(notes=(note,))
        if levels == {COUNTY}:
            provs = {u.province for u in units}
            src = {"district": (label, conf)}
            prov = provs.pop() if len(provs) == 1 else ""
            if prov:
                src["province"] = (label, conf)
            return PlaceResolution(prov, "", units[0].name, src, (note,))
        return res
    return PlaceResolution(notes=("no place named in the issuer, title or body",))
