"""The metadata block government portals print above a document's text.

    索引号：113501020036…/2022-00123   主题分类：卫生、体育
    发文机构：上海市XX区卫生健康委员会   发文字号：X卫健发〔2022〕45号
    成文日期：2022-03-01               发布日期：2022-03-04
    来源：XX区卫健委  发表时间：2022-03-04 09:30  浏览次数：123

Keys may share a line, and a key's value may stand on the next line.  Some
portals print the block as a table without colons, keys spaced out to a
column's width ("标       题 …", "索  引  号 1115…/2022-00498 发文字号 乌海政办发〔2021〕37号"):
such a line is read when a key opens it.  Only
lines near the top are read: further down, "来源：" is prose.  The same key
table tells cleaning which lines are portal chrome to leave out of the
indexed text (`chrome_line`).
"""
from __future__ import annotations

import re

# key → field it informs ("" = kept for display only)
KEYS = {
    "发文机构": "issuer", "发文机关": "issuer", "发布机构": "issuer", "制发机关": "issuer", "发文单位": "issuer",
    "来源": "source", "文章来源": "source", "信息来源": "source", "来源单位": "source",
    "发文字号": "doc_number", "文号": "doc_number", "文件编号": "doc_number",
    "成文日期": "written", "成文时间": "written", "发文日期": "written", "发文时间": "written", "印发日期": "written", "签发日期": "written",
    "发布日期": "published", "发表时间": "published", "时间": "published", "发布时间": "published", "公开日期": "published",
    "标题": "title", "名称": "title", "文件名称": "title",
    "索引号": "", "主题分类": "", "主题词": "", "公文种类": "", "体裁分类": "", "有效性": "", "生效日期": "effective",
    "废止日期": "", "作者": "", "浏览次数": "", "访问量": "", "点击数": "", "阅读次数": "", "责任编辑": "", "字号": "",
    "所属机构": "issuer", "公开方式": "", "公开范围": "", "统一编号": "", "组配分类": "", "信息分类": "", "所属主题": "",
    "关键词": "", "关键字": "", "政策咨询电话": "", "政策咨询机关": "", "编辑出版": "", "主管单位": "", "地址": "",
    "邮政编码": "", "联系电话": "", "网址": "", "印刷": "", "发布部门": "source", "文件有效性": "", "公文时效": "", "浏览量": "",
    "日期": "published", "栏目": "", "所属栏目": "", "生成日期": "published", "发布": "published", "编辑": "", "责任部门": "",
    "公开目录": "", "信息类别": "", "审核": "",
}
# keys that carry nothing a reader of the plan needs: a line of only these is chrome
NOISE = {k for k, v in KEYS.items() if v == ""}
# a page's byline ("作者:… 来源:… 浏览次数:") is chrome too: its source and date are read from the
# block, and say nothing in a passage
_BYLINE = NOISE | {k for k, v in KEYS.items() if v in ("source", "published")}
_KEY_ALT = "|".join(sorted(map(re.escape, KEYS), key=len, reverse=True))
_PAIR = re.compile(rf"(?:^|(?<=[\s|｜丨]))(?P<key>{_KEY_ALT})\s*[:：]\s*")
# navigation and page furniture of a portal page
_CHROME = re.compile(
    r"^(?:首页|当前位置|您当前的位置|您所在的位置|您现在的位置|您的位置|欢迎光临|欢迎访问|网站无障碍|【?\s*字体|字号[:：]|【?\s*打印|\[\s*打印|打印本页|关闭窗口|【?\s*关闭|分享到|扫一扫"
    r"|上一篇|下一篇|相关链接|相关附件|附件下载|视力保护色|网站地图|无障碍|政务公开\s*[>＞›]|信息公开\s*[>＞›]|【\s*大\s*中\s*小"
    # the portal's greeting and accessibility bar: "今天是 2025年2月14日 星期五", "今天是 智能问答无障碍浏览长者模式"
    r"|今天是\s*(?:\d{4}\s*年|.{0,12}(?:无障碍|长者模式|智能问答|关怀版))|长者模式|智能问答)"
)


