"""Cleaning that keeps a map back to the original characters.

Every edit is a deletion or a one-for-one substitution of source characters,
so the cleaned text is a subsequence of (lightly substituted) source text and
each cleaned character knows the source offset it came from.  A citation is
then an exact span of the file as received, and `CleanText.project(start, end)`
re-applies the recorded edits to any source span.

What is cleaned, and why:
- a web-page copy's portal furniture (breadcrumbs, font-size and print links,
  索引号/主题分类 lines) is page chrome, not the document; so are the "??" a copy left
  where each paragraph's full-width indent was;
- scraped watermarks ("( wWw.850500.cOm 转载请注明 )"), a forum's anti-copy
  junk ("5 ]0 @8 u8 {4 g1 b;") and scraped summary lines (a truncated "…" copy of
  the opening paragraph) are noise for both retrieval and citation;
- Markdown bold `**…**` around labels (责任领导：) is formatting, whereas a bare
  `**` elsewhere masks a place name and is kept, because it *is* the text;
- words split by page breaks ("安\\n\\n全感") are joined, otherwise neither
  jieba nor a reader sees the word;
- a copy that prints each character's pinyin after it ("岳陽(yáng)縣") breaks every word it glosses;
  the glosses go (qa.indexing.script.pinyin_glosses: tone-marked syllables, as a habit only);
- full-width / no-break spaces and spaces wedged between CJK characters
  ("重点工作 安排", "2021 年") are artefacts of PDF extraction;
- a table a web page flattened to one cell per line ("序号 |", "指标名称 |", …,
  "1 |", "人均预期寿命 |", "岁 |", …) gets its rows back: the line breaks inside a
  row become tabs, as in a .docx table, so a row is one line (one answer sentence
  that holds the indicator with its figures) and the chunker sees a table.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from ..indexing.script import pinyin_glosses
from ..metadata import portal
from ..metadata.portal import chrome_line, nav_line

# A line ending in one of these ends a sentence or a block; anything else at a
# line end, inside a paragraph, means the line was cut by a page break.
_TERMINATORS = set("。！？!?；;：:）)」』”》】…")
# A line starting with one of these continues the previous line's sentence
# even after a closing bracket ("工作站（室）\n\n的规范管理").
_CONTINUATION = set("的地得了着和与及或等之而并、，,。；;：:")
_HEADING_START = re.compile(
    r"^\s*(?:[一二三四五六七八九十]{1,3}、|[（(][一二三四五六七八九十]{1,3}[）)]|\d{1,2}[.．、](?!\d)|[（(]\d{1,2}[）)]"
    r"|[一二三四五六七八九十]{1,2}是)"
)
# a line opening with a short label and a colon ("牵头责任单位:", "完成时限：") is a field of its own
# (task lists, forms), not the rest of a sentence a page break cut
_LABEL_START = re.compile(r"^\s*[\u4e00-\u9fa5]{2,8}\s*[:：]")
_WATERMARK = re.compile(
    r"[（(]?\s*(?:w{3}\.)?[A-Za-z0-9-]+\.(?:com|cn|net|org)[^\n）)]*?转载请注明\s*[）)]?", re.IGNORECASE
)
# `**label**` followed by / ending in a colon, or cut by a page break.
_MD_BOLD = re.compile(r"\*\*([^*\n]{1,20}?)\*\*(?=\s*[:：]|\s*\n)|\*\*([^*\n]{1,20}?[:：])\*\*")
_SPACES = "\u3000\u00a0\u2002\u2003\u2009"  # not \t: it separates table cells


def _is_cjk(ch: str) -> bool:
    o = ord(ch)
    return 0x3400 <= o <= 0x9FFF or 0xF900 <= o <= 0xFAFF or 0x3000 <= o <= 0x303F or 0xFF00 <= o <= 0xFFEF


@dataclass(frozen=True, slots=True)
class CleanText:
    """Cleaned text plus, for each cleaned character, its source offset."""

    source: str
    text: str
    offsets: tuple[int, ...]
    _kept: bytes  # 1 where the source character survives
    _subst: tuple[tuple[int, str], ...]  # (source offset, replacement char)

    def source_span(self, start: int, end: int) -> tuple[int, int]:
        """Map a cleaned span [start, end) to the source span covering it."""
        if not 0 <= start < end <= len(self.text):
            raise ValueError(f"bad cleaned span {start}:{end} (text has {len(self.text)} chars)")
        return self.offsets[start], self.offsets[end - 1] + 1

    def project(self, start: int, end: int) -> str:
        """Apply the recorded edits to source[start:end]."""
        subst = dict(self._subst)
        return "".join(subst.get(i, self.source[i]) for i in range(start, end) if self._kept[i])

    def line_spans(self) -> list[tuple[int, int]]:
        """Cleaned-text spans of the non-empty lines."""
        spans, pos = [], 0
        for line in self.text.split("\n"):
            if line.strip():
                spans.append((pos, pos + len(line)))
            pos += len(line) + 1
        return spans


class _Editor:
    """Deletions and 1:1 substitutions over a source string."""

    def __init__(self, source: str):
        self.source = source
        self.kept = bytearray(b"\x01" * len(source))
        self.subst: dict[int, str] = {}

    def view(self) -> tuple[str, list[int]]:
        idx = [i for i in range(len(self.source)) if self.kept[i]]
        return "".join(self.subst.get(i, self.source[i]) for i in idx), idx

    def delete(self, idx: list[int], start: int, end: int) -> None:
        for j in range(start, end):
            self.kept[idx[j]] = 0


def clean(source: str) -> CleanText:
    """Clean a document's raw text; see the module docstring for the rules."""
    ed = _Editor(source)
    for i, ch in enumerate(source):
        if ch in _SPACES:
            ed.subst[i] = " "
        elif ch == "\r":
            ed.kept[i] = 0

    text, idx = ed.view()
    for m in _WATERMARK.finditer(text):
        ed.delete(idx, m.start(), m.end())
    _drop_scraped_summaries(ed)
    _drop_jammer(ed)
    _drop_portal_chrome(ed)
    _drop_lost_indents(ed)
    text, idx = ed.view()
    for a, b in pinyin_glosses(text):
        ed.delete(idx, a, b)

    text, idx = ed.view()
    for m in _MD_BOLD.finditer(text):
        ed.delete(idx, m.start(), m.start() + 2)
        ed.delete(idx, m.end() - 2, m.end())

    # tables first: a page break's join would glue a bare table's cells into one run of text ("4.815.23")
    _rejoin_flattened_tables(ed)
    _join_page_breaks(ed)
    _squeeze_spaces(ed)
    _collapse_blank_lines(ed)

    text, idx = ed.view()
    return CleanText(source, text, tuple(idx), bytes(ed.kept), tuple(sorted(ed.subst.items())))


