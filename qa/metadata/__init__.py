"""What a document's own text says about it: title, issuer, place, 文号, dates.

Three layouts arrive, often together: the portal block above a web-page copy
(`portal`), the official notice header and signature block (`header`), and a
bare title.  `extract_metadata` reads them and resolves the place with the
national gazetteer (`qa.places.resolve_place`).  Every field it fills is in
`sources` with where it came from and how sure it is; a field the text does
not state stays "" / None, and an ambiguous place is left unresolved with a
note in `sources["unresolved"]` — never guessed.
"""
from __future__ import annotations

import re

from ..indexing.script import simplified, without_pinyin_glosses
from ..places import resolve_place
from ..places.zones import zone_district
from . import header, portal

_LEVEL_ISSUER = re.compile(r"^([市区县州])(人民政府办公室|人民政府办公厅|人民政府|政府办公室|卫生健康局|卫生健康委员会|卫健委|卫健局)关于")
_BULLETS = ("•", "·", "●", "○", "▪", "■", "◆", "►", "»")
_LOST_INDENT = re.compile(r"^[?？]{1,4}(?=[\u4e00-\u9fff（(《“\d])")
FIELDS = ("title", "issuer", "province", "city", "district", "year", "doc_number", "date", "signer")


def _empty() -> dict:
    return {f: (None if f == "year" else "") for f in FIELDS} | {"sources": {}}