_SPACED_KEY = re.compile(r"(?:(?<=^)|(?<=[\s|｜]))(?:[\u4e00-\u9fa5] ){1,4}[\u4e00-\u9fa5]\s*(?=[:：])")


# the colon-less table form: a key, its characters maybe spaced out, then whitespace
_BARE_ALT = "|".join(r"\s*".join(map(re.escape, k)) for k in sorted(KEYS, key=len, reverse=True))
# (a Markdown list may glue a date to its key, "- 发布日期2019-12-22", and leave an empty key alone: "- 文号")
_BARE_PAIR = re.compile(rf"(?:^|(?<=\s))(?P<key>{_BARE_ALT})(?=\s|$|(?:19|20)\d{{2}}\s*[-/.年])")


def _opens(line: str) -> bool:
    """A key opens the line (with a colon, or in the colon-less table form)."""
    s = _prepare(line)
    return (_PAIR.match(s) is not None or (not _PAIR.search(s) and _BARE_PAIR.match(s) is not None)
            or _bulleted_key(line) is not None)


# a Markdown list of a portal's keys glues each value to its key: "- 有效性有效", "- 发布日期2019-12-22"
_BULLET = re.compile(r"^\s*[-*]\s+")
_KEY_FIRST = re.compile(rf"(?P<key>{_KEY_ALT})")


def _bulleted_key(line: str) -> re.Match | None:
    if not _BULLET.match(line):
        return None
    s = _prepare(line)
    m = None if _PAIR.search(s) else _KEY_FIRST.match(s)
    value = s[m.end():].strip() if m else ""
    # a bulleted item of the plan may open with a key's word ("- 来源于群众的意见…"): a glued value is a date, or
    # short, or follows a key no prose opens with
    if m and not (re.match(r"(?:19|20)\d{2}", value) or len(m["key"]) >= 3 or len(value) <= GLUED_MAX):
        return None
    return m


GLUED_MAX = 8


# "[ 发文字号 ]城府办发〔2020〕243 号", "【发布机构】…": a key in brackets instead of before a colon
_BRACKET_KEY = re.compile(rf"[\[【]\s*({_KEY_ALT})\s*[\]】]\s*")


def _prepare(line: str) -> str:
    """Portal rows as tables ("| 索 引 号: | 0030… |"): drop the leading bar, join spaced-out keys."""
    line = _SPACED_KEY.sub(lambda m: m.group(0).replace(" ", ""), line.strip())
    line = _BRACKET_KEY.sub(lambda m: f" {m.group(1)}: ", line).strip()
    line = re.sub(r"^[-*]\s+(?=\S)", "", line)  # a Markdown list of keys: "- 成文时间:2021年03月31日"
    return line.lstrip("|｜丨 \t•·●○▪■◆►»")  # a table's bar, a bulleted label block


def pairs(line: str) -> list[tuple[str, str]]:
    """(key, value) pairs on one line; a value runs to the next key."""
    glued = _bulleted_key(line)
    line = _prepare(line)
    ms = list(_PAIR.finditer(line))
    if not ms and _BARE_PAIR.match(line):
        ms = list(_BARE_PAIR.finditer(line))
    if not ms and glued:
        ms = [glued]
    out = []
    for i, m in enumerate(ms):
        end = ms[i + 1].start() if i + 1 < len(ms) else len(line)
        out.append((re.sub(r"\s+", "", m["key"]), line[m.end():end].strip(" :：|｜丨\t")))
    return out


# a byline opening with its date before any key: "2013-3-18 16:16:46 XX热线 来源:XX热线"
_LEAD_STAMP = re.compile(r"^\s*((?:19|20)\d{2}[-/.]\d{1,2}[-/.]\d{1,2})(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?\s+\S")


