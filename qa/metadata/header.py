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
from dataclasses import dataclass

# an issuer is a place name followed by an organisation: 福州市鼓楼区卫生健康局, XX县人民政府办公室,
# 杭州市健康余杭建设领导小组办公室; the place is found by the national gazetteer
_ORG_AFTER_PLACE = re.compile(
    # (up to 16 characters between place and body: 公共卫生与重大疾病防治工作领导小组办公室)
    r"[\u4e00-\u9fa5]{0,16}?(?:卫生健康局|卫生健康委员会|卫生和计划生育委员会|卫生和计划生育局|卫生计生委|卫生计生局|卫计委|卫计局"
    r"|卫生健康委|卫健委|卫健局|卫生局"
    r"|人民政府办公室|人民政府办公厅|人民政府|政府办公室|委员会办公室|委员会|领导小组办公室|领导小组|办公室|办公厅"
    r"|疾病预防控制中心|疾病预防控制局|医疗保障局|委办公室"
    # a new area's committees (管委会, 党工委), a province's departments (卫生厅, 旅游局), a federation
    r"|管理委员会|管委会|党工委|工委|联合会|厅|局)"
    # the commission's own office signs its notices: 包头市卫生和计划生育委员会办公室
    r"(?:办公室|办公厅)?(?P<doc>文件)?")
# a news copy's dateline lead: "本报讯 2月8日，…工作会议召开", "5月14日，…启动会在…召开"
# ("本报讯(记者X)近日，…会议" leads as a dated one does, and so does "XX网/XX客户端讯4月11日上午，…")
DATELINE = re.compile(r"^\s*(?:本报讯|[^\s，,。]{1,20}讯(?=\s*(?:[（(]|\d|近日|日前|近期)))?\s*(?:[（(]?[^\s，,。]{0,12}(?:记者|通讯员)[^）)]{0,20}[）)])?\s*"
                      r"(?:\d{1,2}\s*月\s*\d{1,2}\s*日|近日|日前|近期)(?:上午|下午|晚上|晚)?\s*[,，]"
                      r"[^。]{0,60}?(?:召[开開]|[举舉]行|[举舉][办辦]|[开開]幕)")
# the bodies a campaign (健康XX建设) sets up to run it, which sign its notices under the campaign's name
_CAMPAIGN_BODY = re.compile(r"(?:领导小组|委员会)(?:办公室)?$")
_CAMPAIGN_LED = re.compile(r"^健康(?P<place>[\u4e00-\u9fa5]{2,4}?)(?=建设|行动|工作|推进|促进)")
# the party committee of the place itself: "中共XX市委" (its offices are in _ORG_AFTER_PLACE)
_PARTY_COMMITTEE = re.compile(r"委(?=\s|关于|$)")
# what an organisation's name ends with: a portal's 发布机构 column holding anything else is misread
ORG_END = re.compile(r"(?:局|委员会|委|政府|办公室|办公厅|领导小组|中心|院|厅|部)$")
# a note after a signature: "(代章)", "（盖章）", "(印)"
_SEAL_NOTE = re.compile(r"^\s*[（(][\u4e00-\u9fa5]{1,4}[）)]\s*$")
_ISSUER_END = re.compile(r"^(?:\s|关于|$|[（(]|〔|(?:19|20)\d{2}\s*年)")
# 文号: agency abbreviation + year in 〔〕/（）/()/[] + number + 号
DOC_NUMBER = re.compile(
    r"(?P<num>[\u4e00-\u9fa5]{1,10}\s*[〔（(\[［【]\s*(?P<year>(?:19|20)\d{2})\s*[〕）)\]］】]\s*\d{1,4}\s*号)")
