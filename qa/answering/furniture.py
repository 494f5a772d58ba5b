"""The notice's furniture: lines that state header facts, not what a plan asks.

The title line and the notice wrapping it ("XX关于印发《T》的通知"), the transmittal
sentence ("现将《…》印发给你们"), the addressee line ("各…：") and the publication
marker say which document this is and who receives it.  They hold the words a
question uses to *name* the document, so they would win on shared words; the
answer picker (`qa.answering.pick`) scores them down unless the question asks for
exactly that fact.
"""
from __future__ import annotations

import re

from ..indexing.script import simplified
from ..metadata.header import DATELINE  # noqa: F401 (re-exported: a news copy's dateline lead)

_TITLEISH = re.compile(r"关于印发|的通知$|^现将《|(?:卫生健康局|卫生健康委员会|卫生健康委|卫健委|卫健局)(?:文件)?$"
                       r"|[（(]此件[^（()）]{0,10}[）)]"  # the publication marker under the signature and date
                       r"|\.(?:docx?|wps|pdf|xlsx?)$", re.IGNORECASE)  # an attachment's file name
# a title quoted inside a sentence ("根据《…关于印发…的通知》") is a citation, not the notice's own title line
_QUOTED = re.compile(r"《[^《》]*(?:《[^《》]*》[^《》]*)*》|〈[^〈〉]*〉")


# page debris a copy keeps: the site's copyright footer, a forum post's stamp ("XX网 用户名 2024-03-06"), a 文号
# cut short on a line of its own ("X健委〔20204"); none says anything of the plan
_DEBRIS = re.compile(r"copyright|©|版权所有|ICP备|^[^。，,；;：:]{0,16}(?:19|20)\d\d-\d{1,2}-\d{1,2}(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?$"
                     r"|^[^。，,；;\s]{1,8}[〔\[【(（]\s*\d{2,6}$"
                     # a breadcrumb: "XX健康网 > 健康快讯 >"
                     r"|^[^。，,；;\d\t]{0,40}[>＞›»][^。，,；;\d\t]{0,30}[>＞›»]", re.IGNORECASE)


def page_debris(sentence: str) -> bool:
    return bool(_DEBRIS.search(sentence.strip()))


# a photo's caption or a speaker's name line: an office and a name and nothing else ("XX市政府副市长某某某");
# it says who is pictured, which answers only a question about a person
_CAPTION = re.compile(r"^[\u4e00-\u9fff（）()]{0,18}(?:[局县区市院部处科所站组旗盟州乡镇厅会队校]长|秘书长|书记|主任|主席)"
                      r"[\u4e00-\u9fff]{2,3}$")


def caption(sentence: str) -> bool:
    return bool(_CAPTION.match(re.sub(r"\s+", "", sentence)))


# the notice's addressee line (主送机关: "各区县卫生健康局，委属各单位：") says who receives the plan and
# nothing of what it asks; it answers only a question about who was sent it
ADDRESSEE = re.compile(r"^\s*各[^。；;！？!?]{2,200}[:：]\s*$")
ASKS_RECIPIENT = re.compile(r"发给|下发(?:给|到|至|对象|范围)|(?:印发|发送)对象|发到|主送|抄送|送达|发至|(?:哪些|哪几个|什么)(?:单位|部门)收到|"
                            r"\b(?:sent|copied|addressed|received|distributed|circulated)\b|\brecipients?\b",
                            re.IGNORECASE)


# the notice wrapped around a title: "XX关于印发《T》的通知" (and its broken-off tail "T的通知")
_WRAP_HEAD = re.compile(r"^.*?关于(?:印发|转发|下发|公布)")
_WRAP_TAIL = re.compile(r"的?通知$")
OWN_TITLE_MIN_CHARS = 6  # a shorter piece of the title ("工作要点") may be an ordinary heading


def own_title(sentence: str, title: str) -> bool:
    """The document's own title line, a piece of it (a title broken over two lines leaves
    "海南州…医疗卫生" and "共同体建设实施方案" as sentences) or the notice that only wraps it.

    Such a line holds the words a question uses to name the document, not what it asks about.
    """
    # a 繁體 copy's title line against the catalogue's simplified title
    t = simplified(re.sub(r"\s+", "", title or ""))
    s = simplified(re.sub(r"\s+", "", sentence).strip("。."))
    if not t or not s:
        return False
    core = _WRAP_TAIL.sub("", _WRAP_HEAD.sub("", s)).strip("《》〈〉")
    return s == t or core == t or (len(core) >= OWN_TITLE_MIN_CHARS and core in t)


# the transmittal sentence: the notice hands the plan to its recipients, and its 请-clause says what they are to do
TRANSMITTAL = re.compile(r"(?:印发|转发|下发|发)给你们|印发给你(?:单位|局|委)|现(?:予)?印发")
# beyond "请认真贯彻执行" / "请结合实际认真抓好贯彻落实", the 请-clause gives the recipients tasks of their own
# ("请结合实际…建立任务清单、责任清单和成果清单"): then the sentence says more than the title
_BOILERPLATE_CHARS = 20
# asked what the recipients are to do with the plan: "拿到工作要点后要…", "发下来，下面各部门要怎么做",
# "What are the departments asked to do with it"
ASKS_UPON_RECEIPT = re.compile(
    r"(?:拿到|收到|接到|发下来|发下去|发到|印发后|下发后|下达后|印发以后|下发以后)[^？?。]{0,24}?"
    r"(?:要|该|得|需|须|怎么|如何|做什么|干啥|干什么|干嘛)|"
    r"what (?:are|were|should|must) (?:the )?(?:recipients?|units?|departments?|offices?|agencies|townships?|counties)"
    r"[^?]{0,40}(?:do|asked|told|required|instructed)", re.IGNORECASE)


def instructs(sentence: str) -> bool:
    """A transmittal sentence whose 请-clause gives tasks beyond carrying the plan out."""
    m = TRANSMITTAL.search(sentence)
    if not m:
        return False
    rest = sentence[m.end():]
    ask = rest.find("请")
    return ask >= 0 and len(rest[ask:].strip("。；; ")) > _BOILERPLATE_CHARS


def titleish(sentence: str) -> bool:
    """The notice's own title or transmittal line ("现将《…》印发给你们"), which only repeats the title.

    A sentence that merely cites another notice by its title is not one, nor a transmittal line that goes on to
    give the recipients tasks of their own (`instructs`).
    """
    return bool(_TITLEISH.search(_QUOTED.sub("《》", sentence.strip()))) and not instructs(sentence)