def extract_metadata(text: str, *, head_lines: int = 30, tail_lines: int = 12) -> dict:
    """DocMeta fields the text states, plus `sources` (field → {"from", "confidence"}).

    A 繁體 copy is read as its simplified reading (qa.indexing.script): the gazetteer knows
    盘锦市, not 盤錦市, and the catalogue lists the plan as staff search for it.
    """
    text = simplified(without_pinyin_glosses(text))  # 岳陽(yáng)縣 names 岳阳县
    # "??2018年5月14日": a copy that lost each paragraph's indent characters to "?" (qa.corpus.cleaning)
    all_lines = [_LOST_INDENT.sub("", ln.strip()) for ln in text.splitlines() if ln.strip()]
    lines = all_lines[:head_lines]
    out = _empty()
    src: dict = {}

    def put(field: str, value, where: str, confidence: str = "high") -> None:
        if value not in ("", None) and out[field] in ("", None):
            out[field] = value
            src[field] = {"from": where, "confidence": confidence}

    block = portal.parse_block(all_lines)
    body = [ln for ln in lines if not portal.pairs(ln)]  # the portal block is read above
    tail = all_lines[len(lines):][-tail_lines:]

    # issuer: a header line of its own > the signature above the date > "XX关于印发…" > the portal's
    found = {"alone": [], "signature": [], "notice": [], "inline": []}
    for region, ls in (("head", body), ("tail", tail)):
        for i, ln in enumerate(ls):
            if header.names_on_line(ln) and (sig := _signature(ls, i)) is not None:
                if sig[0]:  # ("", "") for a later line of a block of issuers
                    found["signature"].append((sig[0], sig[1], f"signature block ({region})"))
                continue
            for issuer, how in header.issuers_in(ln):
                if how.startswith("signature:"):
                    found["signature"].append((issuer, how.split(":", 1)[1], f"signature ({region})"))
                elif region == "head":
                    found[how].append((issuer, "", f"header line {i + 1}"))
    if "title" in block:  # the page's title "XX关于印发…的通知" names the issuer like a notice line does
        value, key = block["title"]
        found["notice"] += [(issuer, "", f"portal {key}") for issuer, how in header.issuers_in(value) if how == "notice"]
    for how in ("alone", "signature", "notice", "inline"):
        for issuer, date, where in found[how]:
            put("issuer", issuer, where)
            put("date", date, where)
    for i, ln in enumerate(body):
        # a bare date closing the notice (no name above it) is still its signature: the document's own
        # word, before a portal's 成文日期, which web staff fill in and can get wrong
        if (date := header.signature_date(ln)) and _closes_notice(body, i):
            put("date", date, f"signature date line {i + 1}")
            break
    for field, (value, key) in block.items():
        where = f"portal {key}"
        if field == "issuer":
            full = header.squash(value)
            if out["issuer"] and full != out["issuer"] and full.startswith(out["issuer"]) and header.ORG_END.search(full):
                # the signature shortens its body's name (…卫生健康委 for …卫生健康委员会): the portal's is whole
                out["issuer"] = full
                src["issuer"] = {"from": f"{src['issuer']['from']}, whole name from {where}", "confidence": "high"}
            if header.ORG_END.search(full) and len(full) > 4:
                # not a neighbouring column's text ("文件有效性"), nor a bare abbreviation naming no place
                # ("卫健局", "区卫健局": whose?)
                put("issuer", full, where, "medium")
        elif field == "doc_number":
            num, year = header.doc_number_of(value)
            put("doc_number", num, where)
            put("year", year, where)
        elif field == "written":
            written = header.date_of(value, whole_line=False)
            number = header.doc_number_of(block["doc_number"][0])[1] if "doc_number" in block else None
            if written and number and int(written[:4]) != number:
                # 成文日期 2021 under a 〔2020〕 number: the portal's date is its re-posting, not the issue
                src["date_conflict"] = {"from": where, "value": written, "doc_number_year": number}
                continue
            put("date", written, where)
        elif field == "title":
            title = header.notice_title(value) or (header.squash(value) if len(value) <= 60 else "")
            if "title" in block and header.notice_title(value):
                put("title", title, where)

    for i, ln in enumerate(body[:20]):
        num, year = header.doc_number_of(ln)
        put("doc_number", num, f"header line {i + 1}")
        fixed, printed, fixed_year = header.repaired_doc_number(ln)
        if fixed and not out["doc_number"]:
            put("doc_number", fixed, f"header line {i + 1}", "medium")
            src["doc_number"]["printed"] = printed  # the answer quotes what the copy shows
            put("year", fixed_year, f"header line {i + 1}", "medium")
        put("year", year, f"header line {i + 1}")
        put("signer", header.signer_of(ln), f"header line {i + 1}")
    for ln in body:
        put("date", header.date_of(ln), "date line")
    put("title", header.title_of(body[:20]), "title line")
    if "title" in block:  # a portal name that is not a notice: the plan's own name
        value = block["title"][0]
        put("title", header.squash(value) if len(value) <= 60 else "", f"portal {block['title'][1]}", "medium")
    if out["year"] is None and out["title"]:
        m = header.title_year(out["title"], out["date"])
        if m and out["date"] and re.search(r"\d\s*[—\-－~至到]", m.group(0)):
            # "(2021-2025年)" is the plan's period: a dated notice was issued in its date's year
            put("year", int(out["date"][:4]), "date")
        put("year", int(m.group(1)) if m else None, "title")
    if out["year"] is None and out["date"]:
        put("year", int(out["date"][:4]), "date", "medium")
    if out["date"]:
        # a date repaired from lost 年月日 ("2020928") is quoted as printed by the answer
        printed = next((header.squash(ln) for ln in all_lines if header.squash(ln).isdigit()
                        and header.signature_date(ln) == out["date"]), "")
        if printed:
            src["date"]["printed"] = printed
    if out["doc_number"] and "printed" not in src["doc_number"]:
        # X政办发【2021】10号 is catalogued as 〔2021〕 (staff type that), and quoted as the copy prints it
        raw = next((r for ln in all_lines for m in header.DOC_NUMBER.finditer(ln)
                    if (r := header.squash(m.group("num"))) != out["doc_number"]
                    and r.replace("【", "〔").replace("】", "〕") == out["doc_number"]), "")
        if raw:
            src["doc_number"]["printed"] = raw
    partial = any(how == "signature" and not date for how in found for _, date, _ in found[how])
    if "published" in block and not partial and "date_conflict" not in src:
        # the portal's publication date is not the issue date: a last resort, marked as such
        pub = header.date_of(block["published"][0], whole_line=False)
        latest = _latest_year(out["title"], body)
        # a news item reporting its own day ("11月10日，…召开…") whose headline names no year is dated by its page,
        # however far back its text looks ("自2018年…创建以来")
        news_of_the_day = not re.search(r"(?:19|20)\d{2}", out["title"] or "") and any(
            header.DATELINE.match(ln) for ln in body[:12])
        if pub and latest and int(pub[:4]) > latest + 1 and not news_of_the_day:
            # "2012年…工作计划" uploaded in 2018 to a document-sharing site, a 十一五 plan re-posted in 2014:
            # a page dated years after every year its text names is a later copy, not the plan's date
            src["date_conflict"] = {"from": f"portal {block['published'][1]}", "value": pub, "latest_year": latest}
            pub = ""
        put("date", pub, f"portal {block['published'][1]} (publication date)", "low")
        if pub and src.get("date", {}).get("from", "").endswith("(publication date)"):
            # the page's date, not the document's: the answer says so and quotes it as the page prints it
            src["date"]["published"] = _printed_date(block["published"][0]) or pub
        put("year", int(pub[:4]) if pub else None, f"portal {block['published'][1]}", "low")

    if "effective" in block:
        eff = header.date_of(block["effective"][0], whole_line=False)
        put("year", int(eff[:4]) if eff else None, f"portal {block['effective'][1]}", "low")
    if not out["title"]:
        # a news page prints its headline right above its byline row (发布时间:… 来源:…), under the site's
        # slogan and breadcrumb
        headline, stamp = _headline(all_lines)
        put("title", headline, "headline above the byline", "low")
        if _BARE_STAMP.match(stamp) and not out["date"]:
            # the page's date printed alone under its headline: the page's, not the document's (as a portal's)
            day = header.date_of(stamp, whole_line=False)
            put("date", day, "page date under the headline (publication date)", "low")
            if day:
                src["date"]["published"] = _printed_date(stamp) or day
            put("year", int(day[:4]) if day else None, "page date under the headline", "low")
    if not out["title"]:
        # a web-page copy opens with the page's title: the first line, if it is not a sentence
        # (a bulleted line is a portal menu item: "• 政府信息公开")
        # a hijacked mirror's keyword string, a menu bar (首页|新闻|…) and a breadcrumb come before it
        first = next((_untagged(ln) for ln in body if not portal.chrome_line(ln) and not ln.startswith(_BULLETS)
                      and not _debris(ln) and not _KEYWORD_STRING.match(_untagged(ln))
                      and not header._CRUMBS.search(ln)), "")
        # the site's name ("XX县人民政府" above its menu) is no title
        if (6 <= len(first) <= 60 and not first.endswith(("。", "：", ":", "通知", "通告", "函"))
                and not header.heading_mark(first) and header.squash(first) not in header.names_on_line(first)):
            put("title", header.squash(first), "first line", "low")
            if out["year"] is None or src["year"]["from"].startswith("portal"):
                # the year a page is about ("2018年…基本情况") beats the year it was posted in (2019-12-22)
                m = header.title_year(out["title"], out["date"])
                if m:
                    out["year"], src["year"] = int(m.group(1)), {"from": "first line", "confidence": "low"}
    if out["year"] is None:
        put("year", opening_year(body), "opening sentence", "low")
    issuers = [(src["issuer"]["from"], out["issuer"])] if out["issuer"] else []
    for field in ("issuer", "source"):
        if field in block:
            issuers.append((f"portal {block[field][1]}", block[field][0]))
    place = resolve_place(issuer=issuers, title=out["title"], body=text[:20000], doc_number=out["doc_number"],
                          source=block["source"][0] if "source" in block else "")
    for field in ("province", "city", "district"):
        value = getattr(place, field)
        if value:
            where, conf = place.sources.get(field, ("gazetteer", "medium"))
            put(field, value, where, conf)
    if out["city"] and not out["district"]:
        # a development zone's or new area's committee issues as a district does (GB/T 2260 lists few)
        put("district", zone_district(out["issuer"], text[:20000], out["city"], out["province"]), "issuer (zone committee)",
            "medium")
    if not out["issuer"]:
        # "市人民政府办公室关于印发…的通知": the notice names its issuer by level only; the place is the
        # one resolved for the document at that level
        for i, ln in enumerate(body[:12]):
            m = _LEVEL_ISSUER.match(header.squash(ln))
            own = {"市": out["city"], "州": out["city"], "区": out["district"], "县": out["district"]}.get(m[1]) if m else ""
            if own and own.endswith(m[1]):
                put("issuer", own + m[2], f"notice line {i + 1} (place from the {m[1]} resolved)", "low")
                break
    if place.notes and not all(out[f] for f in ("province", "city")):
        src["unresolved"] = list(place.notes)
    out["sources"] = src
    return out