# a forum's anti-copy "jammer": random one- or two-character ASCII strings a page hides between
# paragraphs, which a copy keeps ("5 ]0 @8 u8 {4 g1 b; S\" \\"): a run of them, ending before a space or
# a line end (so "4.大力推进" after a run keeps its item number)
_JAMMER = re.compile(r"(?<![!-~])(?:[!-~]{1,2} ){4,}[!-~]{1,2}(?=\s|$)", re.M)
_JAMMER_PUNCT = re.compile(r"[!-/:-@\[-`{-~]")
_MIN_JAMMER_RUNS = 2  # a habit of the copy, never one odd run


def _drop_jammer(ed: _Editor) -> None:
    """Delete the anti-copy junk a forum page scattered through a copy (see `_JAMMER`)."""
    text, idx = ed.view()
    runs = [m for m in _JAMMER.finditer(text) if sum(bool(_JAMMER_PUNCT.search(t)) for t in m.group().split()) >= 2]
    if len(runs) >= _MIN_JAMMER_RUNS:
        for m in runs:
            ed.delete(idx, m.start(), m.end())


_LOST_INDENT = re.compile(r"^[ \t]*[?？]{1,4}(?=[\u4e00-\u9fff（(《“\d])", re.M)
_MIN_LOST_INDENTS = 3  # one line opening with "?" may be a question; a habit of the copy is not


def _drop_lost_indents(ed: _Editor) -> None:
    """Delete the "??" a copy left where each paragraph's indent (two full-width spaces) was."""
    text, idx = ed.view()
    found = list(_LOST_INDENT.finditer(text))
    if len(found) >= _MIN_LOST_INDENTS:
        for m in found:
            ed.delete(idx, m.start(), m.end())


