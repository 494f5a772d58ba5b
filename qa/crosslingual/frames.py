"""An English question's verb → the Chinese frame a plan or a news copy writes it in.

A Chinese question carries its own frame ("会议由谁主持" → "由…主持", qa.search.query.answer_context_patterns).
An English one does not: "Who chaired the symposium?" shares no character with "乔某主持召开", and a
sentence naming another office holder ("副主任某某出席会议") looks just as good to the picker. What was done
at a meeting is written with a handful of fixed verbs; these are them, as regexes over the Chinese text.
"""
from __future__ import annotations

import re

_FRAMES = tuple((re.compile(cue, re.IGNORECASE), frame) for cue, frame in (
    (r"\bwho (?:chaired|chairs|presided|hosted)\b|\bchaired by\b|\bpresided over by\b", r"主持"),
    # "attended and spoke": the leader who came and spoke, not the list of units that attended
    (r"\bwho (?:(?:attended|was present) and )?(?:spoke|addressed|gave (?:a|the) speech|made (?:a|the) speech)\b",
     r"讲话|致辞|講話|致辭"),
    (r"\bwho (?:delivered|gave|made|presented) (?:the |a )?(?:[\w-]+ ){0,2}report\b", r"作[^，,。；;]{0,40}报告|作[^，,。；;]{0,40}報告"),
    # "In what year did X start applying", "Which campaign does X start": the plan writes 开始/启动 (开展 is any work)
    (r"\b(?:start(?:s|ed|ing)?|beg[ai]n(?:s|ning)?|commenc(?:e|es|ed|ing))\b", r"开始|启动|開始|啟動"),
    # a news copy's byline: "XX日报记者某某 通讯员某某"
    (r"\b(?:reporters?|journalists?|correspondents?)\b|\bwho (?:wrote|reported)\b", r"[记記]者\s*[\u4e00-\u9fff]{2,3}(?:\s|通讯员|通訊員|$)"),
))

# the role a thing plays in the work, in English → the Chinese word qa.search.query.role_frames knows it by
# ("What main line did … follow" is answered by "以X为主线")
_ROLES = tuple((re.compile(cue, re.IGNORECASE), word) for cue, word in (
    (r"\bmain (?:line|thread)\b|\b(?:guiding|central|principal) thread\b", "主线"),
    (r"\bdriving forces?\b|\bengines?\b|\bimpetus\b", "动力"),
    (r"\b(?:vehicle|carrier|lever|handle|platform)s?\b", "抓手"),
    (r"\b(?:path|pathway|route)s?\b", "路径"),
    (r"\borientation\b", "导向"),
    # "shift the focus from … to what": the plan's "从A向B转变" (qa.search.frames knows it by 转向什么)
    (r"\b(?:shift(?:s|ed|ing)?|mov(?:e|es|ed|ing)|turn(?:s|ed|ing)?|transition(?:s|ed|ing)?)\b[^?]{0,60}?\bfrom\b|"
     r"\bfrom what to what\b", "转向什么"),
))


def english_frames(text: str) -> tuple[str, ...]:
    """Regexes for the Chinese verb frames an English question's verbs ask about (`_FRAMES`)."""
    return tuple(frame for cue, frame in _FRAMES if cue.search(text))


def english_roles(text: str) -> str:
    """The Chinese role words (主线, 动力 …) an English question asks about, joined; "" when none."""
    return "".join(word for cue, word in _ROLES if cue.search(text))
