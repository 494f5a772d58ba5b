"""The ask pipeline: question (+ history, filters) → `Response` with an `Answer`.

    follow-up rewrite → search → header/catalogue route or extractive answer
    → confidence → filter note

Shared by the HTTP API / chat (`qa.api.Backend.ask`) and the evaluation
(`python -m eval` scores the answers it returns), so what is measured is
what users see.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Callable

from .answer import Answer, build_answer
from .followup import rewrite
from .query import MAX_QUERY_CHARS
from .records import Hit

log = logging.getLogger(__name__)

SEARCH_POOL = 10  # hits fetched for answering even when fewer passages are shown


@dataclass(frozen=True, slots=True)
class Response:
    searched: str  # the question actually searched (after follow-up rewriting and normalisation)
    note: str  # how the question was rewritten, or ""
    answer: Answer
    hits: tuple[Hit, ...] = ()


def answer_lang(r, question: str, q) -> str:
    """'en' when the question as typed (or, failing that, as searched) is English."""
    typed = r.analyze(question) if question.strip() else q
    return "en" if (typed.script == "en" or (q.script == "en" and typed.script != "zh")) else "zh"


def respond(r, question: str, history: list[str] | None = None, *, k: int = 3, district=None, year=None,
            mode: str = "hybrid", hits: list[Hit] | None = None,
            sections: Callable[[str], str] | None = None) -> Response:
    """Answer `question` with retriever `r`. `hits` (already searched for the rewritten
    question with these filters) skips the search. ValueError on empty/bad input."""
    searched, note = rewrite(question, list(history or []), r.gazetteer)
    q = r.analyze(searched)  # ValueError on an empty question
    if hits is None:
        hits = r.search(searched, k=max(int(k), SEARCH_POOL), district=district, year=year, mode=mode or "hybrid")
    abstain = r.should_abstain(q, hits)
    lang = answer_lang(r, question, q)
    if q.truncated:  # say so: the rest of a pasted text was not searched
        cut = (f"question truncated to {MAX_QUERY_CHARS} characters" if lang == "en"
               else f"问题过长，只检索了前 {MAX_QUERY_CHARS} 个字符")
        note = f"{note}; {cut}" if note else cut
    answer = build_answer(question, hits, query=q, abstain=abstain, lang=lang, max_citations=int(k),
                          sections=sections)
    return Response(q.text, note, answer, tuple(hits))
