"""The plan's fixed ways of naming the role a thing plays in its work, as regexes over its text.

A plan names the role a thing plays in its work as "以X为动力/载体/路径/抓手…"; a question asking what
drives, carries or guides the work in other words ("靠什么来驱动", "借助什么", "走的是什么路子") is
answered by X, wherever the plan puts that clause. Asked by what means ("用什么办法", "通过什么途径"), a plan
says "通过X的方式/途径" or "坚持A、B和C相结合". Asked from where to where the work turns ("从哪儿挪到哪儿",
"转向什么"), it says "从A向B转变" / "由A转变为B".
"""
from __future__ import annotations

import functools
import re

from ..indexing.script import simplified

_ROLE = r"以[^，,。；;：:]{2,40}?为(?:根本|强大|主要|重要|基本|有力|有效)?"
_SHIFT = r"[^，,。；;：:]{1,30}?向[^，,。；;：:]{1,30}?转[变向型移]|(?:从|由)[^，,。；;：:]{1,30}?(?:转[变向]为|到[^，,。；;：:]{1,30}?转[变向型移])"
_ROLE_FRAMES = tuple((re.compile(cue), frame) for cue, frame in (
    (r"驱动|动力|推动力|动能", _ROLE + r"(?:动力|引擎)"),
    (r"借助|依托|载体|抓手|平台", _ROLE + r"(?:载体|抓手|依托|平台)"),
    (r"路子|路径|途径", _ROLE + r"(?:路径|途径)|(?:围绕|按照|遵循|坚持|沿着)[^，,。；;：:]{2,30}?(?:路径|路子|思路)"),
    (r"主线|主轴|红线", _ROLE + r"(?:主线|主轴)"),  # 把什么作为主轴 is answered by 以X为主线
    (r"导向", _ROLE + r"导向"),
    (r"(?:靠|借助|凭借|依托|通过)(?:什么|哪些|何种|哪种)|用(?:什么|何种|哪种)(?:办法|方法|方式|手段|途径)",
     r"通过[^，,。；;：:]{2,40}?(?:方式|办法|途径|形式|手段|模式|机制)|[^，,。；;：:]{4,40}?相结合"),
    # "哪位记者写的": a news copy's byline, "XX日报记者某某 通讯员某某"
    (r"哪(?:位|个|些)记者|记者是谁", r"记者\s*[\u4e00-\u9fff]{2,3}(?:\s|通讯员|$)"),
    # "从哪儿挪到哪儿", "从哪往哪扭", "转向什么", "转到哪": the plan's "从以治病为中心向以人民健康为中心转变"
    (r"从(?:哪|什么)[^，,。？?]{0,8}(?:到|向|往)(?:哪|什么)|转(?:向|到|成|变为|变成)(?:哪|什么)|(?:转|挪|扭)(?:向|到)哪", _SHIFT),
))


def roles_asked(text: str) -> tuple[str, ...]:
    """The frames of the roles `text` names (`_ROLE_FRAMES`); the caller knows it asks about them."""
    return tuple(p for cue, p in _ROLE_FRAMES if cue.search(text))


@functools.lru_cache(maxsize=1024)
def _any_of(patterns: tuple[str, ...]) -> "re.Pattern[str]":
    return re.compile("|".join(f"(?:{p})" for p in patterns))


@functools.lru_cache(maxsize=50_000)
def _plain(text: str) -> str:
    """A passage as the answer frames read it: simplified (the frames are; a 繁體 copy is read so), converted
    once per passage."""
    return simplified(text)


def frame_in(patterns: tuple[str, ...], text: str) -> bool:
    """Does a passage write one of a question's answer frames (`Query.answer_patterns`)?"""
    return bool(patterns) and bool(_any_of(patterns).search(_plain(text)))