def parse_block(lines: list[str], *, head: int = 40) -> dict[str, tuple[str, str]]:
    """field → (value, portal key) from the first `head` lines."""
    found: dict[str, tuple[str, str]] = {}
    for i, ln in enumerate(lines[:head]):
        stamp = _LEAD_STAMP.match(ln)
        if stamp and "published" not in found and _PAIR.search(_prepare(ln[stamp.end() - 1:])):
            found["published"] = (stamp.group(1), "时间")
        if (run := byline(ln)) and not _opens(ln):
            found.setdefault("published", (run[2], "发布日期"))
            ln = run[1]  # its keys are read below; the headline before them is `qa.metadata`'s to read
        ps = pairs(ln)
        if not ps or not _opens(ln):
            continue  # a key must open the line: "……来源：" in a sentence is prose
        for j, (key, value) in enumerate(ps):
            alone = len(ps) == 1 and "|" not in ln and "｜" not in ln
            if not value and alone and i + 1 < len(lines) and not pairs(lines[i + 1]):
                value = lines[i + 1].strip()  # 发文机构：\n上海市…
            field = KEYS[key]
            if field and value and field not in found:
                found[field] = (value, key)
    return found


# A news page's byline run into the line before it, as copies and cleaning leave it: after the headline ("…会议召开
# 发布日期:2020-07-01 信息来源: 编辑:…", spaces lost: "…召开发布日期:2020-07-01信息来源:"), or after the page's stamp
# ("2022-05-11 09:41来源:XX人民政府"). Prose holds a 来源: now and then, never two byline keys and a dated one.
_BYLINE_KEY = re.compile(r"(?:发布日期|发布时间|发表时间|更新时间|信息来源|文章来源|来源|责任编辑|编辑|审核|作者|浏览次数|点击数|字号)"
                         r"\s*[:：]")
_STAMP = r"(?:19|20)\d{2}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}日?(?:\s*\d{1,2}:\d{2}(?::\d{2})?)?"
_DATED_KEY = re.compile(r"(?:发布日期|发布时间|发表时间|更新时间)\s*[:：]\s*(" + _STAMP + ")")
_STAMP_LED = re.compile(r"^\s*(" + _STAMP + r")\s*(?=" + _BYLINE_KEY.pattern + ")")
BYLINE_MAX = 160


def byline(line: str) -> tuple[str, str, str] | None:
    """(headline before it, the byline, the page's date) of a byline run into its line; None for any other line."""
    s = line.strip()
    if len(s) > BYLINE_MAX:
        return None
    if led := _STAMP_LED.match(s):
        return "", s, led.group(1)
    keys = list(_BYLINE_KEY.finditer(s))
    dated = _DATED_KEY.search(s)
    if len(keys) < 2 or dated is None or keys[0].start() == 0:
        return None  # a row a key opens is read as a key row (`pairs`)
    return s[:keys[0].start()].strip(" |｜\t"), s[keys[0].start():], dated.group(1)


def metadata_row(line: str) -> bool:
    """A row of the portal's key table ("| 发布机构: | 花山区政府 |", "文号：…") or a byline run into its line: header
    facts, kept in the passage for display and answered from the catalogue, never a sentence that answers a question."""
    s = line.strip()
    return len(s) <= 120 and bool(pairs(s)) and _opens(s) or byline(s) is not None


def nav_line(line: str) -> bool:
    """A portal's navigation or page control (首页, 打印本页, 上一篇…): furniture wherever it stands."""
    return bool(_CHROME.match(line.strip()))


def chrome_line(line: str) -> bool:
    """A portal line that is furniture, not document: navigation, font size, print, noise keys."""
    s = line.strip()
    if not s or len(s) > 120:
        return False
    if _CHROME.match(s):
        return True
    ps = pairs(s)
    return bool(ps) and _opens(s) and all(k in _BYLINE for k, _ in ps) and any(k in NOISE for k, _ in ps)
