"""What a question is: its script, numbers, places, intent, and — for English —
the Chinese domain terms it names (so English questions also reach BM25).
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from ..crosslingual.frames import english_frames, english_roles
from .frames import roles_asked
from ..places import Gazetteer, PlaceMention, asked_kinds

GLOSSARY_PATH = Path(__file__).resolve().parents[1] / "data" / "glossary_en_zh.tsv"
MAX_QUERY_CHARS = 1000  # longer input is truncated (with a notice) so a paste cannot stall search

_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z\-']*")


def latin_words(text: str) -> list[str]:
    """The English words of text, a hyphenated one as its parts: "community-health centres" meets the
    glossary's "community health center", and "long term prescriptions" its "long-term prescription"."""
    return [p for w in _LATIN_WORD.findall(text) for p in w.split("-") if p]
_NUMBER = re.compile(r"\d+(?:\.\d+)?\s*[%％]?|百分之[零一二三四五六七八九十点\d.]+")
_DOCNO = re.compile(r"[〔（(\[]\s*(?:19|20)\d{2}\s*[〕）)\]]\s*\d+\s*号")
_WHICH = re.compile(
    r"哪个区|哪一个区|哪个县|哪一个县|哪个市|哪个城市|哪座城市|哪个地方|哪个单位|哪份文件|哪个文件|哪个区县|哪个县市|"
    r"哪个旗|哪个州|哪家|"
    r"\bwhich\s+(?:district|city|county|banner|prefecture|document|plan|bureau|place|area)s?\b|"
    r"\bwhich\s+(?:cities|counties)\b|\bwhere\b",
    re.IGNORECASE,
)
# the plural of any level: 哪些区/县/市/县市/区县/旗/州, 哪几个区/县/市, which districts/counties/places
_WHICH_MANY = re.compile(
    r"哪些(?:区县?|县[市区]?|市|州|旗|地方|地区|城市|文件|单位)|哪几个(?:区县?|县[市区]?|市|地方)|"
    r"\bwhich\s+(?:districts|cities|counties|banners|prefectures|places|areas|documents|plans)\b", re.IGNORECASE)
# "哪些单位/哪家" asks for places only when no place is named: "余杭…下发给哪些单位" asks for the
# units inside the named plan (its addressees, its lead units), not for other plans' issuers
_WHICH_UNIT = re.compile(r"哪(?:些|个|一个|几个)单位|哪家")
_STOP_EN = set(
    "a an the of to in on for and or is are was were be been by with as at from that this these those which what who "
    "whom whose how when where why does do did has have had it its their there than into about any all each per "
    "should must will would can could may might shall district city county place document plan bureau say says said "
    "mention mentions mentioned require requires required".split()
)


@dataclass(frozen=True, slots=True)
class Query:
    """A question as understood for retrieval."""

    text: str  # the text searched (NFC, trimmed, possibly truncated)
    script: str  # "zh" | "en" | "mixed"
    places: tuple[PlaceMention, ...]
    place_doc_ids: frozenset[str]
    numbers: tuple[str, ...]
    has_doc_number: bool
    which: str  # "" | "one" | "many" — asks for a place/document as the answer
    expansion: tuple[str, ...]  # Chinese glossary terms for English words
    en_coverage: float  # share of English content words the glossary covered
    truncated: bool = False
    notes: tuple[str, ...] = field(default=())
    answer_patterns: tuple[str, ...] = field(default=())  # regexes, see answer_context_patterns
    header_field: str = ""  # asks for a header fact: "doc_number" | "date" | "signer" | "issuer" | "title"
    unloaded: tuple[str, ...] = field(default=())  # places named that no loaded document is about
    loaded_places: tuple[str, ...] = field(default=())  # what is loaded, to say so when unloaded is set
    unloaded_names: tuple[str, ...] = field(default=())  # those places as the question writes them (西吉县)
    xling: tuple = field(default=())  # qa.crosslingual.TermGroup's, added by Retriever.analyze (index-specific)
    asked_kinds: frozenset[str] = field(default=frozenset())  # "哪个县…": the issuer kinds (qa.places.level) admitted
    # the index's contractions of the question's words, each with the words it stands for:
    # (("医养结合", ("医疗卫生", "养老", "结合")),) — qa.search.abbrev, added by Retriever.analyze
    contracted: tuple = field(default=())


def encodable(text: str) -> str:
    """text with lone surrogates ("\\ud800": legal in JSON and Python strings, not in UTF-8) as '?'."""
    return text.encode("utf-8", "replace").decode("utf-8")


