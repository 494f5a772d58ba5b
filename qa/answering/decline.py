"""Picked sentences → whether the answer declines, why, and the first line that says so.

`qa.answering.answer` picks the sentences that may answer; this stage decides, rule by rule in a fixed
order, whether they do (`why_not`), and words the first line of an answer that does not
(`decline_line`): a figure the plan does not give is said to be missing, not "nothing found"; a term the
plans use without spelling it out, a thing or a disease no passage names, are named.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Sequence

from .asked import carries, names_location, spells_out
from .figures import _unit_present, blank, counted_terms, counts
from .tablerows import unit_blank
from .grounding import evidence as grounding_evidence, ungrounded, unmentioned_diseases
from .pick import Pick
from .sentlex import sentence_tokens
from .topic import unknown_terms, unmatched_kind
from ..records import Hit
from ..search.query import Query

ABSTAIN_ZH = "文件中似乎没有直接回答这个问题的内容。以下是最接近的段落，仅供参考。"
ABSTAIN_EN = "The documents do not seem to answer this. The closest passages are shown below for reference."
# a figure question whose topic the plan speaks of without a figure: say that, not "nothing found"
NO_FIGURE_ZH = "文件中没有给出所问的数字。以下段落与问题相关，但没有这个数字，仅供参考。"
NO_FIGURE_EN = "The documents state no such figure. The passages below are related but do not give it; for reference only."
# the plan writes the asked figure as a blank (覆盖率达xx.x%): a draft, or a copy with the figures masked
BLANK_FIGURE_ZH = "文件原文没有给出这个数字的具体数值（写作“{blank}”）。以下段落与问题相关，仅供参考。"
BLANK_FIGURE_EN = ("The document gives no value for this figure (it reads “{blank}”). The passages below are related; "
                   "for reference only.")
# a question for an office holder (哪位领导, which deputy county head) whose plan's passages name none
NO_PERSON_ZH = "文件中没有写明所问的人。以下段落与问题相关，但没有提到这位人员，仅供参考。"
NO_PERSON_EN = "The documents do not name the person asked about. The passages below are related; for reference only."
# asked where (选址在哪里, 在什么地方召开) of a plan whose best sentences name no place
NO_PLACE_ZH = "文件中没有写明所问的地点。以下段落与问题相关，但没有说明在哪里，仅供参考。"
NO_PLACE_EN = "The documents do not say where. The passages below are related but name no place; for reference only."
NOT_MENTIONED_EN = "No document mentions {words}. The closest passages are shown below for reference."
NOT_MENTIONED_ZH = "{places}的文件中没有提到{words}。以下是最接近的段落，仅供参考。"
NOT_SPELLED_ZH = "文件提到了“{term}”，但没有说明它具体指什么。以下段落提到了它，仅供参考。"

# Without sentence vectors (no model) a sentence sharing less than this of the question's terms does
# not answer it. With them this alone never abstains: the earlier rule "and a dense z below 1.0"
# abstained on 3 answerable development questions (English, paraphrased) and on none of the 81
# unanswerable ones; the rules below and qa.answering.abstain decide.
MIN_LEX = 0.2


@dataclass(frozen=True, slots=True)
class Decline:
    why: str = ""  # the rule that declined ("" when the picks answer), `/api/ask`'s abstain_reason
    absent: tuple[str, ...] = ()  # what no passage (of the plans asked about) names: "rabies", "手足口病"
    blank: str = ""  # the unfilled figure the plan writes where the asked one should be: "xx.x%"


def why_not(query: Query, hits: Sequence[Hit], picks: list[Pick], weights, *, retrieval: bool, z0: float | None,
            unit: str, figure_asked: bool, figs: list[Pick], meaning: str, known, person_asked: bool = False,
            place_asked: bool = False, spelled: Callable[[str], bool] | None, mentions,
            blanks: Sequence[Pick] = ()) -> Decline:
    """The first rule that says the picks do not answer, in the order below (`retrieval`: the retriever
    already declined, `qa.answering.abstain`)."""
    if retrieval:
        return Decline("retrieval")
    if not picks or (z0 is None and picks[0].lex < MIN_LEX):
        return Decline("weak sentence")  # few of the question's words, and no vectors to say it is close in meaning
    if unit and not _unit_ok(unit, picks):
        return Decline("asked unit absent")  # asked for 多少亿元/多少岁 and no passage states such a figure
    if figure_asked and not figs and blanks:
        return Decline("blank figure", blank=blank(blanks[0].text))  # 覆盖率具体达到了多少？ of a plan that writes 覆盖率达xx.x%
    if figure_asked and not figs:
        return Decline("no figure")  # 白云区…签约覆盖率达到了多少？ and its best sentences give none
    if figure_asked and unit and not _unit_ok(unit, figs):
        return Decline("asked unit absent")  # 创建多少家…？: the figures about the question count no 家
    if figure_asked and (counted := counted_terms(query)) and not any(counts(p.matched, counted) for p in figs):
        return Decline("no figure")  # "How many beds…": the figures about the plan count other things
    if person_asked and not any(carries("person", p.text) for p in picks if p.hit.doc_id in query.place_doc_ids):
        return Decline("no person")  # "Which county leader spoke at…": no passage of the plan names an office holder
    if place_asked and not any(names_location(p.text, query.text) for p in _best_of_named(query, picks)):
        return Decline("no place")  # 卫生应急文化园选址在哪里: the plan's best sentences say it will be built, not where
    if meaning and not (spelled(meaning) if spelled else any(spells_out(meaning, h.text) for h in hits)):
        return Decline("not spelled out")  # “232”主线具体指什么: the plans use the term, none says what it is
    missing = unknown_terms(query, weights, known)
    if query.which != "many" and unmatched_kind(query, missing, known, sentence_tokens(picks[0].matched),
                                                 picks[0].matched):
        return Decline("unmatched kind")  # asks for a kind (方舱医院) of what the best sentence names; no passage names it
    if picks[0].quoted:  # a line the question quotes whole is there, whatever else it asks
        return Decline()
    if absent := unmentioned_diseases(query, mentions or (
            lambda pat: any(pat.search(h.text) for h in hits if h.doc_id in query.place_doc_ids))):
        return Decline("not mentioned", absent)  # 鼓楼区对狂犬病…: the plan asked about never names the disease
    ev = grounding_evidence(query, missing, known, lex=picks[0].lex, dense_z=z0,
                            said=lambda words: any(words in h.text for h in hits))
    if grounds := ungrounded(ev):  # the question's topic is in no document (qa.answering.grounding)
        return Decline("ungrounded", ev.things_en if grounds == "absent thing" else ())  # "No document mentions rabies"
    return Decline()


def _unit_ok(unit: str, picks: list[Pick]) -> bool:
    """The asked unit is stated among the picks, or the best is a table row with its unit cell left empty."""
    return _unit_present(unit, [p.matched for p in picks]) or any(
        p.column_names and unit_blank(p.column_names, p.text) for p in picks[:1])


PLACE_PICKS = 1  # the answer's own first line must say where: a later sentence naming some 医院 is about other things


def _best_of_named(query: Query, picks: list[Pick]) -> list[Pick]:
    return [p for p in picks if p.hit.doc_id in query.place_doc_ids and not p.is_heading][:PLACE_PICKS]


def decline_line(d: Decline, query: Query, picks: list[Pick], meaning: str, *, en: bool) -> str:
    """The first line of an answer that declines: what is missing, as precisely as the rule knows it."""
    if d.why == "blank figure":
        return (BLANK_FIGURE_EN if en else BLANK_FIGURE_ZH).format(blank=d.blank)
    if d.why in ("no figure", "asked unit absent"):
        return NO_FIGURE_EN if en else NO_FIGURE_ZH
    if d.why == "no person":
        return NO_PERSON_EN if en else NO_PERSON_ZH
    if d.why == "no place":
        return NO_PLACE_EN if en else NO_PLACE_ZH
    if d.why == "not spelled out" and any(meaning in p.text for p in picks):
        return NOT_SPELLED_ZH.format(term=meaning)
    if d.absent and en:
        return NOT_MENTIONED_EN.format(words=", ".join(d.absent))
    if d.absent:  # the plans the question names lack the disease (other plans may have it)
        return NOT_MENTIONED_ZH.format(places="、".join(dict.fromkeys(p.surface for p in query.places)),
                                       words="、".join(d.absent))
    return ABSTAIN_EN if en else ABSTAIN_ZH
