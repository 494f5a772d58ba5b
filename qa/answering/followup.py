"""Follow-up questions → full questions, from the conversation so far.

    rewrite("那鼓楼区呢？", ["哪个区要求报告患病率不低于4.5%？"], gazetteer)
    → ("鼓楼区要求报告患病率不低于4.5%？", "追问：沿用上一问的主题，地点换成鼓楼区")

Two kinds of follow-up are recognised, both by what is left of the question
once place names and filler words are removed:

* a place switch ("那鼓楼区呢？", "周村区有没有类似的要求？", "What about Gulou?"):
  the previous effective question with its places replaced by the new one;
* a widening ("还有哪些区？", "其他区呢？", "Which other districts?"): the previous
  topic as a which-districts question, places removed.

Anything else is a full question and passes through unchanged. History is the
list of questions *as typed*; each is resolved in turn, so a chain of
follow-ups keeps its topic.
"""
from __future__ import annotations

import logging
import re

from ..places import Gazetteer, PlaceMention
from ..search.query import MAX_QUERY_CHARS, normalize_query

log = logging.getLogger(__name__)

# Only the latest questions matter for a follow-up (each one is resolved against the one before);
# every earlier one is work a client could make us do for nothing.
MAX_HISTORY = 20

# What may surround a place name in a place-switch follow-up (after removing spaces/punctuation, lowercased).
_SWITCH = re.compile(
    r"^(?:那么?|那在|那么在|那看|在|看看|换成|换到|还有|and|andin|andfor|whatabout|howabout|andwhatabout|andhowabout|"
    r"what'?sin|sameforfor|samefor|andthe|in)?"
    r"(?:的情况|的|方面|呢|怎么样|如何|怎样|怎么说|又如何|有没有类似的?要求|有没有类似的?规定|有没有类似的?|有类似的?要求吗|"
    r"有类似的?吗|是否也有|是否有类似的?要求|也有吗|也有类似的?要求吗|有吗|吗|district|city|then|instead|too|also|"
    r"doesithavethesame|doesithaveasimilarrequirement|doestoo|hasasimilarrequirement|asimilarrequirement|"
    r"similar|thesame|same|does|have|has|it)*$"
)
# No alternative below may be a concatenation of others ("也有吗" = "也有" + "吗" was one): that
# makes the repetition ambiguous and a near-miss backtrack exponentially.
_WIDEN = re.compile(
    r"^(?:还有|那|那么|其他|其它|别的|另外)?(?:哪些|哪几个|别的|其他|其它)?(?:区县?|地方|文件|单位)?"
    r"(?:呢|吗|有吗|还有吗|也有|也提到了吗|也有类似的?要求吗|也有类似的?吗|有类似的?要求吗|有类似的?吗)*$"
)
_WIDEN_MUST = re.compile(r"还有|其他|其它|别的|另外")
_WIDEN_EN = re.compile(
    r"^(?:and|so|what|which|any|are|there)*(?:other|else|more)(?:districts?|places?|cities|documents?|plans?|ones?)?"
    r"(?:too|also|as well|aswell|thendoes|havethat|havethesame|mentionit|dothesame|doso|haveit|isthere|arethere)*$"
)
_WIDEN_EN2 = re.compile(r"^(?:which|what|any)(?:other|else)(?:districts?|places?|cities|documents?|plans?)\w*$")
_PUNCT = re.compile(r"[\s\W_]+", re.UNICODE)
# A follow-up is a few words once places are removed (the longest the patterns are meant for,
# "andwhatabout…doesithaveasimilarrequirement", is ~45 characters). The patterns' overlapping
# alternatives ("does|it|have|thesame" vs "doesithavethesame") backtrack exponentially on long
# near-misses — 300 characters took minutes — so longer residues are not tried at all.
MAX_FOLLOWUP_RESIDUE = 64
_WHICH_ZH = re.compile(r"哪个区县?|哪一个区|哪些区|哪几个区|哪个地方|哪些地方|哪个城市|哪个市|哪个县")
_WHICH_EN = re.compile(r"\bwhich\s+(?:districts?|cit(?:y|ies)|count(?:y|ies)|places?)\b", re.IGNORECASE)
_SAY_ABOUT = re.compile(r"^(?:what|how)\s+(?:does|do|did)\s+(?:it\s+|the\s+\w+\s+)?(?:say|write|plan|require)\s+"
                        r"(?:about|on|for|regarding)\s+(.+)$", re.IGNORECASE)
