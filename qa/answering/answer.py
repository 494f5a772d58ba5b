"""Hits → `Answer`: a short extractive answer that cites its passages.

No language model: the answer is made of the passages' own sentences. Each
sentence of the top hits is scored by what the question asks (`qa.answering.pick`:
its terms, a number from the question weighing most; its meaning, by the
embedding model; the asked-for number or date), and the best one or two lead
the answer, prefixed with the district they come from; `qa.answering.confidence` says
how well it is supported. Highlights are data (`segments`), so any front end
can render them safely.
"""
from __future__ import annotations

import logging
import functools
import re
from dataclasses import dataclass, field
from typing import Callable, Mapping, Sequence

from .abstain import unloaded_message
# the first lines of an answer that declines are re-exported: tests and callers read them here
from .decline import (  # noqa: F401
    ABSTAIN_EN, ABSTAIN_ZH, NO_FIGURE_EN, NO_FIGURE_ZH, NOT_MENTIONED_EN, NOT_MENTIONED_ZH, NOT_SPELLED_ZH, MIN_LEX,
    decline_line, why_not,
)
from .compare import compared_places, one_per_place
from .confidence import DIRECT, NOT_FOUND, Signals, agreement, caption
from .confidence import label as confidence_label
from .labels import cells_text, english_label, labelled_cells, place_label, places_noun  # noqa: F401  (re-exported)
from .asked import ASKS_LOCATION, ASKS_PHONE, asked_meaning, explaining, spells_out
from .figures import ASKS_RATE, figure_picks
from .pick import ASKS_FIGURE_EN, ASKS_ORDINAL, TOP_HITS, Pick, asked_kind, asked_unit, carries, pick_sentences
from ..indexing.script import simplified
from ..search.query import Query
from .topic import many_districts, unknown_terms
from ..records import Hit
# qa.answering.topic reads _FRAME_WORDS and the scorers from here
from .sentlex import (  # noqa: F401
    _FRAME_WORDS, _is_number, _specific_number, implied_terms, query_terms, sentence_score, topic_specific,
)
from .sentlex import sentence_tokens, topic_weights
from .sentlex import question_chars
from .sentlex import trim as _trim

log = logging.getLogger(__name__)

_SENT_END = "。；！？!?;\n"
# Half-width forms for matching only; 1:1 so offsets stay valid in the original text.
_MATCH_MAP = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}


@dataclass(frozen=True, slots=True)
class Citation:
    """A numbered passage: the hit, its text as (text, is_mark) runs, its whole section."""

    n: int
    hit: Hit
    segments: tuple[tuple[str, bool], ...]
    section_text: str = ""
    used: bool = True  # an answer line cites it; False: shown apart as 其他相关段落
    focus: tuple[int, int] | None = None  # where in hit.text the first answer line citing it stands


@dataclass(frozen=True, slots=True)
class Sentence:
    """One answer line: `label` (a place, or "") + extracted `text`, citing passage `n`."""

    text: str
    n: int
    label: str = ""
    segments: tuple[tuple[str, bool], ...] = ()
    # a table row: (column name, cell) pairs, shown instead of the bare cells ("2025年 ≥79.2");
    # `text` stays the row as the document has it, which is what is cited
    cells: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class Answer:
    lead: str  # the whole answer as plain text (first line names the place / says it abstains)
    lang: str  # "zh" | "en": the language of the frame; cited text stays Chinese
    districts: tuple[str, ...]  # place labels the answer names, e.g. 平顶山市卫东区
    sentences: tuple[Sentence, ...]
    citations: tuple[Citation, ...]
    abstained: bool
    searched: str  # the question text actually searched
    heading: str = ""  # the first line when it stands alone (which-questions, abstention)
    terms: tuple[str, ...] = field(default=())  # what is highlighted
    doc_ids: tuple[str, ...] = field(default=())  # the documents of `districts`, same order
    confidence: str = ""  # 直接回答 | 部分相关 | 未找到 (qa.answering.confidence)
    caption: str = ""  # the line that says a partial answer is partial
    note: str = ""  # e.g. the filter excluded the best passage
    why: str = ""  # which rule abstained ("weak sentence", "ungrounded", …); "" when it answers
    signals: Signals | None = None  # what `confidence` was judged on (None: abstained or a which-places list)