def normalize_query(text: str) -> tuple[str, bool]:
    """Trim, drop control characters and lone surrogates, cap the length."""
    if not isinstance(text, str):
        raise TypeError(f"query must be a string, not {type(text).__name__}")
    text = encodable(text)
    text = "".join(ch if unicodedata.category(ch)[0] != "C" or ch in "\t\n" else " " for ch in text)
    text = unicodedata.normalize("NFC", text).strip()
    truncated = len(text) > MAX_QUERY_CHARS
    return (text[:MAX_QUERY_CHARS] if truncated else text), truncated


@lru_cache(maxsize=1)
def _glossary() -> tuple[tuple[tuple[str, ...], tuple[str, ...]], ...]:
    entries = []
    for line in GLOSSARY_PATH.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        en, zh = line.split("\t", 1)
        entries.append((tuple(_stem(w) for w in latin_words(en.lower())), tuple(zh.split())))
    entries.sort(key=lambda e: -len(e[0]))  # longest phrase first
    return tuple(entries)


# British → American, so one glossary spelling serves both
_SPELLING = [("centre", "center"), ("programme", "program"), ("isation", "ization"), ("ise", "ize"),
             ("ising", "izing"), ("ised", "ized"), ("our", "or"), ("ae", "e")]


def _stem(word: str) -> str:
    word = word.lower().strip("-'")
    for gb, us in _SPELLING:
        if gb in word and len(word) > 5:
            if gb in ("ise", "ising", "ised", "our") and not word.endswith(gb) and not word.endswith(gb + "s"):
                continue
            word = word.replace(gb, us)
    if len(word) <= 4 or word.endswith("ss"):
        return word
    if word.endswith("ies"):
        return word[:-3] + "y"
    if word.endswith(("sses", "xes", "zes", "ches", "shes")):  # "es" is a plural ending only after these
        return word[:-2]
    if word.endswith("s"):
        return word[:-1]
    return word


_ORDINALS = ("first second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth thirteenth "
             "fourteenth fifteenth sixteenth").split()
_NTH_PLAN = re.compile(r"\b(?:(\d{1,2})(?:st|nd|rd|th)|(" + "|".join(_ORDINALS) + r"))[\s-]+five[\s-]+year[\s-]+plans?\b",
                       re.IGNORECASE)
_CN_DIGIT = "零一二三四五六七八九"


def five_year_plan(n: int) -> str:
    """The Chinese name of the n-th Five-Year Plan: 9 → 九五, 10 → 十五 (2001–2005), 14 → 十四五."""
    if not 1 <= n <= 19:
        return ""
    return ("十" + (_CN_DIGIT[n - 10] if n > 10 else "") if n >= 10 else _CN_DIGIT[n]) + "五"


def _nth_plans(text: str) -> list[str]:
    out = []
    for m in _NTH_PLAN.finditer(text):
        n = int(m.group(1)) if m.group(1) else _ORDINALS.index(m.group(2).lower()) + 1
        if name := five_year_plan(n):
            out.append(name)
    return out


def expand_english(text: str) -> tuple[tuple[str, ...], float]:
    """Chinese terms for the English domain phrases in text, and coverage.

    Coverage = share of English content words (not stop-words, not places)
    that fall inside a glossary phrase: how much BM25 can be trusted. "The 10th
    Five-Year Plan" is 十五 (2001–2005), not the glossary's current plan: a plan named
    by its ordinal is translated by it.
    """
    terms: list[str] = _nth_plans(text)
    n_all = len([w for w in latin_words(text) if _stem(w) not in _STOP_EN])
    rest = _NTH_PLAN.sub(" ", text) if terms else text
    words = [_stem(w) for w in latin_words(rest)]
    content = [i for i, w in enumerate(words) if w not in _STOP_EN]
    covered: set[int] = set()
    for i, n, zh in _glossary_matches(words):
        terms.extend(t for t in zh if t not in terms)
        covered.update(range(i, i + n))
    named = n_all - len(content)  # the words of an ordinal plan's name, translated above
    cov = (len([i for i in content if i in covered]) + named) / n_all if n_all else 0.0
    return tuple(dict.fromkeys(terms)), cov


def _glossary_matches(words: list[str]):
    """(start, length, Chinese terms) of each glossary phrase in a list of stemmed words, longest first."""
    i = 0
    gl = _glossary()
    while i < len(words):
        for phrase, zh in gl:
            n = len(phrase)
            if n and tuple(words[i : i + n]) == phrase:
                yield i, n, zh
                i += n
                break
        else:
            i += 1