# a 文号 whose closing bracket and 号 a copying site dropped: 东政办〔201912 (= 东政办〔2019〕12号)
_BROKEN_DOC_NUMBER = re.compile(r"^(?P<org>[\u4e00-\u9fa5]{1,10})[〔（(\[［【](?P<year>(?:19|20)\d{2})[〕）)\]］】]?(?P<n>\d{1,4})号?$")
_DATE = re.compile(r"^(?P<y>(?:19|20)\d{2})\s*年\s*(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*日$")
_ISO_DATE = re.compile(r"(?P<y>(?:19|20)\d{2})\s*[-/.年]\s*(?P<m>\d{1,2})\s*[-/.月]\s*(?P<d>\d{1,2})")
_CN_DIGIT = {c: i for i, c in enumerate("〇一二三四五六七八九")} | {"○": 0, "零": 0, "O": 0, "０": 0}
_CN_DATE = re.compile(r"^(?P<y>[〇○零O０一二三四五六七八九]{4})年(?P<m>[一二三四五六七八九十]{1,3})月(?P<d>[一二三四五六七八九十]{1,3})日$")
_SIGNER = re.compile(r"签\s*发\s*人\s*[:：]\s*(?P<name>[\u4e00-\u9fa5]{2,4})")
_NOTICE_TITLE = re.compile(r"(?:关于)?印发\s*《(?P<title>(?:[^《》]|《[^《》]*》){4,80}?)》\s*(?:的)?通知")
_NOTICE_BARE = re.compile(r"关于印发(?P<title>[^《》，。]{4,80}?)的通知")
_PLAN_WORDS = r"(?:要点|安排|方案|计划|总结|思路|意见|规划|办法|行动|任务|清单|措施|分解|分工|预案)"
_TITLE_LINE = re.compile(rf"^(?P<title>[^，。；,;:：]{{4,50}}{_PLAN_WORDS}(?:[（(][^）)]{{2,20}}[）)])?)$")
# "2022年…", and a span "(2024—2025年)" names its first year
YEAR_IN_TITLE = re.compile(r"((?:19|20)\d{2})\s*(?:年|[—\-－~至到]+\s*(?:19|20)?\d{2}\s*年)")
def title_year(title: str, date: str = "") -> "re.Match[str] | None":
    """The title's year; of two ("2016年工作总结和2017年工作要点"), the one its date was issued in."""
    ms = list(YEAR_IN_TITLE.finditer(title))
    if len(ms) > 1 and date:
        return next((m for m in ms if m.group(1) == date[:4]), ms[0])
    return ms[0] if ms else None


# a section heading (一、 （一） 1. 一是) is never the document's title
_HEADING_MARK = re.compile(r"^(?:[一二三四五六七八九十]{1,3}[、是]|[（(][一二三四五六七八九十\d]{1,3}[）)]|\d{1,2}[.．、])")


# a zone GB/T 2260 does not list (XX示范区, XX高新区) leads an issuer name when its committee follows:
# 中共XX示范区工委, XX示范区管委会; the national matcher cannot find these places
_ZONE_LED = re.compile(r"(?:中共)?(?P<zone>[\u4e00-\u9fa5]{2,8}?(?:示范区|高新区|开发区|新区|试验区|合作区|园区))"
                       r"(?=(?:党工委|工委|管委会|管理委员会|工作委员会))")


def squash(s: str) -> str:
    return re.sub(r"\s+", "", s)


def issuers_in(line: str) -> list[tuple[str, str]]:
    """(issuer, how it stands) for each place-led organisation name opening a segment of the line.

    how: "alone" (the whole line, maybe + 文件), "notice" (followed by 关于…),
    "inline" (one segment of a jammed line).  A name inside prose ("各乡镇人民政府",
    "经区政府同意") is not an issuer: it must start the line or follow a space / 文号.
    """
    from ..places.matcher import national_matcher

    text = line.strip()
    out = []
    mentions = national_matcher().find(text, english=False) + _short_city_mentions(text)
    if not mentions and (z := _ZONE_LED.match(text)):
        mentions = [_Span(z.start("zone"), z.end("zone"))]
    if not mentions and (c := _CAMPAIGN_LED.match(text)):
        # 健康海宁建设工作领导小组办公室: the campaign names its place as people say it, short
        from ..places.divisions import CITY, COUNTY, PROVINCE

        named = national_matcher((PROVINCE, CITY, COUNTY)).find(c.group("place"), english=False)
        if len(named) == 1 and named[0].end - named[0].start == len(c.group("place")):
            mentions = [_Span(c.start("place"), c.end("place"))]
    for m in mentions:
        campaign = text[:m.start] == "健康"  # a campaign's own body signs: 健康XX建设工作领导小组办公室
        if m.start and not (text[m.start - 1].isspace() or text[m.start - 1] in "号|｜。") and text[:m.start] != "中共" \
                and not campaign:
            continue  # (a party committee's office signs as 中共XX县委办公室)
        org = _ORG_AFTER_PLACE.match(text, m.end)
        if campaign and not (org and _CAMPAIGN_BODY.search(org.group(0))):
            continue  # 健康XX行动, 健康XX建设: the campaign itself, not a body that signs
        if not org and text[:m.start] == "中共":
            org = _PARTY_COMMITTEE.match(text, m.end)  # 中共XX市委 signs with its government
        if not org:
            continue
        if not _ISSUER_END.match(text[org.end():]):
            # joint issuers a copy ran together on one line: 中共XX区工委XX区管委会
            joint = issuers_in(text[org.end():]) if not m.start or text[:m.start] == "中共" else []
            if joint and joint[0][1] == "alone":
                out.append((squash(text[:org.end()]) + "、" + joint[0][0], "alone"))
            continue
        before = text[:m.start]
        rest = text[org.end():].strip()
        signature = bool(date_of(rest)) and (not before.strip() or before.rstrip()[-1] in "。）)")
        if not signature and re.search(r"[，,；;。《〈<“]", before):
            continue  # after prose on the same line: a body cited, not the issuer (a signature may follow 。)
        start = 0 if text[:m.start] == "中共" or campaign else m.start
        issuer = squash(text[start:org.end()]).removesuffix("文件")
        if (not rest or _SEAL_NOTE.match(rest)) and start == 0:
            how = "alone"
        elif date_of(rest):  # "天津市滨海新区人民政府2020年10月19日(此件主动公开)…": a jammed signature
            how = "signature:" + date_of(rest)
        else:
            how = "notice" if rest.startswith("关于") else "inline"
        if how == "notice" and out and all(h == "inline" for _, h in out) and squash(before) == "".join(i for i, _ in out):
            # joint issuers heading one notice, spaced apart: "中共XX市委  XX市人民政府关于印发…"
            issuer = "、".join([i for i, _ in out] + [issuer])
        out.append((issuer, how))
    return list(dict.fromkeys(out))


