"""What a question is about, against what the documents say.

`many_districts`: which districts a which-districts answer lists (one passage
each, and only districts whose passage says it). `unknown_terms`: the
question's topical words that no indexed passage contains (方舱, HPV) — the
answer is then at best 部分相关, and says which words are missing.
"""
from __future__ import annotations

import functools
import os
import re
from typing import Mapping

from .pick import Pick, quoted_phrases
from ..places import issuer_kind
from .sentlex import holds, implied_terms
from ..search.query import Query
from ..indexing.script import simplified
from ..indexing.tokenize import tokenize


def _answer_helpers():
    # qa.answering.answer imports this module; its helpers are looked up at call time
    from .answer import _FRAME_WORDS, _is_number, sentence_score, sentence_tokens

    return _FRAME_WORDS, _is_number, sentence_score, sentence_tokens


MANY_MIN_SHARE = 0.6  # of the question's topic weight a district's sentence must hold to be listed


def many_districts(picks: list[Pick], weights: Mapping[str, float], query: Query | None = None) -> list[Pick]:
    """One pick per document whose best sentence states the question's topic, best first.

    A district is listed when one of its sentences holds most of the
    question's weighted terms — and its head term (the longest, e.g.
    互联网医院 rather than 互联网 + 医院, or an alternative the question gives
    in brackets or after 或) whenever any candidate sentence has it, and the
    title it quotes (《健康XX行动实施方案》) whenever any candidate cites it — or, for
    a question the lexical terms miss, when its sentence is as close in meaning
    as the best one; and only then. English questions are matched on their
    Chinese glossary terms, which are alternatives (建党 / 中国共产党), so no
    head term is required of them.
    """
    _, _is_number, sentence_score, sentence_tokens = _answer_helpers()
    zh = {t: w for t, w in weights.items() if not t.isascii()} or dict(weights)
    english = query is not None and query.script != "zh"
    if english and (glossed := _glossed(query.text, picks)):
        # "…clean-government work (党风廉政建设)": the asker wrote the plans' own words; a place is listed when one of
        # its sentences writes them (a 繁體 copy read as simplified), whatever its English words translate to
        out = {}
        for p in picks:
            if p.hit.doc_id not in out and any(g in _compact(simplified(p.text)) for g in glossed):
                out[p.hit.doc_id] = p
        kept = of_asked_kind(list(_headed(picks, query, out).values()), query.asked_kinds)
        return of_named_type(kept, query.text)
    # the phrase a question offers alternatives for, and each alternative, as written: 无烟机关（无烟党政机关）,
    # 国家卫生城市（国家卫生区） — a sentence with either says it, though jieba splits one into short words
    phrases = _offered_phrases(query.text if query and not english else "", [_compact(p.text) for p in picks])
    offered = {t: w for t, w in zh.items() if any(t in ph for ph in phrases)}  # one concept, however written
    total = sum(zh.values()) or 1.0
    lex = {}
    implied = implied_terms(query) if query is not None else None
    for p in picks:
        lex[id(p)] = sentence_score(p.matched, zh, implied)
        if offered and any(ph in _compact(p.text) for ph in phrases):
            lex[id(p)] = sentence_score(p.matched, {t: w for t, w in zh.items() if t not in offered}) * (
                1 - sum(offered.values()) / total) + sum(offered.values()) / total
    best = picks[0]
    top_lex = max(lex.values())
    toks = {id(p): sentence_tokens(p.matched) for p in picks}
    head, alts = None, set()
    if not english:
        heads = sorted((t for t in zh if len(t) >= 4 and not _is_number(t)), key=lambda t: (-len(t), t))
        head = next((t for t in heads if any(holds(t, p.matched) for p in picks)), None)
        alts = _alternatives(query.text if query else "")
    cited = _quoted_titles(query.text if query else "")
    cited = {t for t in cited if any(t in _compact(p.text) for p in picks)}
    # an English question's words each count once, whichever of their translations a sentence uses
    words = _english_words(query) if english else {}
    held = {id(p): _words_held(words, _compact(p.matched)) for p in picks}
    top_held = max(held.values(), default=0)
    # the compounds a sentence that may be listed writes ("healthy families" → 健康家庭; the best by its words may
    # have the two apart); a weak sentence's compound (重大疾病防控 of "chronic disease prevention") is no evidence
    strong = [p for p in picks if lex[id(p)] >= MANY_MIN_SHARE_EN * top_lex and held[id(p)] >= MANY_MIN_WORDS_EN * top_held]
    compounds = []
    for among in ([best], strong) if english else ():
        compounds = [c for c in english_compounds(query) if any(c.search(_compact(p.matched)) for p in among)]
        if compounds:
            break
    out: dict[str, Pick] = {}
    for p in picks:
        if words and p is not best and held[id(p)] < MANY_MIN_WORDS_EN * top_held:
            continue  # it says fewer of the question's words than the best: "medicine" of "TCM clinics"
        if compounds and not any(c.search(_compact(p.matched)) for c in compounds):
            # "community hospitals" is 社区医院 in the best sentence: 社区卫生服务中心 … 医院 is not one. One of the
            # best's compounds will do: a question may offer alternatives ("township hospitals or community
            # health centres"), and 家庭医生签约机制 says "family doctor contract services" without 签约服务
            continue
        if best.asked_ok and not p.asked_ok:
            continue  # asked for a figure (设定了百分比目标, 达到多少), a sentence stating none does not answer
        if p.hit.doc_id in out or (head and not holds(head, p.matched) and not alts & toks[id(p)]
                                   and not any(a in _compact(p.text) for a in phrases)):
            continue
        if cited and not all(t in _compact(p.text) for t in cited):
            continue  # it cites another plan: its other words are the boilerplate every plan's basis shares
        # close in meaning counts for a sentence that says something: an item's bare heading ("5. 持续开展爱国卫生
        # 运动。") sits close to any question, and when some sentence shares the question's words, one sharing none
        # is close by shape, not by what it says
        close = (p.cos is not None and best.cos is not None and p.cos >= best.cos - MANY_DENSE_MARGIN
                 and (p is best or not p.is_heading) and (lex[id(p)] > 0 or top_lex == 0))
        share = MANY_MIN_SHARE_EN if english else MANY_MIN_SHARE
        if lex[id(p)] >= share * top_lex and lex[id(p)] >= MANY_MIN_LEX * (0.5 if english else 1.0) or (
                top_lex < MANY_MIN_LEX and close):
            out[p.hit.doc_id] = p
    # the answer stands on the best sentence: without sentence vectors (no `close`) a question whose words are
    # mostly the documents' names (突发公共卫生事件应急预案) might otherwise list no place under its heading
    out = _headed(picks, query, out) if query is not None else out
    kept = of_asked_kind(list(out.values()) or [best], query.asked_kinds if query is not None else frozenset())
    return of_named_type(kept, query.text if query is not None else "")


