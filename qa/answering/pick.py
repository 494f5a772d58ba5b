"""Candidate answer sentences → scored `Pick`s: which sentence answers the question.

A sentence is scored by what the question asks, not only by how many of its
words it repeats (weights measured on eval/questions.jsonl, see eval/README.md):

    score = lexical share of the question's terms               (qa.answering.sentlex.sentence_score)
          + dense_weight × (cosine − best cosine among the candidates)
                          (DENSE_WEIGHT, more when no candidate shares much wording)
          ± ASKED_BONUS   the asked-for kind of fact (qa.answering.asked: a number for 多少/几/what
                          rate, a date for 哪天/when, a quoted title for 依据了哪个文件, an office
                          holder for 哪位领导, organisations for 哪几个部门/牵头单位) is present / absent
          − HEADING_PENALTY an item's own short title says little
          − TITLE_PENALTY   the notice's furniture (qa.answering.furniture): a line that only repeats
                          the document title, a portal key row, the signature, the addressee line
                          unless asked who receives it (OWN_TITLE_PENALTY: the document's own title
                          line, a piece of it or the notice wrapping it, whose words the question
                          uses to name the document — unless a which-place question matches the
                          issuer that the notice line names)
          − LEAD_PENALTY    a news copy's dateline lead ("2月8日，…工作会议召开"), unless asked when or where;
                          its words, like the title's, name the copy, not the sentence that answers
          + FRAME_BONUS     the question's frame around its question word ("以…为主线")
          + ROLE_BONUS      asked what drives or carries the work or by what means (靠什么来驱动, 借助什么,
                          用什么办法), the plan's fixed way of saying so (以…为动力/载体, 通过…方式:
                          qa.search.query.role_frames), a frame too
          + QUOTE_BONUS     a phrase a which-place question quotes (“各县、市人民政府”), or a whole short
                          line it repeats word for word (a unit of a list of names), written in the sentence
          + LABEL_BONUS     the passage stands under a label the question asks about ("一、活动主题" for
                          "…的活动主题是什么")
          + NAME_BONUS      the share of an English question's proper names, found by their pinyin
                          ("Xuhang" → 徐行), that the sentence writes
          − RANK_PENALTY × the passage's rank
          − OFF_PLACE_PENALTY a passage from a document other than the places the question
                          names (the place is what it asks about, not a hint)
          − KIND_PENALTY    a passage from a district's plan when "哪个县…" asks for a county's
                          (qa.places.level), and some county's passage is among the candidates

The cosine is the question's embedding against the sentence's, embedded at
index time (`qa.answering.sentvec`); without it (tests, no model) the dense term is 0.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Callable, Mapping, Sequence

from ..metadata.header import names_on_line
from ..places import issuer_kind
from ..metadata.portal import metadata_row
from ..crosslingual.frames import english_roles
from ..indexing.script import simplified
from ..search.query import Query, role_frames
from ..records import Hit
from .furniture import _QUOTED, _WRAP_HEAD, ADDRESSEE, ASKS_RECIPIENT, ASKS_UPON_RECEIPT, DATELINE, TRANSMITTAL, caption, own_title, page_debris, titleish  # noqa: F401 (re-exported)
from .items import KEY_LINE, asked_nth, asks_label, item_number, section_label  # noqa: F401 (re-exported)
from .sentlex import topic_weights
from .tablerows import ROW_NUMBER, header_before, holds_figures, is_row, with_units
from .asked import (  # noqa: F401 (re-exported: what the question asks for)
    ASKS_COUNT, ASKS_NUMBER, ASKS_FIGURE_EN, ASKS_DATE, ASKS_ORG, HAS_NUMBER, HAS_COUNT, ASKS_TITLE, HAS_TITLE, ASKS_PERSON,
    HAS_OFFICE, HAS_DATE, ASKS_ORDINAL, ASKS_WHERE, asked_kind, asked_unit, carries, names_orgs, states_count,
    ASKS_CALLED, ASKS_PHONE, ASKS_RATE, RATE, _COINED, unit_present, without_phones,
)

TOP_HITS = 5  # sentences are drawn from this many hits
DENSE_WEIGHT = 8.0
# When no candidate holds much of the question's wording (a paraphrase, an English question
# whose words the glossary translates loosely), the word share is a weak witness and the
# meaning decides more: the dense weight grows linearly, up to ×(1 + LOW_LEX_BOOST) at share 0.
LOW_LEX = 0.4
LOW_LEX_BOOST = 0.5
ASKED_BONUS = 0.2
HEADING_PENALTY = 0.2
TITLE_PENALTY = 0.3
OWN_TITLE_PENALTY = 1.0
FRAME_BONUS = 0.3
QUOTE_BONUS = 0.3
# the question's own frame seldom holds there ("靠…来驱动" is not how a plan writes it), so a plan's fixed way of
# naming the role asked about counts as a frame and as much again: dev +2, nothing lost (a frame's bonus
# alone: +1; three times it traded an answer for another)
ROLE_BONUS = FRAME_BONUS
NAME_BONUS = 0.3  # all the proper names an English question spells in pinyin; 0.3 and 0.6 chose the same on dev
WRAP_HEAD_MIN = 0.25  # share of the question's terms the issuer part of a notice line must hold
RECIPIENT_BONUS = 1.0  # asked who was sent it, the addressee line is the answer itself
LINE_QUOTE_MIN, LINE_QUOTE_MAX = 5, 30  # a line this long that the question holds whole is quoted by it
RANK_PENALTY = 0.03
OFF_PLACE_PENALTY = 1.0  # more than any lexical share: another place's sentence never answers for the named one
# "哪个县…" asks for a county's plan: a district's sentence answers only when it says clearly more (on the
# development sets 0.3 and 1.0 chose the same; the smaller keeps a loosely worded question answered)
KIND_PENALTY = 0.3

# "11. 提升…水平。", "（四）细化…", "二是…": an item's own short title
ITEM_TITLE = re.compile(r"^\s*(?:\d{1,3}\s*[.、．]|[（(][一二三四五六七八九十\d]{1,3}[)）]|[一二三四五六七八九十]{1,3}[、是])")
# "…工作要点如下：" announces what follows and says nothing itself; a longer sentence that ends so
# (purpose, basis, then 如下) has clauses of its own, and its trimmed clauses are shown anyway
_ANNOUNCES = re.compile(r"如下\s*[:：]?\s*$")
ANNOUNCE_MAX_CHARS = 120  # a line this short that announces a list says nothing itself


# a phrase the question quotes is matched as written: the sentence holding it is the one the asker
# read. A title in 《》 names a document (its transmittal lines repeat it) and is left to the title rules.
_QUOTE = re.compile(r"[“\"「『]([^”\"」』]{4,40})[”\"」』]")


# a notice's 抄送 line names whom it was copied to, as the addressee line names whom it was sent to
ASKS_COPIED = re.compile(r"抄送|\bcop(?:ied|y)\b", re.IGNORECASE)
COPY_LINE = re.compile(r"抄送\s*[:：]")

NTH_BONUS = 0.5  # the asked item's own title outweighs a sentence that shares more words but is not the item
# the lead says that the event took place, when and where: the copy's own announcement, like its title line
LEAD_PENALTY = TITLE_PENALTY  # dev: fresh4 +1, fresh7 +1 and one more abstention; twice as much lost one
# "活动主题是什么", "服务对象有哪些": a plan labels its parts (一、活动主题 / 二、活动时间), and a question naming the
# label asks for what stands under it, though the text there ("爱国卫生运动 全民共同参与") repeats none of its words
LABEL_BONUS = 1.0  # as decisive as the addressee line asked for: the label says where the answer stands


def addressee(sentence: str) -> bool:
    """The addressee line: "各…:" or a list of units ending with a colon ("XX开发区管委会,…各成员单位:")."""
    s = sentence.strip()
    if ADDRESSEE.match(s):
        return True
    return s.endswith((":", "：")) and len(re.split(r"[、，,]", s)) >= 2 and names_orgs(s)


def quoted_phrases(question: str) -> frozenset[str]:
    return frozenset(re.sub(r"\s+", "", m.group(1)) for m in _QUOTE.finditer(question))


@dataclass(frozen=True, slots=True)
class Pick:
    score: float
    rank: int  # of the hit
    hit: Hit
    text: str
    lex: float  # weighted share of the question's terms (0..1)
    cos: float | None  # cosine with the question, None without sentence vectors
    has_number: bool  # holds one of the question's own numbers
    is_heading: bool
    asked_ok: bool  # carries the asked-for kind of fact (True when nothing particular is asked)
    column_names: str = ""  # a table row's header row (序号 | 指标名称 | 2025年 …), matched with the row
    furniture: bool = False  # the notice's title, addressee, signature or a portal row: never the asked-for fact
    quoted: bool = False  # holds a phrase or a whole line the which-place question quotes word for word
    framed: bool = False  # holds the question's frame around its question word ("…培训…人" for 培训多少人)

    @property
    def matched(self) -> str:
        """The text the question's words are matched against: a table row reads under its header."""
        return f"{with_units(self.column_names, self.text)}\n{self.text}" if self.column_names else self.text