@dataclass(frozen=True)
class _Span:
    start: int
    end: int


def names_on_line(line: str) -> list[str]:
    """The issuers a signature line holds: one, or several set side by side ("青海省卫生厅      青海省教育厅")."""
    parts = [p for p in re.split(r"\s{2,}|\t", line.strip()) if p]
    names = []
    for part in parts:
        alone = [iss for iss, how in issuers_in(part) if how == "alone"]
        if not alone:
            return []
        names.append(alone[0])
    return names


def _short_city_mentions(text: str):
    """City short names (黔南州, 黄南州) where they open an issuer name."""
    from ..places.divisions import CITY, PROVINCE
    from ..places.matcher import national_matcher

    return [m for m in national_matcher((PROVINCE, CITY)).find(text, english=False) if m.form == "short"]


def doc_number_of(line: str) -> tuple[str, int | None]:
    """(文号, its year) when the line is or opens with a 文号 (not a citation in prose)."""
    m = DOC_NUMBER.search(line)
    if not m:
        return "", None
    alone = len(squash(line)) <= 30 and not re.search(r"[《》，。]", line)
    # "云府办发〔2021〕6号 云岩区人民政府办公室关于…", "XX委员会文件 秀健促〔2019〕2 号 …"
    # …or runs straight into the title on a portal's line: "邓政〔2020〕27号邓州市人民政府关于推进…的实施意见"
    opens = re.match(r"^\s*(?:\S{2,30}文件\s+)?$", line[:m.start()]) and re.match(
        r"^(?:\s|$|[\u4e00-\u9fa5]{2,30}?关于)", line[m.end():])
    if alone or opens:
        return squash(m.group("num")).replace("【", "〔").replace("】", "〕"), int(m.group("year"))
    return "", None


def repaired_doc_number(line: str) -> tuple[str, str, int | None]:
    """(文号, as printed, year) for a line holding only a 文号 that lost its 〕 and 号, else ("", "", None).

    The year is always four digits, so "东政办〔201912" can only be 东政办〔2019〕12号.
    """
    s = squash(line)
    m = _BROKEN_DOC_NUMBER.match(s)
    if not m or DOC_NUMBER.search(s):
        return "", "", None
    return f"{m['org']}〔{m['year']}〕{m['n']}号", s, int(m["year"])


def signature_date(line: str) -> str | None:
    """The date line under a signature: its ISO date, "" when the copy leaves it incomplete, None if no date.

    Beside `date_of`'s forms it reads what copies do to a signature date: a blank day
    ("2017年4月 日", signed before the day was filled in) and lost 年月日 ("2019428",
    "20241222"), read only where month and day split one way.
    """
    iso = date_of(line)
    if iso:
        return iso
    s = squash(line)
    if re.fullmatch(r"(?:19|20)\d{2}年\d{1,2}月(?:日)?", s):
        return ""
    m = re.fullmatch(r"((?:19|20)\d{2})(\d{3,4})", s)
    if not m:
        return None
    y, rest = int(m[1]), m[2]
    splits = {(int(rest[:i]), int(rest[i:])) for i in (1, 2) if 0 < i < len(rest) and rest[i] != "0"}
    valid = sorted((mo, d) for mo, d in splits if 1 <= mo <= 12 and 1 <= d <= 31 and len(f"{mo}{d}") == len(rest))
    if len(valid) != 1:
        return None
    mo, d = valid[0]
    return f"{y:04d}-{mo:02d}-{d:02d}"


def _cn_number(s: str) -> int:
    if "十" in s:
        tens, _, ones = s.partition("十")
        return (_CN_DIGIT.get(tens, 1) if tens else 1) * 10 + (_CN_DIGIT.get(ones, 0) if ones else 0)
    return _CN_DIGIT.get(s, 0)


