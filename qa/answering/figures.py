"""The sentences that state the figure a question asks for (多少, 几, what rate, how many).

A figure question about a named plan is answered by a figure about what it asks, or the answer says
the plan gives none (`qa.answering.answer`): `figure_picks` are the candidate sentences that state one
and are about the question, `_unit_present` whether an asked unit (多少家, 几所) is among them.
"""
from __future__ import annotations

import re
from typing import Mapping

from .asked import ASKS_RATE, RATE, states_count, unit_present as _unit_present, without_phones  # noqa: F401 (re-exported)
from .pick import Pick
from .sentlex import sentence_score, topic_weights

FIGURE_PICKS = 2
# a sentence other than the best one (and any table row) states the asked figure only when it is about the
# question's indicator: it holds this share of the question's weighted terms itself (a shared 达到 is 0.06;
# the indicator's own words 0.3 and more on dev)
FIGURE_MIN_LEX = 0.15
# the best sentence itself needs less: on the development sets the figure questions whose best sentence held
# < 0.03 of their terms (and sat < 4 std above the question's mean sentence cosine) were unanswerable or
# answered with another indicator's figure; 0.03–0.07 declined the same ones as 0.1 did and answered a
# paraphrase more (多少个…小朋友 asked of a sentence counting N名…儿童); the middle of that gap
BEST_FIGURE_MIN_LEX = 0.07

# a draft's blanks: "覆盖率达xx.x%", "建设x家", "xxxx名适龄儿童" — the plan has not filled the figure in yet, so
# the sentence states its unit but no value. Asked for the value, it answers nothing (it still names the
# thing, which list and which-place questions need, so only the figure stages read it so).
BLANK = re.compile(r"(?<![A-Za-z])[xX]+(?:\.[xX]+)?(?=\s*[余多]?\s*(?:[%％‰]|[\u4e00-\u9fff]))")


def blank(text: str) -> str:
    """The first unfilled figure of `text` with its unit ("xx.x%", "x家"), or ""."""
    m = BLANK.search(text)
    return text[m.start():m.end() + 1].strip() if m else ""
BEST_FIGURE_DENSE_Z = 4.0




def figure_picks(picks: list[Pick], weights: Mapping[str, float], *, ordinal: bool = False,
                 best_z: float | None = None, docs: frozenset[str] = frozenset(), rate: bool = False,
                 phone: bool = True, blanks: bool = False, years: frozenset[int] = frozenset()) -> list[Pick]:
    """The sentences of the answer's evidence that state a figure. The best sentence may; so may the runner-up
    or another sentence of the best one's passage (its figure sentence leads the answer), but only when
    it is about the question: it holds FIGURE_MIN_LEX of the question's weighted terms itself. A long
    passage nearly always counts something somewhere (组建4个专科联盟), which says nothing about the
    indicator asked for; a table row is read by its own cells, not its header's years. With `docs` (the plans
    the question names), another plan's figure is none: it is that place's, not the one asked about. With
    `rate` (签约率达到多少), the figure must be a share of what the question counts (`states_share`), read
    together with the sentence it follows. Without `phone` (the question asks for no telephone number) a contact
    line's number is no figure. A blank (xx.x%) is a figure only with `blanks`: the plan states that there
    is one, not its value. With `years` (the years the question names), a sentence dated only before all of them
    states an earlier year's figure ("2022年共设置13个项目" asked how many 2023 has)."""
    best = picks[0]
    about = lambda p: sentence_score(p.text, weights) >= FIGURE_MIN_LEX  # noqa: E731
    same = sorted((p for p in picks if p.hit is best.hit), key=lambda p: best.hit.text.find(p.text))
    # "提升家庭医生签约覆盖率。年内力争40%以上。": a figure right after a sentence about the question is its figure
    follows = {id(b): a for a, b in zip(same, same[1:]) if about(a) and not (a.column_names or b.column_names)}
    # the best sentence's figure is the asked one unless it shares next to nothing with the question and
    # is not close in meaning either (鹿城区每年无偿献血的目标人数 → "开工建设x家标准化社区卫生服务中心")
    best_close = best_z is not None and best_z >= BEST_FIGURE_DENSE_Z
    best_about = best.lex >= BEST_FIGURE_MIN_LEX or best_close
    # a table row is read by its own cells, not its header's years; the best row far closer in meaning than the
    # rest ("15岁以上人群吸烟率 % - <20" for 抽烟的占比压到多少) is about the question all the same
    def read(text: str) -> str:
        text = text if phone else without_phones(text)
        return text if blanks else BLANK.sub(" ", text)

    return [p for p in dict.fromkeys(picks[:FIGURE_PICKS] + same)
            if states_count(read(p.text), ordinal=ordinal) and not (years and _before(p.text, years))
            and (not docs or p.hit.doc_id in docs)
            # the words naming the plan ("Healthy Yangling" → 健康 of its title) say nothing of which rate it is
            and (not rate or states_share(_with_lead(p, follows), topic_weights(weights, p.hit.title), own=p.matched)
                 or (p is best and best_close and bool(p.column_names) and bool(RATE.search(p.matched))))
            # the best sentence in the answer's own frame ("50余人参加" for 来了多少人) is about the question
            and ((p is best and (best_about or p.framed) and (not p.column_names or best_close)) or about(p)
                 or id(p) in follows)]