def dense_weight(best_lex: float) -> float:
    """The cosine's weight, given the best lexical share among the candidates that may answer."""
    return DENSE_WEIGHT * (1 + LOW_LEX_BOOST * max(0.0, LOW_LEX - best_lex) / LOW_LEX)


def _compile_any(patterns: Sequence[str]):
    return re.compile("|".join(f"(?:{p})" for p in patterns)) if patterns else None


def pick_sentences(hits: Sequence[Hit], query: Query, weights: Mapping[str, float], numbers: set[str], *,
                   sims: Mapping[str, Sequence[tuple[int, int, float]]] | None = None,
                   split, score_fn, tokens_fn, top: int = TOP_HITS,
                   section_of: Callable[[str], str] | None = None) -> list[Pick]:
    """Every sentence of the top hits, best first.

    `sims` maps a chunk id to its sentences' (start, end, cosine); `split`,
    `score_fn`, `tokens_fn` are qa.answering.answer's sentence splitter, lexical score and tokenizer;
    `section_of` maps a chunk id to its whole section's text (a long table's later part finds its
    header row there).
    """
    kind = asked_kind(query)
    frame = _compile_any(query.answer_patterns)
    named = query.place_doc_ids if query.which != "many" else frozenset()
    # in a which-place question the quote is the evidence that identifies the place; elsewhere it is
    # the topic ("“三融”是指哪三个融入"), which the answering sentence elaborates rather than repeats
    quotes = quoted_phrases(query.text) if query.which else frozenset()
    # an English question's proper names found by their pinyin (Xuhang → 徐行): as identifying as a quote
    names = {t for g in getattr(query, "xling", ()) or () if g.source == "names" for t, _ in g.terms}
    asked = re.sub(r"\s+", "", query.text)
    nth = asked_nth(query.text)
    to_whom = bool(ASKS_RECIPIENT.search(query.text))
    copied = bool(ASKS_COPIED.search(query.text))
    receipt = bool(ASKS_UPON_RECEIPT.search(query.text))
    # "哪个县…" naming no place asks for a county: another kind's plan answers only if no county's can
    kinds = query.asked_kinds if query.which == "one" and not query.places and any(
        issuer_kind(h.district, h.city) in query.asked_kinds for h in hits[:top]) else frozenset()
    # the passages standing under a label the question names ("…的活动主题是什么" → 一、活动主题)
    labels = {h.chunk_id: lab for h in hits[:top] if (lab := section_label(h.section)) and asks_label(asked, lab)}
    # a news copy's dateline lead ("2月8日，2023年甲县卫生健康工作会议召开。") names the event the whole copy reports,
    # as a title does: its words say which copy, not which sentence of it answers
    leads = {h.doc_id: h.text[a:b] for h in hits[:top] for a, b in split(h.text) if DATELINE.match(h.text[a:b])}
    raw = []
    for rank, h in enumerate(hits[:top]):
        cos_at = {(a, b): c for a, b, c in (sims or {}).get(h.chunk_id, ())}
        title = h.section.rsplit(" > ", 1)[-1]
        header_row, looked = "", section_of is None
        spans = list(split(h.text))
        for i, (a, b) in enumerate(spans):
            s = h.text[a:b]
            # "…名单如下：" announces a list, but "决定命名N家单位…名单如下：" also holds the count asked for
            is_heading = ((bool(title) and s.rstrip("。；！？!?;") in title) or bool(len(s) <= 30 and ITEM_TITLE.match(s)
                                                                               and not _point_of_list(h.text, spans, i))
                          or bool(len(s) <= ANNOUNCE_MAX_CHARS and _ANNOUNCES.search(s)
                                  and not (kind in ("number", "date", "day") and carries(kind, s))))
            # a table row is read under its header row (序号 | 指标名称 | 2023年 | 2025年 …): the year a
            # question asks for is a column's name; the header row itself holds no value
            columns = ""
            if is_row(s):
                if ROW_NUMBER.match(s) or holds_figures(s):
                    if not header_row and not looked:  # a later part of a long table: its header is further up
                        header_row, looked = header_before(section_of(h.chunk_id), h.text), True
                    columns = header_row
                else:
                    header_row, is_heading = s, True
            matched = f"{with_units(columns, s)}\n{s}" if columns else s
            raw.append((rank, h, s, score_fn(matched, weights), cos_at.get((a, b)), is_heading,
                        bool(numbers & tokens_fn(matched)),
                        score_fn(matched, topic_weights(weights, f"{h.title} {leads.get(h.doc_id, '')}".strip()))
                        if h.doc_id in query.place_doc_ids else None,
                        columns))
    cmax = max((r[4] for r in raw if r[4] is not None), default=None)
    dw = dense_weight(max((r[3] for r in raw if not named or r[1].doc_id in named), default=0.0))
    picks = []
    counting = bool(ASKS_COUNT.search(query.text))
    asks_when_where = bool(ASKS_DATE.search(query.text) or ASKS_WHERE.search(query.text) or _ASKS_EVENT.search(query.text))
    called = bool(ASKS_CALLED.search(query.text))
    phone = bool(ASKS_PHONE.search(query.text))
    # 多少人参加: a figure in the asked unit carries the fact, "发放宣传材料8000余份" does not
    unit = asked_unit(query) if kind == "number" else ""
    # 入户率达到多大比例: a share carries the fact, a count of people does not
    rate = kind == "number" and bool(ASKS_RATE.search(query.text))
    roles = _compile_any(role_frames(query.text) if query.script == "zh"
                         else role_frames(english_roles(query.text), asked=True)) or None
    for rank, h, s, lex, cos, is_heading, has_number, topic, columns in raw:
        ok = carries(kind, s if phone or kind != "number" else without_phones(s), count=counting)
        if ok and unit and not unit_present(unit, [s if not columns else f"{with_units(columns, s)}\n{s}"]):
            ok = False
        if ok and rate and not RATE.search(s):
            ok = False
        if ok and kind.startswith("title") and all(own_title(t, h.title) for t in HAS_TITLE.findall(s)):
            ok = False  # asked which document the plan cites or which report was given: the plan's own title is neither
        score = (lex if topic is None else topic) - RANK_PENALTY * rank
        if cos is not None and cmax is not None:
            score += dw * (cos - cmax)
        if kind:
            score += ASKED_BONUS if ok else -ASKED_BONUS
        is_nth = nth is not None and item_number(s) == nth
        if is_nth:
            score += NTH_BONUS
        elif is_heading:
            score -= HEADING_PENALTY
        furniture = False
        if own_title(s, h.title):
            # in a which-place question the notice line's issuer ("XX开发区管委会办公室关于印发…") may be
            # the very evidence asked about: it says more than the title when its head matches
            head = _WRAP_HEAD.match(s)
            informative = bool(query.which and head and score_fn(head.group(0), weights) >= WRAP_HEAD_MIN)
            score -= TITLE_PENALTY if informative else OWN_TITLE_PENALTY
            furniture = not informative
        elif (key := KEY_LINE.match(s)) and asks_label(asked, key.group(1)):
            score += LABEL_BONUS  # "地址在哪里": the line "地址:…" is the answer, key row or not
        elif receipt and TRANSMITTAL.search(s):
            score += RECIPIENT_BONUS  # what they are to do with it: the transmittal's 请-clause says so
        elif titleish(s) or metadata_row(s) or page_debris(s) or (kind != "person" and caption(s)):
            # the title line, a portal key row, a footer, a photo's caption
            score -= TITLE_PENALTY
            furniture = True
        elif query.header_field != "issuer" and names_on_line(s):
            # the signature (an issuer's name on a line of its own) is a header fact: a question about
            # which department to turn to is answered by the sentence that says so
            score -= TITLE_PENALTY
            furniture = True
        if not asks_when_where and DATELINE.match(s):  # asked what was done there, not that it was held
            score -= LEAD_PENALTY
        if copied and COPY_LINE.search(s):  # "抄送：区委各部门…" names whom it was copied to
            score += RECIPIENT_BONUS
        elif addressee(s):  # whom it was sent to; asked whom it was copied to, the line is furniture
            sent = to_whom and not copied
            score += RECIPIENT_BONUS if sent else -TITLE_PENALTY
            furniture = not sent
        if furniture and kind.startswith("org") and ok and not query.header_field:
            # the signature and the addressee line name units, but not the one a question about where
            # to turn asks for (a question for the issuer itself is a header question)
            score, ok = score - 2 * ASKED_BONUS, False
        # the frames are written in simplified characters; a 繁體 copy's sentence is matched as it reads
        plain = simplified(s) if roles is not None or frame is not None else s
        role = roles is not None and bool(roles.search(plain))
        framed = role or (frame is not None and bool(frame.search(plain)))
        if framed:
            score += FRAME_BONUS
        if role:
            score += ROLE_BONUS
        flat = re.sub(r"\s+", "", s).rstrip("。；;，,")
        quoted = bool((quotes and any(q in flat for q in quotes)) or (
            query.which and LINE_QUOTE_MIN <= len(flat) <= LINE_QUOTE_MAX and flat in asked))
        if quoted:
            # a which-place question naming a line of the plan word for word (a unit of a list of
            # names: "县XX有限公司、XX镇卫生院等单位") quotes it as a quote mark would
            score += QUOTE_BONUS
        if names:
            score += NAME_BONUS * sum(n in s for n in names) / len(names)
        if labels.get(h.chunk_id) and not is_heading:
            score += LABEL_BONUS
        if named and h.doc_id not in named:
            score -= OFF_PLACE_PENALTY
        elif kinds and issuer_kind(h.district, h.city) not in kinds:
            score -= KIND_PENALTY
        picks.append(Pick(score, rank, h, s, lex, cos, has_number, is_heading, ok, columns, furniture, quoted, framed))
    picks.sort(key=lambda p: (-p.score, p.rank))
    if picks and nth is not None and item_number(picks[0].text) == nth:
        return picks  # the asked item's title is the answer itself
    if picks and nth is not None and _ANNOUNCED.search(picks[0].text):
        # "副区长提出三点要求:" announces the list whose Nth point ("一是统一思想…") was asked for: that point
        # answers, wherever the chunker put it
        item = next((p for p in picks if p.hit.doc_id == picks[0].hit.doc_id and item_number(p.text) == nth), None)
        if item is not None:
            return [item] + [p for p in picks if p is not item]
    return _body_first(picks, raw, called=called)