def _drop_scraped_summaries(ed: _Editor) -> None:
    """Drop a line that is a truncated copy ("…"/"...") of text that follows it."""
    text, idx = ed.view()
    squashed_rest = None
    pos = 0
    for line in text.split("\n"):
        body = line.strip()
        if len(body) >= 40 and (body.endswith("...") or body.endswith("…")):
            stem = re.sub(r"\s+", "", body.rstrip(".…"))
            if squashed_rest is None:
                squashed_rest = re.sub(r"\s+", "", text)
            # the copy must reappear later in the document (not just itself)
            first = squashed_rest.find(stem[-30:])
            if first != -1 and squashed_rest.find(stem[-30:], first + 1) != -1:
                ed.delete(idx, pos, pos + len(line) + (1 if pos + len(line) < len(text) else 0))
        pos += len(line) + 1


def _drop_portal_chrome(ed: _Editor, *, head: int = 40) -> None:
    """Drop a web-page copy's furniture (navigation, font size, print, 索引号/主题分类 lines).

    Only near the top, where a portal prints it; the fields that matter
    (发文机构, 发文字号, 成文日期) stay in the text and in the catalogue.
    """
    text, idx = ed.view()
    pos = 0
    started = False
    for n, line in enumerate(text.split("\n")):
        if n >= head:
            break
        # once the document's own prose has begun, a key line is the document's ("地址:…县…路9号" where to
        # send objections); navigation (上一篇, 打印本页) is furniture wherever it stands
        if chrome_line(line) and (not started or nav_line(line)):
            ed.delete(idx, pos, pos + len(line))
        started = started or _prose(line)
        pos += len(line) + 1


def _prose(line: str) -> bool:
    """A line of the document's own prose: a long sentence with its punctuation, not a key table row."""
    s = line.strip()
    return len(s) >= _PROSE_CHARS and bool(re.search(r"[，,。；;]", s)) and not portal.pairs(s)


_PROSE_CHARS = 40


def _is_table_row(line: str) -> bool:
    return line.count("\t") >= 2


_CELL = re.compile(r"^[^|\n]+ ?\|$")  # one cell of a flattened table: "人均预期寿命 |"
# a cell printed bare, without its bar ("人均预期寿命", "82.98", ">79"): short, no sentence punctuation; such a
# run is a table only under a header with a 序号 cell
_BARE_CELL = re.compile(r"^[^|\n。，,；;！？!?]{1,30}$")
_SERIAL_HEAD = "序号"
_TABLE_TITLE = 12  # a longer line above the header is the table's title, not a column
_MIN_CELLS = 12  # a run this long of one-cell lines is a table (a portal block has several cells per line)


def _row_starts(cells: list[str]) -> list[int]:
    """Indices of the cells that open a row: the 序号 column counting 1, 2, 3, … .

    The cells before the first number are the header row, whose length is the row length; a row
    whose next number is not where that length puts it (merged cells) is found by
    looking for the number nearby. [] when the cells do not count rows.
    """
    nums = [c.rstrip(" |").strip() for c in cells]
    # the first row number: 1, or where a page repeats the header, the row it goes on with
    width = next((j for j, c in enumerate(nums) if c.isdigit() and 0 < int(c) < 1000), None)
    if width is None or width < 2:
        return []
    starts, k = [width], int(nums[width]) + 1
    while True:
        at = starts[-1]
        if at + width < len(nums) and nums[at + width] == str(k):
            nxt = at + width
        else:
            nxt = next((j for j in range(at + 2, min(len(nums), at + 2 * width)) if nums[j] == str(k)), None)
        if nxt is None:
            break
        starts.append(nxt)
        k += 1
    return starts


