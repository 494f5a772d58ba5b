"""What a document's own text says about it: title, issuer, place, 文号, dates.

Three layouts arrive, often together: the portal block above a web-page copy
(`portal`), the official notice header and signature block (`header`), and a
bare title.  `extract_metadata` reads them and resolves the place with the
national gazetteer (`qa.places.resolve_place`).  Every field it fills is in
`sources` with where it came from and how sure it is; a field the text does
not state stays "" / None, and an ambiguous place is left unresolved with a
note in `sources["unresolved"]` — never guessed.
"""
from __future__ import annotations

import re

from ..places import resolve_place
from . import header, portal

FIELDS = ("title", "issuer", "province", "city", "district", "year", "doc_number", "date", "signer")


def _empty() -> dict:
    return {f: (None if f == "year" else "") for f in FIELDS} | {"sources": {}}


def extract_metadata(text: str, *, head_lines: int = 30, tail_lines: int = 12) -> dict:
    """DocMeta fields the text states, plus `sources` (field → {"from", "confidence"})."""
    all_lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    lines = all_lines[:head_lines]
    out = _empty()
    src: dict = {}

    def put(field: str, value, where: str, confidence: str = "high") -> None:
        if value not in ("", None) and out[field] in ("", None):
            out[field] = value
            src[field] = {"from": where, "confidence": confidence}

    block = portal.parse_block(all_lines)
    for field, (value, key) in block.items():
        where = f"portal {key}"
        if field == "issuer":
            put("issuer", header.squash(value), where)
        elif field == "doc_number":
            num, year = header.doc_number_of(value)
            put("doc_number", num, where)
            put("year", year, where)
        elif field == "written":
            put("date", header.date_of(value, whole_line=False), where)
        elif field == "title":
            put("title", header.squash(value) if len(value) <= 60 else "", where)
        elif field == "signer":
            put("signer", header.squash(value)[:4], where)

    body_lines = [ln for ln in lines if not portal.pairs(ln) or portal.parse_block([ln]) == {}]
    for i, ln in enumerate(body_lines[:10]):
        if not out["issuer"]:
            put("issuer", header.issuer_of(ln), f"header line {i + 1}")
        num, year = header.doc_number_of(ln)
        if num:
            put("doc_number", num, f"header line {i + 1}")
            put("year", year, f"header line {i + 1}")
        put("signer", header.signer_of(ln), f"header line {i + 1}")
    for ln in lines:
        put("date", header.date_of(ln), "date line")
    # the signature block: an issuer line right above the closing date line
    tail = all_lines[len(lines):][-tail_lines:] if len(all_lines) > len(lines) else []
    for a, b in zip(tail, tail[1:]):
        if header.date_of(b):
            put("issuer", header.issuer_of(a), "signature block")
            put("date", header.date_of(b), "signature block")
    put("title", header.title_of(lines[:12]), "title line")
    if out["year"] is None and out["title"]:
        m = header.YEAR_IN_TITLE.search(out["title"])
        put("year", int(m.group(1)) if m else None, "title")
    if out["year"] is None and out["date"]:
        put("year", int(out["date"][:4]), "date", "medium")
    if "published" in block and not out["date"]:
        # the portal's publication date is not the issue date: keep it only as the year's last resort
        pub = header.date_of(block["published"][0], whole_line=False)
        if pub and out["year"] is None:
            put("year", int(pub[:4]), f"portal {block['published'][1]}", "low")

    issuers = [(src["issuer"]["from"], out["issuer"])] if out["issuer"] else []
    if "source" in block:
        issuers.append((f"portal {block['source'][1]}", block["source"][0]))
    place = resolve_place(issuer=issuers, title=out["title"], body=text[:20000], doc_number=out["doc_number"])
    for field in ("province", "city", "district"):
        value = getattr(place, field)
        if value:
            where, conf = place.sources.get(field, ("gazetteer", "medium"))
            put(field, value, where, conf)
    if place.notes and not all(out[f] for f in ("province", "city")):
        src["unresolved"] = list(place.notes)
    out["sources"] = src
    return out


def title_line_index(lines: list[str], title: str) -> int | None:
    """Index of the body's own title line (the line that equals the title)."""
    target = header.squash(title)
    if not target:
        return None
    for i, ln in enumerate(lines):
        if header.squash(ln) == target:
            return i
    return None


__all__ = ["FIELDS", "extract_metadata", "title_line_index"]