# asked what was held ("同时举办了什么活动", "召开了什么会议"), the lead that announces the event answers
_ASKS_EVENT = re.compile(r"(?:举办|举行|召开|开展)了?(?:什么|哪些|哪个|哪场)|什么(?:活动|会议)|哪(?:个|次|场|些)(?:活动|会议)|"
                         r"\bwhat (?:event|meeting|activit(?:y|ies))\b", re.IGNORECASE)


# a sentence announcing a list of points: "提出三点要求：", "重点抓好以下几项工作:", "主任强调了三点意见。"
_ANNOUNCED = re.compile(r"[一二两三四五六七八九十几\d]+[点项条个方面]+[^，,。；;]{0,8}[:：。]\s*$|(?:如下|以下)[^，,。；;]{0,10}[:：]\s*$")


def _point_of_list(text: str, spans, i: int) -> bool:
    """The short item at `i` stands next to another item with no text between: a point of a list of
    one-line points ("七是整合资源，打造五个分中心。八是…"), which says what is done, not a title over it.
    (A title's text follows it, so the item after it never comes right after the title.)"""
    return any(0 <= j < len(spans) and ITEM_TITLE.match(text[spans[j][0]:spans[j][1]]) for j in (i - 1, i + 1))


# a heading that states its item's value ("(一)我县基金统筹模式为:住院统筹+门诊统筹+重大疾病统筹。") says
# what is done itself; the sentences under it elaborate its parts
_STATES_VALUE = re.compile(r"[为是][:：]\s*\S")