OPENING_CHARS = 250  # a news item's lead, a plan's opening sentence
# a year as a date ("2023年绩溪县卫生健康工作会议", "安排部署2018年工作"), not a horizon ("到2025年") or a span's end
# ("2006—2010年"), nor a span's start ("2021-2025年"), nor a decade (90年代)
_DATED_YEAR = re.compile(r"(?<![到至—\-－~～\d])((?:19|20)\d\d)\s*年(?!代)(?!\s*[—\-－~～至到]\s*(?:19|20)?\d\d)")


def opening_year(body: list[str]) -> int | None:
    """The year a copy without a dated title or date line is about: the latest year its opening states as a
    date. A news item leads with "5月5日上午，2023年…工作会议召开" and a body-only plan with "2023年，…"; a
    review of last year comes first as often ("全面总结2017年度工作，安排部署2018年工作任务"), and the work
    planned is the later year. A horizon (到2025年) is no date of the text, and a year in a title it cites
    (根据《关于做好2020年…的通知》) is the cited document's."""
    opening = re.sub(r"《[^《》]*》", "《》", "".join(body)[:OPENING_CHARS])
    years = [int(m.group(1)) for m in _DATED_YEAR.finditer(opening)]
    return max(years) if years else None


# forum and table furniture above a page's title: "查看: N|回复: N", a lone "|" of a table cell
_COUNTERS = re.compile(r"^(?:[\u4e00-\u9fff]{1,4}\s*[:：]\s*\d+\s*[|｜]?\s*)+$")
# a forum's tags before the title: "[XX城事] 【关注】…"
# "【卫生健康】…", "广东【卫生健康】…": a site's category tag (and its region label) before a headline
_TAGS = re.compile(r"^(?:\s*[\u4e00-\u9fff]{0,4}(?:[\[【][^\]】]{1,8}[\]】]|「[^」]{0,8}」))+\s*")  # and an emptied 「」