def glossary_words(text: str) -> frozenset[str]:
    """The words of text (lower-cased) that fall inside a glossary phrase."""
    surface = latin_words(text)
    words = [_stem(w) for w in surface]
    return frozenset(surface[j].lower() for i, n, _ in _glossary_matches(words) for j in range(i, i + n))


_QUESTION_WORD = re.compile(
    r"什么样的|什么|哪些|哪个|哪几个|哪几|哪家|哪类|哪种|哪一|哪[两三四五六七八九十][个项类种条家所点件]?|哪里|哪儿|哪天|何时|多少|(?<![这那近前])几(?:个|项|家|年)|"
    r"谁|怎样|怎么|如何")  # 哪两项, 哪三个: asked to name that many
_CONTEXT_CHAR = re.compile(r"[\u4e00-\u9fa5A-Za-z0-9%.]")


_FIGURE_WORDS = {"多少": "", "几个": "个", "几项": "项", "几家": "家", "几年": "年"}  # → the unit they ask in
_FIGURE_GAP = r"(?:\d+(?:\.\d+)?|[一二两三四五六七八九十百千万]+)\s*[余多]?"
# how many came to a meeting ("一共来了多少人", "多少人参加"): a news item writes "共计50余人参加了会议"
_ATTENDANCE_ASKED = re.compile(r"(?:来了|到了|参加|出席|参会|与会|到会)[^，,。？?]{0,4}(?:多少|几)个?人|(?:多少|几)个?人"
                               r"(?:来|参加|出席|参会|与会|到会)")
_ATTENDANCE = _FIGURE_GAP + r"(?:名|人)[^，,。；;]{0,6}?(?:参加|出席|参会|与会|到会)"


def _takewhile_context(text: str, width: int):
    for ch in text[:width]:
        if not _CONTEXT_CHAR.match(ch):
            return
        yield ch


def answer_context_patterns(text: str, *, width: int = 3, min_context: int = 4) -> tuple[str, ...]:
    """Regexes for the text around a Chinese question word, with the answer as a gap.

    "…活动以什么为主线？" → "以.{1,40}?为主线", "动以.{1,40}?为主线", …: a passage
    that says "以X为主线" holds the answer whatever X is — the old QA trick of
    matching the question's frame rather than its words.  Every split of up
    to `width` characters on each side with at least `min_context` in all is
    tried, because the words next to the question word in the question are
    often not the ones next to the answer in the text.
    """
    pats: list[str] = []
    for m in _QUESTION_WORD.finditer(text):
        if m.group() in _FIGURE_WORDS:
            # "…会有多少人参加" of "共计150余人参加了会议": the words before 多少 are seldom the plan's, but a
            # figure followed by the words after it ("150余人参加") is the answer's own frame
            unit = _FIGURE_WORDS[m.group()]
            right = "".join(_takewhile_context(text[m.end():], width))
            for j in range(max(1, 2 - len(unit)), len(right) + 1):
                pats.append(_FIGURE_GAP + re.escape(unit + right[:j]))
        left, right = "", ""
        for ch in reversed(text[: m.start()]):
            if not _CONTEXT_CHAR.match(ch) or len(left) >= width:
                break
            left = ch + left
        for ch in text[m.end():]:
            if not _CONTEXT_CHAR.match(ch) or len(right) >= width:
                break
            right += ch
        for i in range(1, len(left) + 1):
            for j in range(1, len(right) + 1):
                if i + j >= min_context:
                    pats.append(re.escape(left[-i:]) + r".{1,40}?" + re.escape(right[:j]))
    if _ATTENDANCE_ASKED.search(text):
        pats.append(_ATTENDANCE)
    pats += role_frames(text)
    return tuple(dict.fromkeys(pats))


def role_frames(text: str, *, asked: bool = False) -> tuple[str, ...]:
    """The plan's fixed ways of naming what the question asks about the role of (qa.search.frames), as regexes.
    `asked`: the text is only the role words (an English question's, qa.crosslingual.frames.english_roles)."""
    return roles_asked(text) if asked or _QUESTION_WORD.search(text) or "哪位" in text else ()