# "哪些地方的突发公共卫生事件应急预案设有…", "哪些区的工作要点提到…": the question names the kind of document
# that must say it. Only the words for a plan (方案/预案/规划/…/行动, as in 健康行动文件) name a kind: a bare 文件
# follows the documents' subject (卫生健康文件), which every loaded plan may share without its title saying so.
_NAMED_TYPE = re.compile(r"哪(?:些|几个)(?:地方|区|县|市|城市|地区|州)的([\u4e00-\u9fff]{2,14}?(?:方案|预案|规划|要点|意见|"
                         r"计划|纲要|行动))")


def of_named_type(picks: list[Pick], question: str) -> list[Pick]:
    """The places whose document is of the kind the question names (its title holds each word of it:
    健康行动 in 健康六盘水行动实施方案), when any is listed; otherwise all stay (the kind may be named loosely)."""
    m = _NAMED_TYPE.search(question)
    kind = m.group(1) if m else ""
    words = [w for w in tokenize(kind) if len(w) >= 2 and not any(w != v and w in v for v in tokenize(kind))]
    if len(kind) < 2 or not words:
        return picks
    same = [p for p in picks if all(w in _compact(p.hit.title) for w in words)]
    return same if same else picks


def of_asked_kind(picks: list[Pick], kinds: frozenset[str]) -> list[Pick]:
    """The places of the kind the question asks for (哪些县 → counties), when any is listed: a district saying the
    same is not what was asked. With none of that kind listed the word is taken loosely (哪些区 asked of
    counties' plans) and all stay, as a which-one question's kind is a preference, not a filter."""
    same = [p for p in picks if issuer_kind(p.hit.district, p.hit.city) in kinds]
    return same if same else picks