_YEAR_WRITTEN = re.compile(r"(?<!\d)((?:19|20)\d\d)\s*年")


def _before(text: str, years: frozenset[int]) -> bool:
    """The sentence dates itself, and only before every year the question asks about: "2022年共设置13个项目" is
    the year before's count, not 2023's plan."""
    written = {int(y) for y in _YEAR_WRITTEN.findall(text)}
    return bool(written) and max(written) < min(years)


_CLAUSE = re.compile(r"(?:[^，,；;。：:]|(?<=\d)[:：](?=\d))+")  # the colon of a ratio (1:1.25) splits nothing
_RATE_WORD = re.compile(r"[\u4e00-\u9fff]率|比例|占比")
_GENERIC_RATE = re.compile(r"比例|比率|比重|占比|率|比")
_FRAMES = re.compile(r"达到|达|提高|提升|不低于|不少于|不高于|低于|高于|以上|以下|目标|力争|实现|保持|控制|增加|增长|下降|降低")


def states_share(text: str, weights: Mapping[str, float], own: str | None = None) -> bool:
    """A share (%, 百分之, 全覆盖) in a clause that names what the rate is of: for 签约覆盖率达到了多少, a clause
    with 签约 or 家庭医生 ("签约服务覆盖率达90%"), not one counting something else ("12个社区实现托育全覆盖").
    The pieces of a rate word (覆盖 of 覆盖率) say nothing of what is counted; the whole one does
    ("…、规律服药率不低于50%" after "规范严重精神障碍患者管理治疗，"). A bare 率 (an English "rate") or 比例
    names no indicator: any rate clause holds it ("村卫生室比例达到70%" is no 报销比例)."""
    rates = [t for t in weights if "率" in t or "比" in t]
    # what frames a figure (达到, 不低于, 目标 — "what rate does X target" translates to 达到) is not what it counts
    subject = {t: w for t, w in weights.items() if not any(t in r for r in rates) and not _FRAMES.fullmatch(t)}
    named = [r for r in rates if _GENERIC_RATE.sub("", r)]  # 覆盖率 names its indicator; 比例 and 率 name none
    clauses = _CLAUSE.findall(text)
    if any(RATE.search(c) and (not subject or sentence_score(c, subject) > 0 or any(r in c for r in named))
           for c in clauses):
        return True
    # "规范严重精神障碍患者管理治疗，确保报告患病率不低于4.5%": a clause stating a rate of its own (…率 x%)
    # after the clause that names whose it is, in the same sentence (`own`: `text` without the one it follows)
    own = text if own is None else own
    return bool(subject) and sentence_score(own, subject) > 0 and any(
        RATE.search(c) and _RATE_WORD.search(c) for c in _CLAUSE.findall(own))