# Questions about a document's header facts; those facts live in its header passage. The order decides
# when a question names two ("印发…文号" asks for the 文号; "哪天签发的" the date, "谁签发的" the signer).
HEADER_FIELDS = (
    ("doc_number", re.compile(r"文号|发文字号|发文编号|文件编号|\b(?:document|reference|file) (?:number|no\b\.?)", re.I)),
    ("date", re.compile(r"印发日期|成文日期|发文日期|落款日期|签发日期|印发时间|发布日期|发布时间|"
                        # "哪天由领导小组办公室印发的": who issued it may stand between
                        r"(?:哪天|哪一天|何时|什么时候)(?:由[^，,。？?]{1,20}?)?(?:印发|签发|签署|发布|下发|发的)|"
                        # the verb first: "印发《…方案》的日期是哪天", "签发这份通知是什么时候"
                        r"(?:印发|签发|下发|发布)[^，,。？?]{0,30}?(?:方案|要点|计划|通知|文件|意见|安排|规划)》?"
                        r"的?(?:日期|时间)?是?(?:哪天|哪一天|何时|什么时候|哪个日期)|"
                        r"\bdate of issue\b|\bissue date\b|\bissued on\b|\bwhen was\b.{0,80}\b(?:issued|published|signed|released)\b|"
                        r"\bwhen did\b.{0,80}\b(?:issue|sign|publish|release)\b|\bdated\b|\bwhat date\b", re.I)),
    ("signer", re.compile(r"签发人|谁签发|签发的|\bsign(?:ed|atory|er)\b|\bwho signed\b", re.I)),
    ("issuer", re.compile(r"发文机关|发文单位|印发单位|哪个(?:机关|单位|部门|机构)(?:印发|发布|发的|发文)|哪个机关|谁印发|由谁印发|谁发布"
                          r"|由?哪(?:个|家|一级|几个|些)?(?:机关|单位|部门|机构)(?:联合)?(?:印发|发布|下发|制发)"
                          r"|\bwho issued\b|\bissued by\b|\bissuing (?:body|authority|agency)\b"
                          r"|\bwhich (?:office|bureau|agency|authority|body|department) issued\b", re.I)),
    ("title", re.compile(r"标题|文件名称|文件名|文件的题目|(?:文件|方案|计划|要点|意见)(?:的)?(?:名称|全称)?叫什么|全称是什么|"
                         r"\btitle of\b|\bwhat is the title\b", re.I)),
)
# a question about a document the plan cites ("依据…哪个文号的文件", "which provincial plan does it
# implement") asks for the plan's text, not for its own header
_CITED = re.compile(r"依据|根据|按照|落实|贯彻|引用|援引|\bcit(?:e|es|ed|ing)\b|\bimplement|\bbased (?:on|upon)\b|\bis based\b|\bpursuant\b",
                    re.I)


# "On what date did X hold its conference", "会议是哪天召开的": the date of an event the text reports, not of
# the document; "the title of the work report given at the meeting": a speech the text names, not the copy
_EVENT = re.compile(r"召开|举行|举办|开幕|\b(?:hold|held|holds|convene[sd]?|t[ao]ok? place|takes place)\b", re.I)
# "the title of the district's first micro-video", "the title of the work report": a work the text names. The title
# of the copy itself is asked as "the title of <the/X's …> plan/document/notice…" or with nothing after "title"
_TITLE_OF = re.compile(r"\btitle of ((?:[\w'-]+ ?){1,8})", re.I)
_DOC_NOUN = re.compile(r"\b(?:plans?|documents?|notices?|programmes?|programs?|priorities|points|opinions?|files?|"
                       r"circulars?|schemes?|outlines?|arrangements?|summar(?:y|ies)|copy|text|paper)\b", re.I)


def _names_a_work(text: str) -> bool:
    """"title of" a thing other than a document: a video, a report, a campaign the text names."""
    m = _TITLE_OF.search(text)
    return bool(m) and not _DOC_NOUN.search(m.group(1))


# "Which office signed the plan?": a body signs as its issuer; the 签发人 is a person
_BODY_SIGNED = re.compile(r"\b(?:which|what) (?:office|bureau|agency|authority|body|department|organi[sz]ation|government)s? "
                          r"(?:signed|issued)\b|哪个(?:机关|单位|部门|机构)(?:签发|落款|署名)", re.I)


def header_field(text: str) -> str:
    """The header fact a question asks for ("doc_number", "date", "signer", "issuer", "title"), or ""."""
    if _CITED.search(text):
        return ""
    if _BODY_SIGNED.search(text):
        return "issuer"
    for field_name, pattern in HEADER_FIELDS:
        if pattern.search(text):
            if (field_name == "date" and _EVENT.search(re.sub(r"《[^《》]*》", "", text))) or (field_name == "title" and _names_a_work(text)):
                return ""
            return field_name
    return ""