_WHICH_DOCUMENT = re.compile(r"哪(?:个|份|一个|一份)文件|\bwhich (?:documents?|plans?)\b", re.IGNORECASE)


# ---------------------------------------------------------------- pure helpers
# "(此件公开发布)" closes a notice's signature block: what follows is the plan's first sentence, though a
# copy that lost its line breaks runs the two together ("…2021年5月12日 (此件公开发布) 健康是…")
_RELEASE_MARK = re.compile(r"[（(]此件[^（()）]{1,8}[）)]")


def split_sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) spans of the sentences of text, ending after 。；！？, a newline or a release mark
    (此件主动公开), trimmed."""
    spans, a = [], 0
    ends = {m.end() - 1 for m in _RELEASE_MARK.finditer(text)} if "此件" in text else set()
    for i, ch in enumerate(text):
        if ch in _SENT_END or i in ends:
            spans.append((a, i + 1))
            a = i + 1
    spans.append((a, len(text)))
    out = []
    for a, b in spans:
        while a < b and text[a].isspace():
            a += 1
        while b > a and text[b - 1].isspace():
            b -= 1
        if b > a and any(ch.isalnum() for ch in text[a:b]):
            out.append((a, b))
    return out



def segments(text: str, terms) -> tuple[tuple[str, bool], ...]:
    """text as (run, is_mark) pairs covering it exactly; marks on terms, longest first, no overlaps.

    A single character is marked only next to another mark (too noisy
    alone; a bare "1" never); a number is not marked inside a longer number
    (4.5% in 14.5%).
    """
    hay = simplified(text).translate(_MATCH_MAP).lower()  # the same length: a 繁體 passage is marked too
    taken: list[tuple[int, int]] = []
    for term in sorted({t for t in terms if t and len(t) > 1}, key=lambda t: (-len(t), t)):
        needle = term.translate(_MATCH_MAP).lower()
        start = 0
        while (i := hay.find(needle, start)) >= 0:
            j = i + len(needle)
            start = i + 1
            if _is_number(term) and ((i > 0 and (hay[i - 1].isdigit() or hay[i - 1] == ".")) or
                                     (j < len(hay) and hay[j].isdigit())):
                continue
            if term.isascii() and term.isalpha() and ((i > 0 and hay[i - 1].isalpha()) or
                                                      (j < len(hay) and hay[j].isalpha())):
                continue  # whole English words only
            if any(i < b and a < j for a, b in taken):
                continue
            taken.append((i, j))
    # a single character joins a neighbouring mark (不 in 报告患病率|不|低于), never stands alone
    singles = {t.translate(_MATCH_MAP).lower() for t in terms if len(t) == 1 and not t.isdigit()}
    changed = bool(singles and taken)
    while changed:
        changed = False
        for a, b in list(taken):
            for i in (a - 1, b):
                if 0 <= i < len(hay) and hay[i] in singles and not any(x <= i < y for x, y in taken):
                    taken.append((i, i + 1))
                    changed = True
    out, pos = [], 0
    for a, b in sorted(taken):
        if a > pos:
            out.append((text[pos:a], False))
        out.append((text[a:b], True))
        pos = b
    if pos < len(text) or not out:
        out.append((text[pos:], False))
    return tuple(out)



def _markable(weights: Mapping[str, float], hits: list[Hit]) -> tuple[str, ...]:
    """The terms worth highlighting, longest first.

    A two-character word found in more than a quarter of the retrieved
    sentences (服务, 卫生, 管理) would light up every line; it still counts
    for scoring but is not marked. Numbers and longer words always are.
    """
    sents = [h.text[a:b] for h in hits for a, b in split_sentences(h.text)]
    common: set[str] = set()
    if len(sents) >= 8:
        for t in weights:
            if len(t) <= 2 and not _is_number(t) and sum(t in s for s in sents) > 0.25 * len(sents):
                common.add(t)
    return tuple(sorted((t for t in weights if t not in common), key=lambda t: (-len(t), t)))


# ---------------------------------------------------------------- the answer
def _dense_z(p: Pick, sim_stats) -> float | None:
    if p.cos is None or not sim_stats or sim_stats[1] <= 0:
        return None
    return (p.cos - sim_stats[0]) / sim_stats[1]


def build_answer(question: str, hits: list[Hit], *, query: Query, abstain: bool, lang: str = "zh",
                 max_citations: int = 3, sections: Mapping[str, str] | Callable[[str], str] | None = None,
                 sims: Mapping[str, Sequence[tuple[int, int, float]]] | None = None,
                 sim_stats: tuple[float, float] | None = None, note: str = "",
                 known: Callable[[str], bool] | None = None,
                 section_of: Callable[[str], str] | None = None,
                 spelled: Callable[[str], bool] | None = None,
                 mentions: Callable[[re.Pattern[str]], bool] | None = None,
                 idf: Callable[[str], float] | None = None) -> Answer:
    """The answer to `question` from ranked `hits` (best first).

    `query` is the analysed searched text; `abstain` comes from
    `Retriever.should_abstain`; `sections` maps a chunk id to its whole
    section's text (for 'show whole section'); `max_citations` caps the
    passages shown, except that a which-districts listing cites one passage
    per district it names. `sims` maps a chunk id to its sentences'
    (start, end, cosine with the question) and `sim_stats` is the (mean, std)
    of that cosine over all sentences (`qa.answering.sentvec`); `note` is shown under
    the answer (e.g. that a filter excluded the best passage); `known(term)`
    says whether any indexed passage contains a term (a question term none
    does makes the answer at best 部分相关); `section_of` maps a chunk id to its
    section's text, where a long table's later part finds its header row; `spelled(term)` says whether
    the documents asked about spell out a coined term anywhere (default: the passages in `hits`);
    `mentions(pattern)` whether any passage of the plans the question names matches (default: of `hits`);
    `idf(term)` the index's IDF, which weighs a which-places question's words by how rare they are.
    """
    en = lang == "en"
    weights = query_terms(query)
    if query.which == "many" and query.script == "zh" and idf is not None:
        weights = topic_specific(weights, idf)
    terms = _markable(weights, hits)
    numbers = {t for t in weights if _is_number(t) and _specific_number(t)}
    get_section = sections if callable(sections) else (lambda cid: (sections or {}).get(cid, ""))
    cited: list[Hit] = []
    focus: dict[str, tuple[int, int]] = {}  # chunk id → span of the first answer line quoting it

    def cite(h: Hit) -> int:
        if h not in cited:
            cited.append(h)
        return cited.index(h) + 1

    frame = [re.compile(x) for x in query.answer_patterns]
    kind = asked_kind(query)
    qchars = question_chars(query)

    def wanted(text: str) -> bool:  # the question's frame around its question word, or the asked-for figure
        return any(f.search(text) for f in frame) or (bool(kind) and carries(kind, text))

    def sent(p: Pick, label: str = "") -> Sentence:
        at = p.hit.text.find(p.text)
        if at >= 0:  # the excerpt shown under 引用段落 must hold the line it quotes, not only the most highlighted
            focus.setdefault(p.hit.chunk_id, (at, at + len(p.text)))
        if p.column_names:  # a table row is shown whole, each cell under its column's name
            return Sentence(p.text, cite(p.hit), label, segments(p.text, terms), labelled_cells(p.column_names, p.text))
        text = _trim(p.text, topic_weights(weights, p.hit.title), wanted, qchars)
        return Sentence(text, cite(p.hit), label, segments(text, terms))

    def label(h: Hit) -> str:
        return english_label(h) if en else place_label(h)

    def with_title(h: Hit) -> str:
        if not h.title:  # a copy without its title (a body-only page): the place alone, never "《》"
            return label(h)
        return f"{label(h)}, in 《{h.title}》" if en else f"{label(h)}（《{h.title}》）"

    heading, lines, districts, doc_ids = "", [], [], []
    figure, docs, missing = None, [], ()
    places = compared_places(query.places, hits) if query.which != "many" else []
    picks = pick_sentences(hits, query, weights, numbers, sims=sims, split=split_sentences,
                           score_fn=functools.partial(sentence_score, implied=implied_terms(query)),
                           tokens_fn=sentence_tokens,
                           top=len(hits) if query.which == "many" or len(places) > 1 else TOP_HITS,
                           section_of=section_of,
                           ) if hits and not abstain else []
    # "那几项任务是谁来挑头的": 几项 only points at the tasks; a unit is asked only with a figure
    unit = asked_unit(query) if kind == "number" else ""
    meaning = asked_meaning(query)  # a coined term asked about ("“232”主线具体指什么"): the answer must spell it out
    z0 = _dense_z(picks[0], sim_stats) if picks else None
    # a figure asked of a named plan (zh 多少/几, en how many/what rate): its evidence must state one
    figure_asked = (kind == "number" and bool(query.place_doc_ids) and query.which != "many"
                    and (query.script == "zh" or bool(ASKS_FIGURE_EN.search(query.text))))
    # a rate (签约率多少, what percentage) is answered by a share of what it counts, not a count
    stated = functools.partial(figure_picks, picks, weights, ordinal=bool(ASKS_ORDINAL.search(query.text)), best_z=z0,
                               docs=query.place_doc_ids, rate=bool(ASKS_RATE.search(query.text)),
                               phone=bool(ASKS_PHONE.search(query.text)),
                               years=frozenset(int(y) for y in re.findall(r"(?<!\d)((?:19|20)\d\d)(?!\d)", query.text)))
    figs = stated() if figure_asked and picks else []
    # none stated, but the plan writes the figure as a blank (覆盖率达xx.x%): the answer says it is not filled in
    blanks = stated(blanks=True) if figure_asked and picks and not figs else []
    # an office holder asked of a named plan (哪位领导出席, which deputy county head spoke): its passages must name one
    person_asked = kind == "person" and bool(query.place_doc_ids) and query.which != "many"
    # a location asked of a named plan (选址在哪里, 在什么地方召开): its best sentences must name a place
    place_asked = bool(ASKS_LOCATION.search(query.text)) and bool(query.place_doc_ids) and query.which != "many"
    declined = why_not(query, hits, picks, weights, retrieval=abstain, z0=z0, unit=unit, figure_asked=figure_asked,
                       person_asked=person_asked, place_asked=place_asked,
                       figs=figs, blanks=blanks, meaning=meaning, known=known, spelled=spelled, mentions=mentions)
    why, abstain = declined.why, bool(declined.why)
    if abstain:
        heading = unloaded_message(query, en=en) or decline_line(declined, query, picks, meaning, en=en)
    else:
        best = picks[0]
        if query.which == "many":
            keep = many_districts(picks, weights, query)
            noun = places_noun([p.hit for p in keep], en=en)
            heading = f"{len(keep)} {noun} mention this:" if en else f"以下 {len(keep)} 个{noun}的文件提到了相关内容："
            for p in keep:
                lines.append(sent(p, with_title(p.hit)))
                districts.append(place_label(p.hit))
                doc_ids.append(p.hit.doc_id)
        else:
            # a sentence with the question's number is the answer; other places must match it too
            need_number = best.has_number
            per_doc: dict[str, Pick] = {}
            for p in picks:
                if p.hit.doc_id not in per_doc and (p.has_number or not need_number):
                    per_doc[p.hit.doc_id] = p
            docs = [best]
            # "A和B分别依据了哪个文件": each named place's document is asked for, not which place says it
            if query.which == "one" and not (len(places) > 1 and _WHICH_DOCUMENT.search(query.text)):
                # name every place that answers equally well
                docs += [p for p in per_doc.values() if p is not best and p.lex >= 0.9 * best.lex
                         and p.score >= best.score - 0.1][:2]
                heading = "；".join(with_title(p.hit) for p in docs) if not en else "; ".join(
                    with_title(p.hit) for p in docs)
            elif len(places) > 1:  # "A和B各自…": a line for each place named (qa.answering.compare)
                docs = one_per_place(picks, places, need_number) or [best]
            districts = [place_label(p.hit) for p in docs]
            doc_ids = [p.hit.doc_id for p in docs]
            if len(docs) == 1:
                # a second sentence from the same passage when nearly as good, or when it carries the
                # asked-for figure the first lacks; the best stays first (staff copy the first line)
                figure = None if best.asked_ok else next(
                    (p for p in picks[1:] if p.hit is best.hit and p.asked_ok and not p.is_heading
                     and not p.furniture), None)
                if figure is not None:  # the asked-for figure leads; the sentence that matched best follows
                    chosen = [figure, best]
                else:
                    chosen = [best] + [p for p in picks[1:] if p.hit is best.hit and p.text != best.text
                                       and not p.is_heading and p.score >= best.score - 0.1][:1]
                if meaning and not spells_out(meaning, best.text):
                    # "“一建两融”具体指什么": the sentences that spell it out ("一建：…；两融：…") lead
                    chosen = explaining(meaning, [p for p in picks if p.hit is best.hit], best.hit.text) or chosen
                first_label = "" if query.which == "one" else label(best.hit)
                lines = [sent(p, first_label if i == 0 else "") for i, p in enumerate(chosen)]
            else:
                lines = [sent(p, label(p.hit)) for p in docs]
    n_used = len(cited)
    for h in hits:
        if len(cited) >= max(max_citations, len(lines)):
            break
        cite(h)
    citations = tuple(Citation(i + 1, h, segments(h.text, terms), get_section(h.chunk_id) or "", i < n_used,
                               focus.get(h.chunk_id)) for i, h in enumerate(cited))
    conf, signals = NOT_FOUND, None
    if not abstain:
        top = picks[0]
        asked_ok = top.asked_ok or (figure is not None if query.which != "many" and len(docs) == 1 else False)
        missing = unknown_terms(query, weights, known)
        signals = Signals(top.lex, z0, agreement(top.hit.signals), asked_ok, missing)
        conf = confidence_label(signals, abstained=False)
    if query.which == "many" and not abstain:
        conf, signals = (DIRECT if lines else NOT_FOUND), None
    cap = caption(conf, en, missing if conf != DIRECT and not abstain else ())
    lead = _plain(heading, lines, en, cap, note)
    log.debug("answer for %r: %d lines, %d citations, abstained=%s", question, len(lines), len(citations), abstain)
    return Answer(lead=lead, lang="en" if en else "zh", districts=tuple(dict.fromkeys(districts)),
                  sentences=tuple(lines), citations=citations, abstained=abstain, searched=query.text,
                  heading=heading, terms=terms, doc_ids=tuple(dict.fromkeys(doc_ids)), confidence=conf,
                  caption=cap, note=note, why=why, signals=signals)




def format_line(s: Sentence, en: bool) -> str:
    """One plain-text answer line: label, quoted/plain text, citation number."""
    text = cells_text(s.cells, en) if s.cells else s.text
    body = f"“{text}”" if en else text
    sep = ": " if en else "："
    return f"{s.label}{sep if s.label else ''}{body} [{s.n}]"


def _plain(heading: str, lines: list[Sentence], en: bool, caption: str = "", note: str = "") -> str:
    out = [caption] if caption else []  # first: staff read the first line
    out += [heading] if heading else []
    out += [format_line(s, en) for s in lines]
    out += [note] if note else []
    return "\n".join(out)