def _with_lead(p: Pick, follows: Mapping[int, Pick]) -> str:
    """A figure sentence read as one clause with the sentence about the question it follows
    ("提升家庭医生签约覆盖率。" + "年内力争40%以上。")."""
    lead = follows.get(id(p))
    return f"{lead.matched.rstrip('。；;')}{p.matched}" if lead is not None else p.matched


# "How many beds will X add": the counted thing is named between "how many" and the verb
_COUNTED_EN = re.compile(r"\bhow many ((?:[\w'-]+ ){0,6}?)(?:does|do|did|will|would|are|is|were|was|has|have|had|"
                         r"should|must|can|could|in|at|per|for|to|under|by)\b", re.IGNORECASE)


# "What health literacy level does X aim to reach", "What maternal mortality target does X set", "What average life
# expectancy does X target": the indicator a target is set for, which the figure's clause must name
_TARGETED_EN = re.compile(r"\bwhat ((?:[\w'-]+ ){1,5}?)(?:levels?|targets?) (?:does|do|did|will|would|is|are|was|has|have)\b|"
                          r"\bwhat ((?:[\w'-]+ ){1,5}?)(?:does|do|did|will|would) (?:[\w'-]+ ){1,4}?(?:target|aim)\b",
                          re.IGNORECASE)


_TARGET_NOUNS = frozenset("level levels target targets rate rates figure figures value values number".split())


# units of measure: "how many years/times" is answered by a number with its unit (分2年完成, 3次), not by a
# clause that names a counted thing
_MEASURES_EN = frozenset("year years month months week weeks day days hour hours minute minutes time times".split())


def counted_terms(query) -> frozenset[str]:
    """The Chinese words for what an English "how many" question counts (beds → 床位/床): the glossary's
    for phrases of it, the lexicon's for its words; empty when nothing translates them, or when it counts
    a unit of measure (years, days, times)."""
    m = None
    if query.script != "zh":
        m = _COUNTED_EN.search(query.text) or _TARGETED_EN.search(query.text)
    if not m:
        return frozenset()
    from ..search.query import _glossary_matches, _stem, latin_words

    # "county-level medical sub-centres": the lexicon translates a hyphenated word's parts (centres → 中心)
    # "below what level does X aim to keep maternal mortality": "level" names no indicator
    words = [w for w in latin_words(next(g for g in m.groups() if g).lower()) if w not in _TARGET_NOUNS]
    if not words:
        return frozenset()
    if words and words[-1] in _MEASURES_EN:
        return frozenset()
    out = {t for _, _, zh in _glossary_matches([_stem(w) for w in words]) for t in zh}
    if words[-1] in _PEOPLE_EN:
        out |= _PEOPLE_ZH  # people are counted in 人 and 名 ("惠及人群12000余人"), which no lexicon gives for "people"
    for g in getattr(query, "xling", ()) or ():
        if g.source == "lexicon" and g.terms and set(g.english.lower().split()) & set(words):
            out.update(t for t, _ in g.terms)
    return frozenset(out)


_PEOPLE_EN = frozenset("people persons individuals participants attendees".split())
_PEOPLE_ZH = frozenset({"人", "名", "人次", "人群"})


def counts(text: str, counted: frozenset[str]) -> bool:
    """A count in a clause that names one of `counted` ("组建12个家庭医生团队"), not beside it
    ("组建家庭医生团队，组建4个专科联盟")."""
    from .sentlex import holds

    return any(states_count(c) and any(holds(t, c) for t in counted) for c in _CLAUSE.findall(text))