# A question may ask for two header facts at once ("Who issued … and on what date was it signed?", "由哪个机关印发、
# 落款日期是哪天"): the second is found by these stricter cues (a bare "signed" is the date's verb, not the signer's)
_ALSO_ASKED = (
    ("doc_number", re.compile(r"文号|发文字号|\b(?:document|reference) number\b", re.I)),
    ("date", re.compile(r"(?:印发|成文|发文|落款|签发|发布)日期|哪天|哪一天|什么时候|何时|\bwhat date\b|\bwhen\b", re.I)),
    ("signer", re.compile(r"签发人|谁签发|\bwho signed\b|\bsignator(?:y|ies)\b|\bsigner\b", re.I)),
    ("issuer", re.compile(r"发文机关|发文单位|由?谁印发|由?哪(?:个|家|一级)?(?:机关|单位|部门|机构)(?:联合)?(?:印发|发布|下发|制发)|"
                          r"\bwho issued\b|\bissued by\b|\bissuing (?:body|authority|agency)\b", re.I)),
)


def header_fields(text: str) -> tuple[str, ...]:
    """Every header fact the question asks for, in the order it asks them; the first cue is `header_field`'s."""
    first = header_field(text)
    if not first:
        return ()
    at = {first: min((m.start() for f, p in _ALSO_ASKED if f == first for m in p.finditer(text)), default=-1)}
    for f, p in _ALSO_ASKED:
        if f != first and (m := p.search(text)):
            at[f] = m.start()
    return tuple(sorted(at, key=lambda f: at[f]))


def analyze(text: str, gazetteer: Gazetteer | None) -> Query:
    """Raise ValueError on an empty question; otherwise describe it."""
    clean, truncated = normalize_query(text)
    if not clean:
        raise ValueError("empty query: type a question, e.g. 哪个区要求报告患病率不低于4.5%？")
    places = tuple(gazetteer.find(clean)) if gazetteer else ()
    # place names are not content words for the glossary coverage
    rest = clean
    for p in places:
        rest = rest.replace(p.surface, " ")
    n_cjk = len(_CJK.findall(rest))
    n_lat = sum(len(w) for w in _LATIN_WORD.findall(rest))
    if n_cjk == 0 and n_lat > 0:
        script = "en"
    elif n_lat > n_cjk * 2:
        script = "mixed"
    else:
        script = "zh"
    expansion, cov = expand_english(rest) if script != "zh" else ((), 0.0)
    place_doc_ids = frozenset(gazetteer.doc_ids_for(list(places))) if gazetteer else frozenset()
    asks = _WHICH_UNIT.sub(" ", clean) if place_doc_ids else clean
    which = "many" if _WHICH_MANY.search(asks) else ("one" if _WHICH.search(asks) else "")
    notes = (f"question truncated to {MAX_QUERY_CHARS} characters",) if truncated else ()
    unloaded = gazetteer.unloaded_mentions(clean) if gazetteer else []
    if which and script == "zh":
        # "西安市哪个区…" is scoped by the place before its question word; one after it is what the plan says
        # ("哪个区提出要建成现代化新城区": 新城区 is also a district's name, here the plan's own goal)
        at = (_WHICH_MANY.search(asks) or _WHICH.search(asks)).start()
        unloaded = [(label, name) for label, name in unloaded if 0 <= clean.find(name) < at]
    return Query(
        text=clean,
        script=script,
        places=places,
        place_doc_ids=place_doc_ids,
        numbers=tuple(m.group(0).replace(" ", "") for m in _NUMBER.finditer(clean)),
        has_doc_number=bool(_DOCNO.search(clean)),
        which=which,
        expansion=expansion,
        en_coverage=cov,
        truncated=truncated,
        notes=notes,
        answer_patterns=(answer_context_patterns(clean) if script == "zh"
                         else english_frames(clean) + role_frames(english_roles(clean), asked=True)),
        header_field=header_field(clean),
        unloaded=tuple(dict.fromkeys(label for label, _ in unloaded)),
        unloaded_names=tuple(dict.fromkeys(name for _, name in unloaded)),
        loaded_places=gazetteer.loaded_labels() if gazetteer else (),
        asked_kinds=asked_kinds(clean) if which else frozenset(),
    )