_QUOTED_TITLE = re.compile(r"《([^《》]{4,60})》")
_GLOSS = re.compile(r"[（(]\s*([\u4e00-\u9fff]{2,20})\s*[)）]")


def _glossed(question: str, picks: list[Pick]) -> list[str]:
    """The Chinese an English question gives in brackets for its topic ("food safety (食品安全)") that some
    candidate sentence writes; [] when it gives none or no sentence writes it (then its English words decide)."""
    glosses = [simplified(g) for g in _GLOSS.findall(question)]
    return [g for g in glosses if any(g in _compact(simplified(p.text)) for p in picks)]


def _headed(picks: list[Pick], query: Query, out: dict[str, Pick]) -> dict[str, Pick]:
    """`out` and the places whose passage stands under a heading that writes the phrase the question quotes or
    glosses ("七、扎实做好“一老一小”照护服务…" over items that never repeat it): the heading says it of them all."""
    said = [_compact(simplified(q)) for q in {*quoted_phrases(query.text), *_GLOSS.findall(query.text)}]
    extra = {p.hit.doc_id: p for p in reversed(picks) if said and p.hit.doc_id not in out
             and any(q in _compact(simplified(p.hit.section)) for q in said)}
    return {**out, **extra}


def _compact(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _quoted_titles(text: str) -> set[str]:
    """The titles a question quotes in 《》: the words that tell one plan's basis from another's."""
    return {_compact(m.group(1)) for m in _QUOTED_TITLE.finditer(text)}


_ALT = re.compile(r"[（(]([^）)]{2,20})[）)]|或([\u4e00-\u9fff]{2,12})")


def _alternatives(text: str) -> set[str]:
    """Words the question offers as alternatives: inside brackets or after 或 (无烟机关（无烟党政机关）)."""
    frame_words = _answer_helpers()[0]
    out = set()
    for m in _ALT.finditer(text):
        out.update(t for t in tokenize(m.group(1) or m.group(2)) if len(t) >= 4 and t not in frame_words)
    return out


_OFFERED = re.compile(r"([\u4e00-\u9fff]{2,24})[（(]([\u4e00-\u9fff、，,/]{2,40})[）)]|"
                      r"([\u4e00-\u9fff]{2,24})或([\u4e00-\u9fff]{2,12})")
MIN_PHRASE = 3


def _offered_phrases(text: str, sentences: list[str]) -> set[str]:
    """Alternatives a question offers ("A（B）", "A或B"), each as a phrase some candidate sentence writes.

    A is the longest end of the words before the bracket (or 或) that a candidate writes (提到无烟机关 →
    无烟机关); B, the bracket's content, likewise its longest start (国家卫生区 of 国家卫生区复审 too).
    """
    out = set()
    for m in _OFFERED.finditer(text):
        before, after = (m.group(1), m.group(2)) if m.group(1) else (m.group(3), m.group(4))
        ends = [before[i:] for i in range(len(before) - MIN_PHRASE + 1)]
        # a bracket may offer several ("（医防融合、医防协同）"): each is an alternative of its own
        options = [ends] + [[b[:j] for j in range(len(b), MIN_PHRASE - 1, -1)] for b in re.split(r"[、，,/]", after)]
        for opts in options:
            found = next((x for x in opts if any(x in s for s in sentences)), None)
            if found:
                out.add(found)
    return out


MANY_MIN_SHARE_EN = 0.4
# An English which-places question: a place's sentence must say at least this share of the question's words that
# the best sentence says, each English word counted once whichever Chinese translation the sentence uses. The
# weighted share (MANY_MIN_SHARE_EN) alone let in sentences that hold one heavy word of several — 中医药 of
# "traditional Chinese medicine clinics", 示范 of "childcare institutions… with a demonstration effect"; raising
# it cost recall one for one. On the development lists this rule took English list precision from 0.68 to 0.85
# at recall 0.97 → 0.88 (0.5: 0.76/0.95; 0.67: 0.86/0.74); Chinese lists are untouched.
MANY_MIN_WORDS_EN = 0.6


def _english_words(query: Query) -> dict[str, frozenset[str]]:
    """An English question's content words (or phrases) → every Chinese term any of its groups offers."""
    out: dict[str, set[str]] = {}
    for g in query.xling:
        if g.english:  # feedback groups (prf) stand for no word of the question
            out.setdefault(g.english.lower(), set()).update(t for t, _ in g.terms)
    return {w: frozenset(ts) for w, ts in out.items()}


COMPOUND_GAP = 2  # characters a Chinese compound may hold between the two words' translations: 开办(中医)诊所


def english_compounds(query: Query | None) -> list[re.Pattern[str]]:
    """Per pair of adjacent English words the question translates ("community hospitals", "quality control"), a
    pattern for a Chinese compound of their translations in the same order (社区医院, 质量控制; 开办中医诊所 for
    "open clinics", up to COMPOUND_GAP characters apart). An English compound is a Chinese one written the
    same way round; where a sentence writes it so, a place whose sentence has the two words apart names two
    things, not the one asked about."""
    from ..crosslingual.english import content_stems

    if query is None:
        return []
    spans: dict[tuple[int, int], set[str]] = {}  # the dictionary's and the term table's senses of one span pooled
    positions = [(i, w.lower()) for i, w, _ in content_stems(query.text)]
    for g in query.xling:
        if g.source not in ("lexicon", "terms") or not g.english:
            continue
        n = len(g.english.split())
        for k in range(len(positions) - n + 1):  # every place the word stands ("Internet hospitals or Internet +")
            if " ".join(w for _, w in positions[k:k + n]) == g.english.lower():
                spans.setdefault((positions[k][0], positions[k + n - 1][0]), set()).update(t for t, _ in g.terms)

    def alt(terms: set[str]) -> str:
        return "|".join(map(re.escape, sorted(terms, key=lambda t: (-len(t), t))))

    return [re.compile(f"(?:{alt(first)})[\u4e00-\u9fff]{{0,{COMPOUND_GAP}}}?(?:{alt(second)})")
            for (_, a1), first in spans.items() for (b0, _), second in spans.items() if b0 == a1 + 1]


def _words_held(words: Mapping[str, frozenset[str]], text: str) -> int:
    """How many of the words `text` says, in any of their translations."""
    return sum(1 for ts in words.values() if any(t in text for t in ts))


MANY_MIN_LEX = 0.3
MANY_DENSE_MARGIN = 0.02


# A word jieba's general dictionary counts more often than this is everyday language (打算, 名字, 小孩):
# a paraphrase, not a topic. Rarer dictionary words (流感, 方舱, 摔倒) and Latin acronyms (HPV) name one.
_TOPICAL_MAX_FREQ = 700
_QUESTION_CHARS = re.compile(r"[几哪谁何么怎吗呢]|多少|多长|多大")


def _dictionary_freq(word: str) -> int | None:
    """How often jieba's general dictionary counts `word` (None: not a dictionary word, e.g. 区要)."""
    from ..indexing.tokenize import _get_tokenizer

    tk = _get_tokenizer()
    freq = getattr(tk, "FREQ", None)
    if freq is None:
        get = getattr(tk, "get_freq", None) or getattr(tk, "freq", None)
        return get(word) if callable(get) else None
    return freq.get(word)


_COUNTED = re.compile(r"[一二两三四五六七八九十]+[个项类种条家所点件名位大]")  # "哪两项": how many, not a topic
# words naming the kind of fact asked, which a passage states without naming ("〔2014〕8号" is a 文号)
_KIND_WORDS = frozenset({"文号", "发文字号", "文件编号"})


def unknown_terms(query: Query, weights: Mapping[str, float], known) -> tuple[str, ...]:
    """The question's topical words that no indexed passage contains.

    Topical: a Chinese dictionary word rarer than everyday language, or a Latin
    acronym in a Chinese question; never numbers, question words or pieces a
    tokenizer glued together. English questions are skipped: their words never
    occur in the Chinese passages. A part of a longer unknown word is not repeated.
    """
    if known is None or query.script != "zh":
        return ()
    _is_number = _answer_helpers()[1]
    out = []
    for t in weights:
        if len(t) < 2 or _is_number(t) or _QUESTION_CHARS.search(t) or _COUNTED.fullmatch(t) or t in _KIND_WORDS or known(t):
            continue
        if t.isascii():
            m = re.search(re.escape(t.upper()), query.text) if t.isalnum() and not t.isdigit() else None
            if m:  # an acronym (HPV) as the question writes it; tokens are lower-cased
                out.append(m.group(0))
            continue
        f = _dictionary_freq(t)
        if f is not None and 0 < f <= _TOPICAL_MAX_FREQ:
            out.append(t)
    out = [t for t in out if not any(t != o and t in o for o in out)]  # the longest unknown words
    return tuple(sorted(out, key=query.text.find))


@functools.lru_cache(maxsize=1)
def _nouns() -> frozenset[str]:
    """The common nouns (tag n) of jieba's general dictionary: ~120k words, read once (~0.2 s, ~18 MB)."""
    import jieba

    out = set()
    with open(os.path.join(os.path.dirname(jieba.__file__), "dict.txt"), encoding="utf-8") as f:
        for line in f:
            parts = line.split()
            if len(parts) == 3 and parts[2] == "n":
                out.add(parts[0])
    return frozenset(out)


@functools.lru_cache(maxsize=1)
def _things() -> frozenset[str]:
    """Nouns, proper nouns (nz) and verbal nouns (vn: 耳聋, 筛查) of jieba's general dictionary: what can be a topic."""
    import jieba

    out = set()
    with open(os.path.join(os.path.dirname(jieba.__file__), "dict.txt"), encoding="utf-8") as f:
        for line in f:
            parts = line.split()
            if len(parts) == 3 and parts[2] in ("n", "nz", "vn"):
                out.add(parts[0])
    return frozenset(out)


def _is_noun(word: str) -> bool:
    return word in _nouns() or (word.isascii() and word.isalnum() and not word.isdigit())  # HPV


def unmatched_kind(query: Query, missing: tuple[str, ...], known, sentence: frozenset[str], text: str = "") -> str:
    """A noun of `missing` that narrows a noun the answer sentence has (方舱|医院, HPV|疫苗, 流感|疫苗).

    The answer is about the head noun but the question asks for a kind of it that
    no indexed passage names at all, so the documents do not answer it. Returns
    the word, or "". Both must be common nouns in jieba's general dictionary: a
    verb or an adjective in front of a noun (添置|设备, 冷冻|食品) or a noun before a
    verb (化验|服务) is a paraphrase, not a kind.
    """
    if not missing or known is None:
        return ""
    # a missing word made of two known words (卫生机构 = 卫生 + 机构) is new phrasing, not a new thing
    miss = {m.lower() for m in missing if not any(known(m[:k]) and known(m[k:]) for k in range(2, len(m) - 1))}

    from .sentlex import _FRAME_WORDS

    def head(w: str) -> bool:  # a frame word (名次|目标) frames the question; it names no thing
        return len(w) >= 2 and known(w) and w in sentence and w in _nouns() and w not in _FRAME_WORDS

    said = text
    text = query.text.lower()
    toks = [t for t in dict.fromkeys(tokenize(query.text)) if head(t)]
    for m in sorted(miss):
        if not _is_noun(m):
            continue
        i = text.find(m)
        nxt = next((t for t in toks if i >= 0 and text.startswith(t, i + len(m))), None)
        if nxt and not _coordinated(m, nxt) and not _reworded(m, nxt, said):
            return m  # 方舱|医院, HPV|疫苗, 流感|疫苗接种率
        if any(head(m[k:]) and not known(m[:k]) for k in range(1, len(m) - 1)):
            return m  # 流感疫苗: 疫苗 is in the answer, 流感 in no passage
    return ""


def _coordinated(word: str, head: str) -> bool:
    """灭蚊|灭鼠: two words of one pattern side by side are a pair (kill mosquitoes and rats), not a kind of
    the second."""
    return len(word) == len(head) == 2 and word[0] == head[0]


def _reworded(word: str, head: str, sentence: str) -> bool:
    """重症|精神病人 where the sentence writes 重性精神病, 货源|质量 where it writes 进货质量: the answer qualifies the
    same head with a word sharing a character with the question's, so the question rewords the plan's kind
    rather than asking another."""
    return any(m.start() >= len(word) and set(sentence[m.start() - len(word):m.start()]) & set(word)
               for m in re.finditer(re.escape(head[:2]), sentence))
