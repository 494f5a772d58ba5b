"""The district/city/year filter of a search → the documents it allows.

A filter value may be written as the catalogue writes it or as people do (鼓楼 for 鼓楼区, a pinyin name): the
gazetteer resolves it against the values the catalogue holds. A value matching none is a clear error naming
the valid ones, never an empty result.
"""
from __future__ import annotations

from typing import Iterable

from ..records import DocMeta


def _resolve(gazetteer, value: str, field: str, valid: list[str]) -> str:
    if value in valid:
        return value
    for p in gazetteer.find(str(value)):
        if p.field == field and p.value in valid:
            return p.value
    raise ValueError(f"unknown {field} {value!r}; valid values: {', '.join(valid)}")


def allowed_docs(metas: Iterable[DocMeta], gazetteer, district=None, city=None, year=None) -> frozenset[str] | None:
    """The doc_ids the filters allow; None when no filter is set. ValueError for a value matching nothing."""
    if district is None and city is None and year is None:
        return None
    metas = list(metas)
    docs = metas
    if district is not None:
        d = _resolve(gazetteer, district, "district", sorted({m.district for m in metas if m.district}))
        docs = [m for m in docs if m.district == d]
    if city is not None:
        c = _resolve(gazetteer, city, "city", sorted({m.city for m in metas if m.city}))
        docs = [m for m in docs if m.city == c]
    if year is not None:
        years = sorted({m.year for m in metas if m.year})
        try:
            y = int(year)
        except (TypeError, ValueError, OverflowError):  # OverflowError: year=float("inf")
            y = None
        if isinstance(year, float) and not year.is_integer():
            y = None  # 2021.7 is not a year; int() would quietly make it 2021
        if y not in years:
            raise ValueError(f"unknown year {year!r}; valid values: {', '.join(map(str, years))}")
        docs = [m for m in docs if m.year == y]
    return frozenset(m.doc_id for m in docs)