def date_of(line: str, *, whole_line: bool = True) -> str:
    """ISO date of a date line (2021年3月18日, 二〇二一年三月十八日) or of a value (2022-03-01).

    A date line may carry more after a space ("2019 年5月23 日 抄送:…", "…日印发"),
    never more words straight after 日 ("3月8日前报送" is prose).
    """
    head = re.match(r"^\s*((?:19|20)\d{2}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日)(?:\s|印发|[（(]|$)", line)
    s = squash(head.group(1)) if head else squash(line)
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


def heading_mark(line: str) -> bool:
    """Does the line open with a section number (一、 （一） 1. 一是)?"""
    return bool(_HEADING_MARK.match(line.strip()))


def notice_title(line: str) -> str:
    """The plan's title in a notice line ("…关于印发《X》的通知", "关于印发X的通知"), else "".

    Only where the notice opens the line or follows its issuer: a 《…》 cited
    inside prose ("根据《…》的通知") names another document.
    """
    s = squash(line)
    for pat in (_NOTICE_TITLE, _NOTICE_BARE):
        m = pat.search(s)
        if m and m.start() <= 40 and not re.search(r"[，。,；;：:《〈<]", s[:m.start()]):
            # inside a title a nested title mark is 〈〉; standing alone it is 《》 again
            return m.group("title").replace("〈", "《").replace("〉", "》")
    return ""


# the titles a transmittal sentence quotes: "现将《X》印发给你们", "《X》已经区政府同意，现印发给你们"
_TRANSMITTAL = re.compile(r"(?:现将|^)《(?P<title>[^《》]{4,80})》")
_SPAN = re.compile(r"^[（(][^（）()]{2,24}[）)]$")  # "(2008──2010年)", "（试行）"


def _with_span(title: str, lines: list[str]) -> str:
    """The title with the span its own line adds ("…实施方案(2008──2010年)"), when a line does."""
    for ln in lines:
        s = squash(ln)
        if s.startswith(title) and _SPAN.match(s[len(title):]):
            return s
    return title


_CRUMBS = re.compile(r"[>＞›»].*[>＞›»]")  # a breadcrumb (首页>政府信息公开>…>工作计划) is no title


def title_of(lines: list[str]) -> str:
    """The plan's title: from a notice line (also split over two lines), else a title-shaped line
    (also wrapped over two, when the transmittal sentence quotes it whole)."""
    for a, b in zip(lines, lines[1:] + [""]):
        t = notice_title(a) or (notice_title(a + b) if squash(a).endswith(("关于印发", "印发")) or
                                re.search(r"关于印发[^的]*$", squash(a)) else "")
        if t:
            return _with_span(t, lines[:30])
    quoted = {m["title"] for ln in lines[:20] if re.search(r"印发|同意|通过", ln)
              for m in _TRANSMITTAL.finditer(squash(ln))}
    for i, ln in enumerate(lines[:14]):
        s = squash(ln)
        if (num := DOC_NUMBER.match(s)) and s[num.end():]:
            s = s[num.end():]  # the 文号 the line opens with is not part of the title (doc_number_of reads it)
        m = _TITLE_LINE.match(s)
        if m and i and squash(lines[i - 1]) + s in quoted:
            return squash(lines[i - 1]) + s  # "鄂尔多斯市进一步完善医疗卫生" / "服务体系实施方案"
        if m and not s.startswith(("关于印发", "附件")) and not _HEADING_MARK.match(ln.strip()) and not _CRUMBS.search(s):
            # a long title wraps before its span: "…行动计划" / "(2024-2027年)主要目标任务"
            nxt = squash(lines[i + 1]) if i + 1 < len(lines) else ""
            if re.match(r"^[（(](?:19|20)\d{2}", nxt) and _TITLE_LINE.match(s + nxt) and len(s + nxt) <= 60:
                return s + nxt
            return m.group("title")
    return ""


_STATES = {
    "doc_number": DOC_NUMBER,
    "date": re.compile(r"(?:19|20)\d{2}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日|(?:19|20)\d{2}-\d{1,2}-\d{1,2}"
                       r"|[〇○零一二三四五六七八九]{4}年[一二三四五六七八九十]{1,3}月"),
    "signer": re.compile(r"签\s*发\s*人"),
    "issuer": re.compile(r"(?:局|委员会|委|人民政府|办公室|办公厅|领导小组)\s*(?:文件)?\s*$|关于印发", re.M),
}


def header_states(field: str, text: str) -> bool:
    """Does a header passage state a value of `field`?  (A 文号, a date, 签发人, an issuer line.)"""
    pat = _STATES.get(field)
    return bool(pat and pat.search(text))