# a reporter's byline: "XX日报·XX客户端记者 张三 通讯员 李四", "本报讯（记者 王五）"
_REPORTER = re.compile(r"记者\s*[\u4e00-\u9fff]{2,4}(?:\s|$|通讯员)|通讯员\s*[\u4e00-\u9fff]{2,4}|^本报讯")


def _debris(line: str) -> bool:
    return len(re.findall(r"[\u4e00-\u9fff]", line)) < 4 or bool(_COUNTERS.match(line) or _REPORTER.search(line))


_YEAR = re.compile(r"(?<!\d)((?:19|20)\d\d)(?!\d)")
_COPYRIGHT = re.compile(r"copyright|©|版权所有|ICP备", re.I)


def _latest_year(title: str, body: list[str], chars: int = 3000) -> int | None:
    """The latest year the title or the opening of the text names (2010 of "(2006-2010年)")."""
    # a footer's "Copyright © 2003-2009 XX.com" dates the site, not the text
    text = "\n".join(ln for ln in body if not _debris(ln) and not _COPYRIGHT.search(ln))
    years = [int(y) for y in _YEAR.findall(title + "\n" + text[:chars])]
    return max(years, default=None)


def _headline(lines: list[str], head: int = 10) -> tuple[str, str]:
    """The line right above the first byline row (a portal row with a publication date or source, or the date
    alone), and that row; ("", "") when there is none."""
    for i, ln in enumerate(lines[:head]):
        if (run := portal.byline(ln)) and run[0]:  # "…会议召开 发布日期:2020-07-01 信息来源:…": on the byline's line
            above = _untagged(run[0])
            return (header.squash(above), ln) if 6 <= len(above) <= 60 and not above.endswith(("。", "：", ":")) else ("", "")
        keys = {portal.KEYS.get(k) for k, _ in portal.pairs(ln)}
        bare = bool(_BARE_STAMP.match(ln))
        if i and bare and re.search(r"[/|,]", lines[i - 1]):
            # a portal's keyless value rows ("文化、广电/医药卫生管理,…") above the page's date: no headline
            return "", ln
        if i and (keys & {"published", "source"} or bare):
            above = _untagged(lines[i - 1])
            column = next((v for k, v in portal.pairs(ln) if k in ("栏目", "所属栏目") and v), "")
            if column and above.endswith(column) and len(above) > len(column):
                above = above[: -len(column)]  # "…会议召开XX频道" under "栏目:XX频道": the column's name, appended
            if (6 <= len(above) <= 60 and not above.endswith(("。", "：", ":")) and not portal.pairs(above)
                    and not portal.chrome_line(above) and not _debris(above) and not header.heading_mark(above)):
                return header.squash(above), ln
            return "", ""
    return "", ""