_LATIN = re.compile(r"[A-Za-z]")
_CJK = re.compile(r"[\u3400-\u9fff]")


def bounded(text: str) -> tuple[str, bool]:
    """(text normalised and capped at MAX_QUERY_CHARS, whether it was cut), in time linear in text.

    Every question and history entry passes through here before any matching: place
    matching over an uncapped 100 KB paste took seconds, and a 1 MB history minutes.
    """
    if not isinstance(text, str):
        return "", False
    head = text.lstrip()
    # normalisation never lengthens beyond this slice's worth of kept characters, so the
    # character-by-character pass below reads a bounded prefix, not the whole paste
    clean, truncated = normalize_query(head[: 2 * MAX_QUERY_CHARS])
    return clean, truncated or len(head.rstrip()) > 2 * MAX_QUERY_CHARS


def bounded_history(history) -> list[str]:
    """The last MAX_HISTORY non-empty questions of `history`, each bounded."""
    out = []
    for h in reversed(list(history or [])[-4 * MAX_HISTORY:]):
        text, _ = bounded(h)
        if text:
            out.append(text)
            if len(out) == MAX_HISTORY:
                break
    return out[::-1]


def _residue(text: str, mentions: list[PlaceMention]) -> str:
    # one join, not a new string per mention (that was quadratic in the number of mentions)
    parts, at = [], 0
    for p in sorted(mentions, key=lambda p: p.start):
        parts.append(text[at : p.start])
        at = max(at, p.end)
    parts.append(text[at:])
    return _PUNCT.sub("", " ".join(parts)).lower()


def _is_english(text: str) -> bool:
    return bool(_LATIN.search(text)) and not _CJK.search(text)


def _strip_places(text: str, mentions: list[PlaceMention]) -> str:
    """text without its place mentions (and the 的/of/in glue left behind)."""
    for p in sorted(mentions, key=lambda p: -p.start):
        before, after = text[: p.start], text[p.end :]
        if after.startswith("的"):
            after = after[1:]
        before = re.sub(r"\b(?:in|of|for|at)\s*$", "", before, flags=re.IGNORECASE)
        text = before + " " + after
    return re.sub(r"\s{2,}", " ", text).strip()


def _place_name(mentions: list[PlaceMention], english: bool) -> str:
    """The new place as it will be searched, in the language of the question it goes into:
    the catalogue name, or in English the typed Latin form (else the name romanised)."""
    best = next((p for p in mentions if p.field == "district"), mentions[0])
    if not english:
        return best.value
    if _LATIN.search(best.surface):
        return best.surface.strip().title()
    return _romanise(best.value, best.field)


def _romanise(name: str, field: str) -> str:
    """鼓楼区 → 'Gulou District', 福州市 → 'Fuzhou' (so an English question stays English)."""
    from .labels import english_unit, romanise

    if field == "district":
        # the place matcher reads "X District/County/City"; other levels (旗, 自治县) by their name alone
        roman = english_unit(name)
        return roman if roman.endswith((" District", " County", " City")) and " Autonomous" not in roman else (
            roman.rsplit(" ", 2)[0] if " Autonomous" in roman else roman.rsplit(" ", 1)[0])
    suffix = "市" if field == "city" else ""
    core = name[: -len(suffix)] if suffix and name.endswith(suffix) and len(name) > len(suffix) + 1 else name
    return romanise(core)


