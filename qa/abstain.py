"""Should the assistant say "the documents do not seem to answer this"?

Without a reader model the only evidence is retrieval's own, so the rules
are conservative and each has a reason a person would accept:

1. the question is about a place no document covers (杭州市西湖区);
2. it asks for a header field (签发人, 文号, 印发日期) of a document whose
   header does not state it — the catalogue knows which fields are empty;
3. the best passage shares few of the question's weighted terms *and* the
   dense score of that passage is not far above a typical chunk's;
4. an English question the glossary understood well, whose understood terms
   the best passage lacks.
"""
from __future__ import annotations

import re

from .query import Query
from .records import Hit
from .tokenize import tokenize

# Place names of the form 西湖区 / 杭州市 that are not places (全区, 社区, 示范区…)
_NOT_PLACES = {"全区", "本区", "该区", "各区", "我区", "社区", "城区", "辖区", "园区", "景区", "市区", "郊区", "片区",
               "山区", "示范区", "先行区", "试验区", "功能区", "哪个区", "哪些区", "全市", "本市", "我市", "各市",
               "城市", "全县", "各县", "本县", "哪个市", "哪个县", "新城区", "老城区", "开发区", "街区"}
_PLACE_LIKE = re.compile(r"(?:^|[^\u4e00-\u9fa5]|[在省的与和及、])([\u4e00-\u9fa5]{2,3}[市区县])")
_EN_PLACE_LIKE = re.compile(r"\b([A-Z][a-z]{2,})\s+(?:District|City|County)\b")
_HEADER_FIELDS = [
    (re.compile(r"签发人|签发|signed by|signator", re.I), "signer"),
    (re.compile(r"文号|发文字号|document number", re.I), "doc_number"),
    (re.compile(r"哪天印发|何时印发|印发日期|什么时候印发|哪一天印发|成文日期|发文日期|date of issue|issued on|issue date", re.I), "date"),
]
ZH_MIN_COVERAGE = 0.3  # IDF share of the question's terms in the best passage
DENSE_Z_CONFIDENT = 1.5  # best passage's cosine, in std above the collection mean
EN_UNDERSTOOD = 0.5  # glossary coverage above which an English question is "understood"


def unknown_places(q: Query, gazetteer) -> list[str]:
    """Place-like names in the question that no document is about."""
    known = {p.surface for p in q.places}
    found = []
    for m in _PLACE_LIKE.finditer(q.text):
        name = m.group(1)
        if name in _NOT_PLACES or name[:-1] in _NOT_PLACES or any(name in k or k in name for k in known):
            continue
        if name.startswith(("哪", "全", "各", "本", "我", "该", "每")):
            continue
        found.append(name)
    for m in _EN_PLACE_LIKE.finditer(q.text):
        if not gazetteer.find(m.group(0)):
            found.append(m.group(0))
    return found


def missing_header_field(q: Query, metas: dict) -> str | None:
    """The header field asked about, if every document the question names lacks it."""
    if not q.place_doc_ids:
        return None
    for pattern, field in _HEADER_FIELDS:
        if pattern.search(q.text) and all(not getattr(metas[d], field) for d in q.place_doc_ids):
            return field
    return None


def evidence(r, q: Query, hit: Hit) -> tuple[float, float]:
    """(lexical coverage, dense z-score) of one hit for the question."""
    terms = tokenize(q.text) + (tokenize(" ".join(q.expansion)) if q.expansion else [])
    row = r._row[hit.chunk_id]
    cov = r._coverage(terms, row)
    qv = r.query_vector(q.text)
    mean, std = r._dense_stats(qv, None)
    cos = float(r.dense_scores(qv, [row])[0])
    return cov, (cos - mean) / std if std > 0 else 0.0


def should_abstain(r, q: Query, hits: list[Hit]) -> bool:
    if not hits:
        return True
    if unknown_places(q, r.gazetteer) and not q.places:
        return True
    if missing_header_field(q, r.metas):
        return True
    cov, dz = evidence(r, q, hits[0])
    if q.script == "zh":
        return cov < ZH_MIN_COVERAGE and dz < DENSE_Z_CONFIDENT
    return q.en_coverage >= EN_UNDERSTOOD and cov < ZH_MIN_COVERAGE and dz < DENSE_Z_CONFIDENT
