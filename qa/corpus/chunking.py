"""Section chunking along the heading ladder of Chinese official documents.

    一、 → （一） → 1. / 1、 → （1）, plus in-paragraph 一是…二是… enumerations.

A chunk is one section (the text under one heading path); long sections are
split on sentence ends (。；！？) with the heading path repeated, and tiny
fragments are merged with a neighbour.  The notice header is a chunk of its
own (kind "header"), a form table is one chunk (kind "table").  Chunk text is
the cleaned text; start/end point into the original source.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass

from .documents import Document
from ..metadata import title_line_index
from ..metadata.header import date_of
from ..records import Chunk

CHUNKER_VERSION = "14"  # bump when chunk boundaries or ids change, or cleaning (5: flattened tables; 6: lost indents;
# 7: pinyin glosses; 8: key lines after the prose begins are kept; 9: lists of one-line 一是… points stay whole;
# 10: a forum's anti-copy junk and a portal's greeting/accessibility bar are dropped; 11: a table printed one bare
# cell per line under a 序号 header gets its rows back, before page breaks are joined; 12: 您的位置 breadcrumbs are chrome;
# 13: a portal's 欢迎光临 / 网站无障碍 bar is chrome; 14: a Markdown list of portal keys is a key block)
MAX_CHARS = 400  # e5 truncates at 512 tokens; Chinese runs ~1 token/char
MIN_CHARS = 30  # a piece shorter than this says too little to be cited alone

_LEVELS = [
    re.compile(r"^[一二三四五六七八九十]{1,3}、"),
    re.compile(r"^[（(][一二三四五六七八九十]{1,3}[）)]"),
    re.compile(r"^\d{1,2}\s*[.．、](?!\d)"),
    re.compile(r"^[（(]\d{1,2}[）)]"),
]
# 一是/二是… at a sentence start (line start or after 。；！？)
_ENUM = re.compile(r"(?:(?<=^)|(?<=\n)|(?<=[。；;！？!?]))\s*[一二三四五六七八九十]{1,2}是(?![的否])")
_SENTENCE_END = re.compile(r"[^。；;！？!?\n]*(?:[。；;！？!?]+[”’」』)）]?|\n|$)")
_STANDALONE_MAX = 45


@dataclass
class _Unit:
    path: tuple[str, ...]
    start: int  # cleaned-text span
    end: int
    kind: str = "body"
    item: bool = True  # a numbered item or enumeration: kept even when short


def heading_level(line: str) -> int | None:
    """0 for 一、, 1 for （一）, 2 for 1., 3 for （1）; None for body text."""
    for level, pat in enumerate(_LEVELS):
        if pat.match(line):
            return level
    return None


def heading_text(line: str) -> str:
    """The heading a line introduces: the marker and its first sentence."""
    line = line.strip()
    m = re.match(r"[^。；;！？!?]*", line)
    first = m.group(0).strip() if m else line
    if len(first) > _STANDALONE_MAX:
        clause = re.match(r"[^，,]*", first).group(0)
        first = clause if len(clause) <= _STANDALONE_MAX else first[:_STANDALONE_MAX] + "…"
    return first.rstrip("。.；;，, ")


def _is_standalone_heading(line: str) -> bool:
    body = line.strip().rstrip("。")
    return len(body) <= _STANDALONE_MAX and not re.search(r"[。；;！？]", body)


def _is_table_row(line: str) -> bool:
    return line.count("\t") >= 2


def chunk_document(doc: Document, *, max_chars: int = MAX_CHARS, min_chars: int = MIN_CHARS) -> list[Chunk]:
    """Split one document into chunks; see the module docstring."""
    text = doc.cleaned.text
    lines = [(a, b, text[a:b]) for a, b in doc.cleaned.line_spans()]
    units = _units(doc, lines)
    units = _split_enumerations(text, units)
    pieces: list[_Unit] = []
    for u in units:
        pieces.extend(_split_long(text, u, max_chars=max_chars, min_chars=min_chars))
    pieces = _merge_tiny(text, pieces, min_chars=min_chars)

    chunks, counts = [], {}
    for u in pieces:
        counts[u.path] = counts.get(u.path, 0) + 1
    seen: dict = {}
    for n, u in enumerate(pieces):
        a, b = _strip_span(text, u.start, u.end)
        start, end = doc.cleaned.source_span(a, b)
        part = seen.get(u.path, 0)
        seen[u.path] = part + 1
        chunks.append(Chunk(
            chunk_id=f"{doc.doc_id}#{n}", doc_id=doc.doc_id, n=n, kind=u.kind,
            heading_path=u.path, text=text[a:b], start=start, end=end,
            part=part, parts=counts[u.path] if u.kind == "body" else 1,
        ))
    return chunks


def _signature_end(front: list[str]) -> int | None:
    """Index of the notice's closing date line ("2020年11月5日" under its issuer), if any.

    Only in the first lines, and only when a line with text follows: the date
    of a signature block closes the header, not the document.
    """
    for i, line in enumerate(front[:40]):
        if date_of(line) and i > 0 and i + 1 < len(front):
            nxt = front[i + 1].strip()
            # "(此件公开发布)" belongs to the header too
            return i + 1 if re.fullmatch(r"[（(]此件[^）)]{2,8}[）)]", nxt) else i
    return None


def _units(doc: Document, lines: list[tuple[int, int, str]]) -> list[_Unit]:
    """Header, preamble, sections and tables, in document order."""
    # sections start at the first 一、; a plan numbered only （一）/1. starts at its first heading
    levels_at = [heading_level(t) for _, _, t in lines]
    first_l1 = next((i for i, lv in enumerate(levels_at) if lv == 0),
                    next((i for i, lv in enumerate(levels_at) if lv is not None), len(lines)))
    front = [t for _, _, t in lines[:first_l1]]
    title_idx = title_line_index(front, doc.meta.title)
    if title_idx is None:
        # no title line of its own (web copies): the notice still ends at its signature date
        title_idx = _signature_end(front)
    units: list[_Unit] = []
    if title_idx is not None:
        units.append(_Unit((), lines[0][0], lines[title_idx][1], kind="header", item=False))
        own_title = title_line_index(front, doc.meta.title) is not None
        pre_from = title_idx + 1
        pre_path = (lines[title_idx][2].strip(),) if own_title else (doc.meta.title or "前言",)
    else:
        pre_from, pre_path = 0, (doc.meta.title or "前言",)
    if pre_from < first_l1:
        units.append(_Unit(pre_path, lines[pre_from][0], lines[first_l1 - 1][1], item=False))

    stack: list[str] = []
    levels: list[int] = []
    pending = None  # a heading-only line waiting to see whether it has children
    i = first_l1
    while i < len(lines):
        a, b, line = lines[i]
        if _is_table_row(line) or _table_title_ahead(lines, i):
            j, t0 = _table_block(lines, i)
            if pending is not None:
                units.append(pending)
                pending = None
            units.append(_Unit((lines[i][2].strip(),), a, lines[j - 1][1], kind="table", item=False))
            # text after the table sits under its title; the next heading of any
            # level pops the title (level 99) and continues the ladder from before
            stack, levels = stack + [lines[i][2].strip()], levels + [99]
            i = j
            continue
        level = heading_level(line)
        if level is not None:
            while levels and levels[-1] >= level:
                levels.pop()
                stack.pop()
            stack.append(heading_text(line))
            levels.append(level)
            path = tuple(stack)
            if pending is not None and path[: len(pending.path)] != pending.path:
                units.append(pending)  # a heading with no children keeps its own line
            pending = None
            if _is_standalone_heading(line):
                pending = _Unit(path, a, b, item=False)
            else:
                units.append(_Unit(path, a, b))
        else:
            path = tuple(stack) or pre_path
            pending = None
            if units and units[-1].path == path and units[-1].kind == "body":
                units[-1].end = b  # body text continuing the same section
            else:
                units.append(_Unit(path, a, b, item=False))
        i += 1
    if pending is not None:
        units.append(pending)
    return units


def _table_title_ahead(lines, i: int) -> bool:
    """True when line i is the title/preamble of a table that starts within 4 lines."""
    line = lines[i][2]
    if heading_level(line) is not None or re.search(r"[。；]", line) or len(line) > 40:
        return False
    return any(_is_table_row(t) for _, _, t in lines[i + 1 : i + 5])


def _table_block(lines, i: int) -> tuple[int, int]:
    """End index (exclusive) of the table starting at line i, and i."""
    j = i
    while j < len(lines) and not _is_table_row(lines[j][2]):
        j += 1
    while j < len(lines) and (_is_table_row(lines[j][2]) or re.match(r"^(注|注明|说明|备注)[:：]", lines[j][2])):
        j += 1
    return j, i


def _split_enumerations(text: str, units: list[_Unit]) -> list[_Unit]:
    """Split a section holding ≥ 2 一是/二是… items into one unit per item."""
    out: list[_Unit] = []
    for u in units:
        body = text[u.start : u.end]
        marks = [m.end() - len(m.group(0).lstrip()) for m in _ENUM.finditer(body)]
        if u.kind != "body" or len(marks) < 2 or _one_liners(body, marks):
            out.append(u)
            continue
        if marks[0] > 0 and body[: marks[0]].strip():
            out.append(_Unit(u.path, u.start, u.start + marks[0], item=False))
        for k, s in enumerate(marks):
            e = marks[k + 1] if k + 1 < len(marks) else len(body)
            out.append(_Unit(u.path + (heading_text(body[s:e]),), u.start + s, u.start + e))
    return out


def _one_liners(body: str, marks: list[int]) -> bool:
    """The items are a list of one-line points ("一是…。二是…。" each a bare sentence), not headings of sections.

    Split one per item, each would be a heading with nothing under it: a passage too short to say
    anything, its only sentence read as a heading, the last item carrying whatever text follows the
    list. Such a list stays in its section, as one passage (split by length like any other).
    """
    items = [body[s:e] for s, e in zip(marks, marks[1:])]  # the last one runs on to the section's end
    bare = sum(len(it.strip().rstrip("。；;")) <= len(heading_text(it)) + 1 for it in items)
    return 2 * bare >= len(items)


def _sentences(text: str, a: int, b: int) -> list[tuple[int, int]]:
    spans = []
    for m in _SENTENCE_END.finditer(text, a, b):
        if m.end() > m.start():
            spans.append((m.start(), min(m.end(), b)))
        if m.end() >= b:
            break
    return spans


def _split_long(text: str, u: _Unit, *, max_chars: int, min_chars: int) -> list[_Unit]:
    """Split a unit longer than max_chars into balanced sentence-aligned parts."""
    length = u.end - u.start
    if u.kind != "body" or length <= max_chars:
        return [u]
    sents = []
    for s, e in _sentences(text, u.start, u.end):
        while e - s > max_chars:  # one overlong sentence: cut at a comma, else hard
            cut = text.rfind("，", s, s + max_chars)
            cut = cut + 1 if cut > s + min_chars else s + max_chars
            sents.append((s, cut))
            s = cut
        sents.append((s, e))
    target = length / math.ceil(length / max_chars)
    parts, cur = [], None
    for s, e in sents:
        if cur is None:
            cur = [s, e]
        elif (e - cur[0] > max_chars) or (cur[1] - cur[0] + (e - s) / 2 > target):
            parts.append(cur)
            cur = [s, e]
        else:
            cur[1] = e
    parts.append(cur)
    # A piece shorter than min_chars (a lone heading sentence, a tail) joins
    # its neighbour, so a part may exceed max_chars by less than min_chars.
    merged: list[list[int]] = []
    for p in parts:
        if merged and (p[1] - p[0] < min_chars or merged[-1][1] - merged[-1][0] < min_chars):
            merged[-1][1] = p[1]
        else:
            merged.append(p)
    return [_Unit(u.path, s, e, u.kind, u.item) for s, e in merged]


def _merge_tiny(text: str, units: list[_Unit], *, min_chars: int) -> list[_Unit]:
    """Merge a non-item fragment shorter than min_chars into its neighbour.

    Leading text of a section (before its first 一是) goes forward into the
    next piece when that piece is in the same top-level section; otherwise,
    and for trailing fragments, it goes back into the previous piece.
    """
    out: list[_Unit] = []
    carry: _Unit | None = None
    for u in units:
        if carry is not None:
            if u.kind == "body" and u.path[:1] == carry.path[:1]:
                u = _Unit(u.path, carry.start, u.end, u.kind, u.item)
            else:
                out.append(carry)
            carry = None
        short = len(text[u.start : u.end].strip()) < min_chars
        if u.kind == "body" and not u.item and short:
            nxt_ok = True
            if out and out[-1].kind == "body" and out[-1].path == u.path:
                out[-1].end = u.end
                continue
            if nxt_ok:
                carry = u
                continue
        out.append(u)
    if carry is not None:
        if out and out[-1].kind == "body" and out[-1].path[:1] == carry.path[:1]:
            out[-1].end = carry.end
        else:
            out.append(carry)
    return out


def _strip_span(text: str, a: int, b: int) -> tuple[int, int]:
    while a < b and text[a].isspace():
        a += 1
    while b > a and text[b - 1].isspace():
        b -= 1
    return a, b


def chunk_corpus(docs: list[Document], **kw) -> list[Chunk]:
    return [c for d in docs for c in chunk_document(d, **kw)]
