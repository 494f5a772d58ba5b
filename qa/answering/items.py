"""Items and labels of a plan: which numbered item a question asks for ("第一项工作", "the second principle"),
the number an item's title starts with, and the short label a passage stands under ("一、活动主题") that a
question may name ("活动主题是什么")."""
from __future__ import annotations

import re

# "第一项工作是什么", "What is the first key task": the question asks for the Nth item of a list, and
# the item's own numbered title ("1.全面推进健康城镇建设。") is then the answer, not a heading to skip
_CN_NUM = {c: i for i, c in enumerate("一二三四五六七八九十", 1)}
_EN_NTH = {w: i for i, w in enumerate("first second third fourth fifth sixth seventh eighth ninth tenth".split(), 1)}
ASKS_NTH = re.compile(r"第\s*([一二三四五六七八九十]{1,3}|\d{1,2})\s*(?:项|条|个|点|方面|部分|步)(?!以上|以下)|"
                      # "the first of the five requirements": a few words may stand between
                      r"\b(" + "|".join(_EN_NTH) + r")\s+(?:[a-z-]+\s+){0,3}?(?:tasks?|principles?|items?|measures?|"
                      r"actions?|priorit(?:y|ies)|steps?|goals?|areas?|points?|initiatives?|projects?|requirements?|"
                      r"demands?|suggestions?|opinions?|instructions?)\b", re.IGNORECASE)
# "一是…", "一、…", and a speaker's points "一要务必做到只争朝夕，二要…"
_ITEM_NO = re.compile(r"^\s*(?:(\d{1,2})\s*[.、．](?!\d)|[（(]\s*([一二三四五六七八九十]{1,3}|\d{1,2})\s*[)）]|"
                      r"([一二三四五六七八九十]{1,3})(?:是|、|要(?=[\u4e00-\u9fff])))")

_LABEL_MARK = re.compile(r"^\s*(?:[一二三四五六七八九十]{1,3}\s*[、.．]|[（(][一二三四五六七八九十\d]{1,3}[)）]|\d{1,2}\s*[.、．])\s*")
LABEL_CHARS = (4, 8)  # a label, not an item's sentence-long title


def _number(word: str) -> int | None:
    if word.isdigit():
        return int(word)
    if len(word) == 1:
        return _CN_NUM.get(word)
    if word[0] == "十":  # 十一 … 十九
        return 10 + _CN_NUM.get(word[1], 0) if len(word) == 2 else None
    if len(word) >= 2 and word[1] == "十":  # 二十, 二十一
        return _CN_NUM.get(word[0], 0) * 10 + (_CN_NUM.get(word[2], 0) if len(word) == 3 else 0)
    return None


def section_label(section: str) -> str:
    """The label a passage stands under ("一、活动主题" → 活动主题), or "" when its heading is no short label."""
    last = section.rsplit(" > ", 1)[-1]
    core = _LABEL_MARK.sub("", last).strip().rstrip("。:：")
    return core if LABEL_CHARS[0] <= len(core) <= LABEL_CHARS[1] and re.fullmatch(r"[\u4e00-\u9fff]+", core) else ""


_ASKS_AFTER_LABEL = re.compile(r"^(?:是|有|在|包括|为|都有|主要有|具体是|分别是)?(?:什么|哪|谁|几|多少|怎|如何)")
KEY_LINE = re.compile(r"^\s*([\u4e00-\u9fff]{2,6})\s*[:：]\s*\S")  # "地址:…", "联系电话：…": a line's own label


# plans label the same part with different words: "一、目标人群" answers "补助对象是哪些", "实施时间" "时间安排"
_LABEL_KIN = (frozenset({"对象", "人群", "范围"}), frozenset({"时间", "时限", "进度"}))


def asks_label(question: str, label: str) -> bool:
    """The question asks for what stands under `label`: it writes the label, or a word of the same kind
    as the label's last word (对象 for 目标人群), right before its question word ("活动主题是什么",
    "服务对象有哪些"), not merely somewhere."""
    words = {label} | {w for kin in _LABEL_KIN if any(label.endswith(k) for k in kin) for w in kin}
    for w in words:
        i = question.find(w)
        if i >= 0 and _ASKS_AFTER_LABEL.match(question[i + len(w):]):
            return True
    return False


def asked_nth(question: str) -> int | None:
    """N when the question asks for the Nth item of a list (第一项, the second principle), else None."""
    m = ASKS_NTH.search(question)
    if not m:
        return None
    return _number(m.group(1)) if m.group(1) else _EN_NTH[m.group(2).lower()]


def item_number(sentence: str) -> int | None:
    """The number an item's title starts with: 1. / （一） / (1) / 一是 / 一、 → 1."""
    m = _ITEM_NO.match(sentence)
    return _number(next(g for g in m.groups() if g)) if m else None