def _rejoin_flattened_tables(ed: _Editor) -> None:
    """Turn the line breaks inside each row of a one-cell-per-line table into tabs (1:1 substitutions)."""
    text, idx = ed.view()
    spans, pos = [], 0
    for line in text.split("\n"):
        if line.strip():  # blank lines between cells (a page's spacing) are part of the break
            spans.append((pos, line))
        pos += len(line) + 1
    i = 0
    while i < len(spans):
        j, barred = i, bool(_CELL.match(spans[i][1].strip()))
        cell = _CELL if barred else _BARE_CELL
        # a bare table ends at the next heading ("二、保障措施" is short too)
        while j < len(spans) and cell.match(spans[j][1].strip()) and (barred or not _HEADING_START.match(spans[j][1])):
            j += 1
        run = spans[i:j]
        if not barred:
            run = _under_serial_header(run)
        nxt = max(j, i + 1)  # the line that ended the run may open one of the other kind
        if len(run) < _MIN_CELLS:
            i = nxt
            continue
        i = j - len(run)
        starts = _row_starts([line for _, line in run])
        if not starts or (not barred and len(starts) < 3):
            i = nxt
            continue
        width = starts[0]
        last_len = max((b - a for a, b in zip(starts, starts[1:])), default=width)
        bounds = [0] + starts + [min(len(run), starts[-1] + max(width, last_len))]
        for a, b in zip(bounds, bounds[1:]):
            for (pos, line), (nxt, _) in zip(run[a:b - 1], run[a + 1:b]):  # the break after each cell but the row's last
                ed.subst[idx[pos + len(line)]] = "\t"
                ed.delete(idx, pos + len(line) + 1, nxt)  # and the blank lines after it
            if b < len(run) and (end := run[b - 1][0] + len(run[b - 1][1])) + 1 < run[b][0]:
                ed.delete(idx, end + 1, run[b][0])  # one line per row
        i += bounds[-1]  # the rest of the run: the table goes on under a repeated header


def _under_serial_header(run: list[tuple[int, str]]) -> list[tuple[int, str]]:
    """The part of a run of bare short lines that is a table: from its header row (the cells before the first
    row number, one of them 序号; a long line above it is the table's title) on; [] when there is none."""
    cells = [line.strip() for _, line in run]
    first = next((k for k, c in enumerate(cells) if c == "1"), None)
    if first is None or _SERIAL_HEAD not in cells[:first]:
        return []
    head = cells.index(_SERIAL_HEAD)
    while head > 0 and len(cells[head - 1]) <= _TABLE_TITLE and first - head < 12:
        head -= 1  # columns before 序号 (领域, 类别)
    return run[head:]


def _join_page_breaks(ed: _Editor) -> None:
    """Remove the line break(s) inside a paragraph cut by a page break.

    A break is joined when the text before it is a paragraph (it already holds
    sentence punctuation, so titles and addresses are never glued together)
    that does not end in a terminator, and what follows is not a new heading.
    """
    text, idx = ed.view()
    lines = text.split("\n")
    starts, pos = [], 0
    for line in lines:
        starts.append(pos)
        pos += len(line) + 1
    para = ""  # the paragraph built so far (for the punctuation test)
    prev = None  # index of the last non-empty line
    for i, line in enumerate(lines):
        body = line.strip()
        if not body:
            continue
        if prev is not None:
            tail = para.rstrip()
            joinable = (
                tail
                and (tail[-1] not in _TERMINATORS or (tail[-1] in "）)" and body[0] in _CONTINUATION))
                and re.search(r"[，。、；,]", tail)
                and len(tail) >= 15
                and not _HEADING_START.match(body)
                and not _LABEL_START.match(body)
                and not _is_table_row(body)
                and not _is_table_row(lines[prev])
                and not tail.endswith("|")  # a cell of a flattened table ends its line on purpose
            )
            if joinable:
                # delete from the end of the previous line's text to the first
                # non-space character of this line: newlines, blanks, indents
                a = starts[prev] + len(lines[prev].rstrip())
                b = starts[i] + (len(line) - len(line.lstrip()))
                ed.delete(idx, a, b)
                para += body
                prev = i
                continue
        para = body
        prev = i


def _squeeze_spaces(ed: _Editor) -> None:
    """Delete spaces between CJK and CJK/digits; trim line ends."""
    text, idx = ed.view()
    n = len(text)
    for m in re.finditer(r"[ ]+", text):
        a, b = m.start(), m.end()
        left = text[a - 1] if a > 0 else "\n"
        right = text[b] if b < n else "\n"
        edge = left == "\n" or right == "\n"
        cjk_gap = (_is_cjk(left) and (_is_cjk(right) or right.isdigit())) or (left.isdigit() and _is_cjk(right))
        if edge or cjk_gap:
            ed.delete(idx, a, b)


def _collapse_blank_lines(ed: _Editor) -> None:
    text, idx = ed.view()
    for m in re.finditer(r"\n{2,}", text):
        ed.delete(idx, m.start() + 1, m.end())
    text, idx = ed.view()
    # leading/trailing newlines
    lead = len(text) - len(text.lstrip("\n"))
    ed.delete(idx, 0, lead)
    trail = len(text) - len(text.rstrip("\n"))
    ed.delete(idx, len(text) - trail, len(text))