def _switch_place(prev: str, new_place: str, gazetteer: Gazetteer) -> str:
    """prev's topic, about new_place instead."""
    old = gazetteer.find(prev)
    english = _is_english(prev) or (_is_english(_strip_places(prev, old)) and bool(old))
    if old:
        first = min(old, key=lambda p: p.start)
        # keep the place where the old one stood: "鼓楼区有没有…" → "周村区有没有…"
        rest = sorted(old, key=lambda p: -p.start)
        text = prev
        for p in rest:
            text = text[: p.start] + ("\0" if p is first else "") + text[p.end :]
        return re.sub(r"\s{2,}", " ", text.replace("\0", new_place)).strip()
    if english:
        if _WHICH_EN.search(prev):
            return _WHICH_EN.sub(new_place, prev, count=1)
        return f"{new_place}: {prev}"
    if _WHICH_ZH.search(prev):
        return _WHICH_ZH.sub(new_place, prev, count=1)
    return f"{new_place}{prev}"


def _widen(prev: str, gazetteer: Gazetteer) -> str:
    """prev's topic as a which-districts question, places removed."""
    old = gazetteer.find(prev)
    topic = _strip_places(prev, old)
    if _is_english(topic):
        if _WHICH_EN.search(topic):
            return _WHICH_EN.sub("Which districts", topic, count=1)
        m = _SAY_ABOUT.match(topic)  # "What does (Gulou) say about X?" → "Which districts mention X?"
        return f"Which districts mention {m.group(1)}" if m else f"Which districts: {topic}"
    if _WHICH_ZH.search(topic):
        return _WHICH_ZH.sub("哪些区", topic, count=1)
    topic = re.sub(r"^(?:那么?|请问)", "", topic).lstrip("，, ")
    return f"哪些区{topic}"


def _kind(question: str, gazetteer: Gazetteer) -> tuple[str, list[PlaceMention]]:
    """'switch' | 'widen' | '' for a full question, and the places the question names."""
    mentions = gazetteer.find(question)
    residue = _residue(question, mentions)
    if len(residue) > MAX_FOLLOWUP_RESIDUE:
        return "", mentions
    if mentions and _SWITCH.match(residue):
        return "switch", mentions
    if not mentions:
        if _WIDEN_MUST.search(residue) and _WIDEN.match(residue):
            return "widen", mentions
        if _WIDEN_EN.match(residue) or _WIDEN_EN2.match(residue):
            return "widen", mentions
    return "", mentions


def _one(question: str, previous: str | None, gazetteer: Gazetteer) -> tuple[str, str]:
    q = question.strip()
    if not previous or not q:
        return q, ""
    kind, mentions = _kind(q, gazetteer)
    english = _is_english(_residue(q, mentions)) or (_is_english(q) and not _CJK.search(q))
    if kind == "switch":
        # the place goes into the previous question, so it takes that question's language: "那鼓楼区呢？"
        # after an English question searches "… Gulou District …", "What about Gulou?" after a Chinese one "…鼓楼区…"
        old = gazetteer.find(previous)
        place = _place_name(mentions, _is_english(previous) or (bool(old) and _is_english(_strip_places(previous, old))))
        searched = _switch_place(previous, place, gazetteer)
        note = (f"Follow-up: the previous question, about {place}" if english
                else f"追问：沿用上一问的主题，地点换成{_place_name(mentions, False)}")
        return searched, note
    if kind == "widen":
        searched = _widen(previous, gazetteer)
        note = ("Follow-up: the previous question, for all districts" if english
                else "追问：把上一问扩展到所有区")
        return searched, note
    return q, ""


def rewrite(question: str, history_questions: list[str], gazetteer: Gazetteer) -> tuple[str, str]:
    """(the question to search, a short note on how it was rewritten or "" when unchanged).

    `history_questions` are the earlier questions as typed, oldest first.  The
    question and each of the last MAX_HISTORY history entries are normalised and
    capped (`bounded`) first, so the work is bounded whatever the caller sends.
    """
    previous: str | None = None
    for h in bounded_history(history_questions):
        previous, _ = _one(h, previous, gazetteer)
    question, _ = bounded(question)
    searched, note = _one(question, previous, gazetteer)
    if note:
        log.debug("follow-up %r → %r", question, searched)
    return searched, note
