"""A document's recognised metadata as a table a person can check."""
from __future__ import annotations

import unicodedata

from ..records import DocMeta

_LABELS = [("district", "区/县 district"), ("city", "市/州 city"), ("province", "省 province"),
           ("issuer", "发文机关 issuer"), ("doc_number", "文号"), ("date", "印发日期 date"), ("year", "年度 year"),
           ("title", "标题 title"), ("signer", "签发人 signer")]


def field_rows(meta: DocMeta) -> list[tuple[str, str, str]]:
    """(label, value or a 'not found' mark, where it came from / how sure)."""
    sources = meta.sources or {}
    unresolved = sources.get("unresolved") or []
    rows = []
    for field, label in _LABELS:
        value = getattr(meta, field)
        src = sources.get(field)
        if value not in ("", None):
            how = f"{src['from']} ({src['confidence']})" if isinstance(src, dict) else "catalogue"
            rows.append((label, str(value), how))
        elif field in ("city", "province", "district") and unresolved:
            rows.append((label, "— unresolved", "; ".join(unresolved)))
        else:
            rows.append((label, "— not found", "the text does not state it"))
    return rows


def metadata_table(meta: DocMeta, *, header: bool = True) -> str:
    """Plain-text table of `field_rows`, one line per field."""
    rows = field_rows(meta)
    w0 = max(_width(r[0]) for r in rows)
    w1 = min(40, max(_width(r[1]) for r in rows))
    lines = [f"{meta.doc_id}  ({meta.file})"] if header else []
    lines += [f"  {_pad(a, w0)}  {_pad(b, w1)}  {c}" for a, b, c in rows]
    return "\n".join(lines)


def _width(s: str) -> int:
    """Terminal columns: CJK characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in s)


def _pad(s: str, width: int) -> str:
    return s + " " * max(0, width - _width(s))
