"""The ask pipeline: question (+ history, filters) → `Response` with an `Answer`.

    follow-up rewrite → header/catalogue question? → search → abstain?
    → sentence vectors → extractive answer with a confidence label
    → a note when a filter excluded the best passage

Shared by the HTTP API / chat (`qa.web.api.Backend.ask`) and the evaluation
(`python -m eval` scores the answers it returns), so what is measured is
what users see.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Callable

from . import header
from .answer import Answer, Citation, Sentence, build_answer, english_label, place_label, segments
from .abstain import written_places
from .asked import spells_out
from .confidence import DIRECT, NOT_FOUND
from .followup import rewrite
from .pick import TOP_HITS
from ..search.query import MAX_QUERY_CHARS
from ..records import Hit

log = logging.getLogger(__name__)

SEARCH_POOL = 10  # hits fetched for answering even when fewer passages are shown
MANY_POOL = 30  # a which-districts question looks further down for districts that say it too


@dataclass(frozen=True, slots=True)
class Response:
    searched: str  # the question actually searched (after follow-up rewriting and normalisation)
    note: str  # how the question was rewritten, or ""
    answer: Answer
    hits: tuple[Hit, ...] = ()


def answer_lang(r, question: str, q) -> str:
    """'en' when the question as typed (or, failing that, as searched) is English."""
    typed = r.analyze(question) if question.strip() and question.strip() != q.text else q
    return "en" if (typed.script == "en" or (q.script == "en" and typed.script != "zh")) else "zh"


def _sentence_evidence(r, q, hits):
    """(chunk id → sentence cosines, (mean, std) over all sentences) for the top hits, or (None, None)."""
    try:
        from .sentvec import for_retriever
    except ImportError:  # numpy-free callers (tests of the pure parts) answer lexically
        return None, None
    sv = for_retriever(r)
    top = len(hits) if q.which == "many" else TOP_HITS
    rows = [r._row[h.chunk_id] for h in hits[:top] if h.chunk_id in r._row]
    if not rows:
        return None, None
    qv = r.query_vector(q.text)
    sims = sv.similarities(qv, rows)
    return {r.chunks[i].chunk_id: v for i, v in sims.items()}, sv.stats(qv)


def filter_note(r, q, hits, *, district, year, mode, en: bool) -> str:
    """'已按 鼓楼区 筛选；不筛选时最相关的是 平顶山市卫东区' when the filter hid the best passage."""
    if district is None and year is None:
        return ""
    best = r.search(q.text, k=1, mode=mode)
    if not best or (hits and best[0].doc_id == hits[0].doc_id):
        return ""
    b = best[0]
    if any(h.doc_id == b.doc_id for h in hits[:1]):
        return ""
    shown = "，".join(str(x) for x in (district, year) if x is not None)
    if en:
        return f"Filtered by {shown}; without the filter the most relevant passage is from {english_label(b)}."
    return f"已按 {shown} 筛选；不筛选时最相关的是 {place_label(b)}" + (f"（《{b.title}》）。" if b.title else "。")


def header_answer(r, hq: header.HeaderQuestion, q, *, lang: str, note: str) -> Answer:
    """A header field or the catalogue, from the metadata, each line citing its document's header passage."""
    en = lang == "en"
    metas = [r.metas[d] for d in hq.doc_ids]
    lines, cites = [], []
    found = False
    for m in metas:
        chunk = header.header_chunk(c for c in r.chunks if c.doc_id == m.doc_id)
        if chunk is None:
            continue
        hit = header.as_hit(chunk, m)
        cites.append(hit)
        place = english_label(hit) if en else place_label(hit)
        if hq.field == "catalogue":
            text = header.catalogue_line(m, en)
            found = True
        elif hq.field == "doc_number" and (cited := header.cited_number(
                q.text, m, [c for c in r.chunks if c.doc_id == m.doc_id])):
            # the 文号 asked for is of a document the text cites ("…制发了《…方案》(X发〔2020〕1号)")
            title, number, chunk = cited
            hit = header.as_hit(chunk, m)
            cites[-1] = hit
            text = (f"{header.doc_name(m, en)} cites 《{title}》 with document number {number}." if en
                    else f"{header.doc_name(m, en)}正文引用的《{title}》，文号为{number}。")
            found = True
        else:
            # every field asked, in the question's order ("由哪个机关印发、落款日期是哪天": the issuer, then the date)
            for i, field in enumerate(hq.fields or (hq.field,)):
                text = header.field_line(field, m, en)
                found |= bool(getattr(m, field, ""))
                lines.append(Sentence(text, len(cites), place if i == 0 else "", ((text, False),)))
            continue
        lines.append(Sentence(text, len(cites), place, ((text, False),)))
    if hq.field == "catalogue":
        n = len(lines)
        heading = (f"{n} document(s):" if en else f"共 {n} 份文件：") if n else (
            "No document matches." if en else "没有符合条件的文件。")
        found = bool(n)
    else:
        heading = ""
    citations = tuple(Citation(i + 1, h, segments(h.text, ()), "", True) for i, h in enumerate(cites))
    body = [heading] if heading else []
    body += [f"{s.label}{': ' if en else '：'}{s.text} [{s.n}]" if s.label else f"{s.text} [{s.n}]" for s in lines]
    body += [note] if note else []
    return Answer(lead="\n".join(body), lang=lang, districts=tuple(dict.fromkeys(place_label(h) for h in cites)),
                  sentences=tuple(lines), citations=citations, abstained=not found, searched=q.text, heading=heading,
                  terms=(), doc_ids=tuple(dict.fromkeys(h.doc_id for h in cites)),
                  confidence=DIRECT if found else NOT_FOUND, note=note)