def _body_first(picks: list[Pick], raw, *, called: bool = False) -> list[Pick]:
    """An item's own title only names the item; the sentence right after it says what is done.

    When the best sentence is such a heading ("10. 深入推进职业健康工作。") and its
    passage goes on, the next sentence of that passage leads, scored just above it
    and carrying the heading's lexical and dense evidence.
    """
    if (not picks or not picks[0].is_heading or picks[0].quoted or picks[0].framed
            or (called and _COINED.search(picks[0].text)) or _STATES_VALUE.search(picks[0].text)):
        # a heading holding the phrase a which-place question quotes is that place's evidence itself, a
        # one-line item holding the question's frame ("4.…开展技能培训2.5万人" for 培训多少人) its answer, and
        # one writing a coined name (3.实施“XX”关爱行动) the answer to what that thing is called
        return picks
    best = picks[0]
    order = [(r[1], r[2]) for r in raw]
    try:
        i = order.index((best.hit, best.text))
    except ValueError:
        return picks
    if i + 1 >= len(order) or order[i + 1][0] is not best.hit:
        return picks
    nxt = next((p for p in picks if p.hit is best.hit and p.text == order[i + 1][1]), None)
    if nxt is None or nxt.is_heading:
        return picks
    rest = [p for p in picks if p is not nxt]
    # it answers on its heading's evidence: the heading's match is why this passage was picked
    cos = max((c for c in (nxt.cos, best.cos) if c is not None), default=None)
    return [replace(nxt, score=best.score + 1e-6, lex=max(nxt.lex, best.lex), cos=cos)] + rest
