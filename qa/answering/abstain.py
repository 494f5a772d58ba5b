"""Should the assistant say "the documents do not seem to answer this"?

Without a reader model the only evidence is retrieval's own, so the rules
are conservative and each has a reason a person would accept:

1. the question is about a place no document covers (杭州市西湖区) — the
   national gazetteer knows every place, loaded or not — and no passage found
   writes its name (`written_places`: a copy whose header hides its place);
2. it asks for a header field (签发人, 文号, 印发日期) of a document whose
   header does not state it — the catalogue knows which fields are empty;
3. a Chinese question whose best passage shares few of its weighted terms
   *and* whose dense score is not far above a typical chunk's.

English questions are judged once the answer sentence is chosen
(`qa.answering.grounding`): a passage-level rule for them (understood words missing
from the best passage) abstained on 4 answerable and no unanswerable
development questions — cross-lingual passages rarely hold the glossary's
exact words even when they answer.
"""
from __future__ import annotations

from dataclasses import replace

from ..crosslingual import translations
from ..places.divisions import short_forms
from ..search.query import Query
from ..records import Hit
from ..indexing.tokenize import tokenize

ZH_MIN_COVERAGE = 0.3  # IDF share of the question's terms in the best passage
DENSE_Z_CONFIDENT = 1.5  # best passage's cosine, in std above the collection mean


def unloaded_message(q: Query, *, en: bool) -> str:
    """"没有北京市朝阳区的文件；已载入：…" for a question about places nothing covers."""
    if not q.unloaded:
        return ""
    names = "、".join(q.unloaded) if not en else ", ".join(q.unloaded)
    loaded = ("、" if not en else ", ").join(q.loaded_places) or ("（无）" if not en else "(none)")
    if en:
        return f"No document for {names} is loaded; loaded: {loaded}."
    return f"没有{names}的文件；已载入：{loaded}。"


WRITTEN_IN_TOP = 5  # hits searched for an unloaded place's name


def written_places(q: Query, hits: list[Hit]) -> Query:
    """`q` without the "unloaded" places the best passages write by name.

    A place is unloaded when no catalogue entry is about it; but the catalogue is extracted,
    and a copy whose header hides its place (a news item, a page without its title) is still
    the plan that names 甲县 in every paragraph. Saying "没有甲县的文件" above that very
    passage would be wrong; the question is answered from the passages like any other.
    """
    if not q.unloaded or not hits:
        return q
    texts = [h.text for h in hits[:WRITTEN_IN_TOP]]
    # the passage may write the place as people say it ("芒康,藏语意为…" for 芒康县): its short form will do
    written = {n for n in q.unloaded_names if len(n) >= 3 and any(
        v in t for t in texts for v in (n, *(s for s in short_forms(n) if len(s) >= 2)))}
    if not written or len(written) < len(set(q.unloaded_names)):
        return q  # every place the question names must be written, or it is still about a missing one
    return replace(q, unloaded=(), unloaded_names=())


def missing_header_field(q: Query, metas: dict) -> str | None:
    """The header field asked about, if every document the question names lacks it."""
    if not q.place_doc_ids:
        return None
    field = q.header_field
    if field and all(not getattr(metas[d], field) for d in q.place_doc_ids):
        return field
    return None


def evidence(r, q: Query, hit: Hit) -> tuple[float, float]:
    """(lexical coverage, dense z-score) of one hit for the question."""
    terms = tokenize(q.text) + (tokenize(" ".join(translations(q))) if q.expansion else [])
    row = r._row[hit.chunk_id]
    cov = r._coverage(terms, row)
    if q.xling:  # English: each word's alternative translations count once (qa.crosslingual.group_coverage)
        from ..crosslingual import group_coverage

        cov = max(cov, group_coverage(q.xling, r._token_set(row), r._idf))
    qv = r.query_vector(q.text)
    mean, std = r._dense_stats(qv, None)
    cos = float(r.dense_scores(qv, [row])[0])
    return cov, (cos - mean) / std if std > 0 else 0.0


def should_abstain(r, q: Query, hits: list[Hit]) -> bool:
    if not hits:
        return True
    if q.unloaded and not q.places:
        return True
    if missing_header_field(q, r.metas):
        return True
    if q.script != "zh":
        return False  # see the module docstring: qa.answering.grounding decides for English questions
    cov, dz = evidence(r, q, hits[0])
    return cov < ZH_MIN_COVERAGE and dz < DENSE_Z_CONFIDENT