# a byline row that is only the page's date (and time, or a "返回列表" link): "2024-09-03", "2017-01-20 返回列表", maybe
# after the account that posted it ("XX发布 2022-05-20", "XX人都在看→ XX发布 2022-05-20")
_BARE_STAMP = re.compile(r"^\s*(?:[^\s，。,；;：:]{1,16}\s+){0,2}(?:19|20)\d{2}\s*[-/.]\s*\d{1,2}\s*[-/.]\s*\d{1,2}"
                         r"(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?(?:\s+\S{0,8})?\s*$")
# a hijacked mirror's first line: search keywords strung with dashes or bars ("…视频-…在线观看-…"), no title
_KEYWORD_STRING = re.compile(r"^[^，。,.]{2,30}(?:\s*[-|｜_]\s*[^，。,.]{2,30}){2,}$")


def _printed_date(text: str) -> str:
    """A date as the page prints it ("2024-09-03", "2024年9月3日"), for the answer to quote."""
    raw = re.search(r"\d{4}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}日?", text)
    return raw.group() if raw else ""


def _untagged(line: str) -> str:
    return _TAGS.sub("", line.strip(" |｜\t"))


_TRANSMITS = re.compile(r"印发给你们|现印发|请认真|遵照执行|贯彻执行|抓好落实|组织实施|贯彻落实")
_PUBLIC_NOTE = re.compile(r"^[（(]此件")


def _closes_notice(lines: list[str], i: int) -> bool:
    """Is line i the date under a notice: right after its transmittal sentence, or above "(此件公开发布)"?"""
    before = lines[i - 1] if i else ""
    after = lines[i + 1] if i + 1 < len(lines) else ""
    return bool(_TRANSMITS.search(before[-40:]) or _PUBLIC_NOTE.match(after))


def _signature(lines: list[str], i: int) -> tuple[str, str] | None:
    """(issuer, ISO date or "") when line i opens a block of issuers: it and the issuer lines under it
    (joint issuers sign one under another, or two to a line: 中共XX县委办公室 / XX县人民政府办公室),
    above a date line (a signature) or above the notice's title or 文号 (a header's stacked issuers).

    The first issuer line of a joint block names them all; a later one gets ("", ""). None when
    no date, title or 文号 line follows.
    """
    if i and header.names_on_line(lines[i - 1]):
        return "", ""  # a later name of a block of issuers: its first line reports the block
    names: list[str] = []
    for ln in lines[i:i + 12]:
        found = header.names_on_line(ln)
        if found:
            names += found
            continue
        date = header.signature_date(ln)
        stacked = date is None and len(names) > 1 and (header.notice_title(ln) or header.doc_number_of(ln)[0])
        if not names or (date is None and not stacked):
            return None
        return "、".join(dict.fromkeys(names)), date or ""
    return None


def title_line_index(lines: list[str], title: str) -> int | None:
    """Index of the body's own title line (the line that equals the title; a 繁體 line reads as simplified)."""
    target = simplified(header.squash(title))
    if not target:
        return None
    flat = [simplified(header.squash(ln)) for ln in lines]
    for i, s in enumerate(flat):
        if s == target:
            return i
    # a long title wrapped onto two lines (PDFs, web copies)
    for i in range(len(flat) - 1):
        if flat[i] + flat[i + 1] == target:
            return i + 1
    return None


__all__ = ["FIELDS", "extract_metadata", "title_line_index"]
