"""Places the national table does not list, and which of two same-named units a text is.

Development zones and new areas (经济技术开发区, 高新区, XX新区) are run by a
管理委员会 and issue plans as a district does, but GB/T 2260 has no entry for
most of them.  Their committee's name is the evidence: the zone is the
document's district-level place, named as the text names it ("XX区" when the
text says so, else the zone's own name).

A short name two units share (朝阳: 朝阳县 of 朝阳市 and 朝阳区 of 北京, 长春) is told
apart by how the text speaks of itself: a county's plan says 全县/我县, a
district's 全区/我区.
"""
from __future__ import annotations

import re
from collections import Counter

from .divisions import short_forms

_ZONE_KINDS = ("经济技术开发区", "高新技术产业开发区", "经济开发区", "高新区", "开发区", "工业园区", "保税区", "试验区", "新区")
_ZONE = re.compile(r"([\u4e00-\u9fff]{2,16}?(?:%s))(?:党工委|管委会|管理委员会|工作委员会)" % "|".join(_ZONE_KINDS))
# 全县 / 我县 / 本县 / 县委 / 县政府: the text naming its own level
_SELF = re.compile(r"(?:全|我|本)(县|区|市|旗)|(县|区|旗)(?:委|政府|人民政府|卫生健康|卫健|两会|政协)")


def zone_district(issuer: str, text: str, city: str, province: str = "") -> str:
    """The development zone or new area an issuer's committee runs, as a district name; "" when none.

    "<city>XX经济技术开发区管理委员会办公室" + a text saying "XX区…" → "XX区";
    "<city>新区管委会办公室" → "<city>新区" (a new area is named with its city).
    """
    m = _ZONE.search(issuer or "")
    if not m:
        return ""
    name = m.group(1)
    if name.endswith("新区"):
        # <city>新区: the city's name is part of the new area's own
        for prefix in filter(None, (province, *short_forms(province or "x"))):
            if name.startswith(prefix) and len(name) - len(prefix) >= 4:
                name = name[len(prefix):]
        return name if len(name) >= 4 else ""
    for prefix in sorted(filter(None, (province, *short_forms(province or "x"), city, *short_forms(city or "x"))),
                         key=len, reverse=True):
        if name.startswith(prefix):
            name = name[len(prefix):]
    core = name
    for kind in _ZONE_KINDS:
        if core.endswith(kind):
            core = core[: -len(kind)]
            break
    if len(core) < 2:
        return ""
    # the text's own short name for the zone ("XX区") when it uses one, else the zone's full name
    return core + "区" if core + "区" in text else name


def self_level(text: str) -> str:
    """The unit suffix the text uses of itself (县, 区, 市, 旗), when one clearly dominates; else ""."""
    counts = Counter(a or b for a, b in _SELF.findall(text))
    if not counts:
        return ""
    (top, n), *rest = counts.most_common()
    return top if n >= 2 and (not rest or n >= 2 * rest[0][1]) else ""


__all__ = ["self_level", "zone_district"]