def warm(r) -> str:
    """Load (or compute, once per index build) the sentence vectors and tokens answers are chosen with."""
    from .answer import sentence_tokens, split_sentences
    from .sentvec import MAX_PRECOMPUTE, for_retriever
    from .topic import _nouns
    from ..crosslingual.lexicon import proper_readings
    from ..crosslingual.things import thing_table

    did = for_retriever(r).warm()
    _nouns()  # read once here, not on the first question with a word no passage has
    thing_table()  # the dictionary's specific things and acronyms (~1.5 s), likewise for the first English question
    proper_readings()  # how places are romanised in English answers (长治 Changzhi, not Zhangzhi)
    if getattr(r.xling, "names", None) is not None:
        r.xling.names.build()  # pinyin keys of the vocabulary, here rather than on the first English question
    sents = [c.text[a:b] for c in r.chunks for a, b in split_sentences(c.text)]
    if len(sents) <= MAX_PRECOMPUTE:
        for s in sents:
            sentence_tokens(s)
    return did


def respond(r, question: str, history: list[str] | None = None, *, k: int = 3, district=None, year=None,
            mode: str = "hybrid", hits: list[Hit] | None = None,
            sections: Callable[[str], str] | None = None) -> Response:
    """Answer `question` with retriever `r`. `hits` (already searched for the rewritten
    question with these filters) skips the search. ValueError on empty/bad input."""
    searched, note = rewrite(question, list(history or []), r.gazetteer)
    q = r.analyze(searched)  # ValueError on an empty question
    lang = answer_lang(r, question, q)
    en = lang == "en"
    if q.truncated:  # say so: the rest of a pasted text was not searched
        cut = (f"question truncated to {MAX_QUERY_CHARS} characters" if en
               else f"问题过长，只检索了前 {MAX_QUERY_CHARS} 个字符")
        note = f"{note}; {cut}" if note else cut
    hq = header.classify(q, r.metas)
    if hq is not None and district is None and year is None:
        return Response(q.text, note, header_answer(r, hq, q, lang=lang, note=""), ())
    if hits is None or (q.which == "many" and len(hits) < MANY_POOL):
        pool = MANY_POOL if q.which == "many" else max(int(k), SEARCH_POOL)
        hits = r.search(searched, k=pool, district=district, year=year, mode=mode or "hybrid")
    q = written_places(q, hits)  # a place the catalogue misses but the passages found write by name
    abstain = r.should_abstain(q, hits)
    sims, stats = _sentence_evidence(r, q, hits) if hits and not abstain else (None, None)
    fnote = filter_note(r, q, hits, district=district, year=year, mode=mode or "hybrid", en=en)
    answer = build_answer(question, hits, query=q, abstain=abstain, lang=lang, max_citations=int(k),
                          sections=sections, sims=sims, sim_stats=stats, note=fnote,
                          known=lambda t: t in r._idf, idf=lambda t: r._idf.get(t, 1.0),
                          section_of=sections or (lambda cid: "\n".join(c.text for c in r.section_chunks(cid))),
                          spelled=lambda term: any(spells_out(term, c.text) for c in r.chunks
                                                   if not q.place_doc_ids or c.doc_id in q.place_doc_ids),
                          mentions=lambda pat: any(pat.search(c.text) for c in r.chunks if c.doc_id in q.place_doc_ids))
    return Response(q.text, note, answer, tuple(hits))
