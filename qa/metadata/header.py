"""Fields of an official notice header and signature block.

    福州市鼓楼区卫生健康局文件          ← issuer line (…文件)
    鼓卫办〔2021〕3号                 ← 文号, a line of its own
    签发人：某某
    关于印发《2021年…工作要点》的通知   ← title (or "XX局关于印发…": issuer + title)
    各科室、局属各单位：               ← recipients
    …
    福州市鼓楼区卫生健康局              ← signature: issuer
    2021年3月18日                     ← date (also 二〇二一年三月十八日)

Each function returns "" / None when the text does not state the field.
"""
from __future__ import annotations

import re

_ORG = (r"(?:卫生健康局|卫生健康委员会|卫生和计划生育委员会|卫生计生委|卫生健康委|卫健委|卫健局|卫生局"
        r"|人民政府办公室|人民政府办公厅|人民政府|政府办公室|爱国卫生运动委员会|健康[\u4e00-\u9fa5]{2,6}行动推进委员会(?:办公室)?"
        r"|疾病预防控制中心|疾病预防控制局|医疗保障局|卫生健康工作领导小组(?:办公室)?)")
# an issuer is a place-led organisation name: 福州市鼓楼区卫生健康局, XX县人民政府办公室
_ISSUER = re.compile(rf"^(?P<issuer>[\u4e00-\u9fa5]{{2,20}}?{_ORG})(?:文件|函)?$")
_ISSUER_PREFIX = re.compile(rf"^(?P<issuer>[\u4e00-\u9fa5]{{2,20}}?{_ORG})关于")
# 文号: agency abbreviation + year in 〔〕/（）/()/[] + number + 号
DOC_NUMBER = re.compile(
    r"(?P<num>[\u4e00-\u9fa5]{1,10}\s*[〔（(\[［【]\s*(?P<year>(?:19|20)\d{2})\s*[〕）)\]］】]\s*\d{1,4}\s*号)")
_DATE = re.compile(r"^(?P<y>(?:19|20)\d{2})\s*年\s*(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*日$")
_ISO_DATE = re.compile(r"(?P<y>(?:19|20)\d{2})\s*[-/.年]\s*(?P<m>\d{1,2})\s*[-/.月]\s*(?P<d>\d{1,2})")
_CN_DIGIT = {c: i for i, c in enumerate("〇一二三四五六七八九")} | {"○": 0, "零": 0, "O": 0, "０": 0}
_CN_DATE = re.compile(r"^(?P<y>[〇○零O０一二三四五六七八九]{4})年(?P<m>[一二三四五六七八九十]{1,3})月(?P<d>[一二三四五六七八九十]{1,3})日$")
_SIGNER = re.compile(r"签\s*发\s*人\s*[:：]\s*(?P<name>[\u4e00-\u9fa5]{2,4})")
_NOTICE_TITLE = re.compile(r"(?:关于)?印发\s*[《〈](?P<title>[^》〉]{4,60})[》〉]\s*(?:的)?通知")
_PLAN_WORDS = r"(?:要点|安排|方案|计划|总结|思路|意见|规划|办法|行动|任务|清单|措施)"
_TITLE_LINE = re.compile(rf"^(?P<title>[^，。；,;:：]{{4,50}}{_PLAN_WORDS})(?:[（(][^）)]{{2,20}}[）)])?$")
YEAR_IN_TITLE = re.compile(r"((?:19|20)\d{2})\s*年")
# a section heading (一、 （一） 1. 一是) is never the document's title
_HEADING_MARK = re.compile(r"^(?:[一二三四五六七八九十]{1,3}[、是]|[（(][一二三四五六七八九十\d]{1,3}[）)]|\d{1,2}[.．、])")


def squash(s: str) -> str:
    return re.sub(r"\s+", "", s)


def issuer_of(line: str) -> str:
    """The issuing body a header/signature line names, or ""."""
    s = squash(line)
    m = _ISSUER.match(s) or _ISSUER_PREFIX.match(s)
    return m.group("issuer") if m else ""


def doc_number_of(line: str) -> tuple[str, int | None]:
    """(文号, its year) when the line is a 文号 of its own (not a citation in prose)."""
    m = DOC_NUMBER.search(line)
    if m and len(squash(line)) <= 30 and not re.search(r"[《》，。]", line):
        return squash(m.group("num")).replace("【", "〔").replace("】", "〕"), int(m.group("year"))
    return "", None


def _cn_number(s: str) -> int:
    if "十" in s:
        tens, _, ones = s.partition("十")
        return (_CN_DIGIT.get(tens, 1) if tens else 1) * 10 + (_CN_DIGIT.get(ones, 0) if ones else 0)
    return _CN_DIGIT.get(s, 0)


def date_of(line: str, *, whole_line: bool = True) -> str:
    """ISO date of a date line (2021年3月18日, 二〇二一年三月十八日) or of a value (2022-03-01)."""
    s = squash(line)
    m = _DATE.match(s)
    if m is None and not whole_line:
        m = _ISO_DATE.search(s)
    if m:
        y, mo, d = int(m["y"]), int(m["m"]), int(m["d"])
    else:
        m = _CN_DATE.match(s)
        if not m:
            return ""
        y = int("".join(str(_CN_DIGIT[c]) for c in m["y"]))
        mo, d = _cn_number(m["m"]), _cn_number(m["d"])
    if not (1 <= mo <= 12 and 1 <= d <= 31):
        return ""
    return f"{y:04d}-{mo:02d}-{d:02d}"


def signer_of(line: str) -> str:
    m = _SIGNER.search(line)
    return m.group("name") if m else ""


def title_of(lines: list[str]) -> str:
    """The plan's title: from 关于印发《…》的通知, else a title-shaped line."""
    for ln in lines:
        m = _NOTICE_TITLE.search(squash(ln))
        if m:
            return m.group("title")
    for ln in lines:
        s = squash(ln)
        m = _TITLE_LINE.match(s)
        if m and not s.startswith(("关于", "附件")) and not _HEADING_MARK.match(ln.strip()):
            return m.group("title")
    return ""
