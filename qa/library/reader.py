"""The whole document beside the answer: source text → reader HTML with an outline.

`reader_html(meta, source, chunks, target=chunk_id)` renders the file exactly
as stored in corpus/ (citations' offsets point into it), section by section
along the chunks' heading paths, with an outline of the headings, the cited
chunk highlighted (class `qa-target`) and tab-separated form rows as a table.
Every piece of document text is escaped; the only markup is written here.
"""
from __future__ import annotations

import html

from ..records import Chunk, DocMeta

READER_CSS = """
#qa-reader .qa-r-head { font-size: 0.9em; color: var(--body-text-color-subdued); margin-bottom: 0.4em; }
#qa-reader .qa-r-outline { font-size: 0.85em; border-bottom: 1px solid var(--border-color-primary);
  padding-bottom: 0.4em; margin-bottom: 0.6em; max-height: 12em; overflow-y: auto; }
#qa-reader .qa-r-outline div { cursor: pointer; color: var(--link-text-color); padding: 0.05em 0; }
#qa-reader .qa-r-text { line-height: 1.7; font-size: 0.95em; }
#qa-reader .qa-r-chunk { white-space: pre-wrap; }
#qa-reader .qa-r-gap { white-space: pre-wrap; font-weight: 600; }
#qa-reader .qa-target { background: #fde68a; outline: 2px solid #f59e0b; border-radius: 2px; }
#qa-reader table.qa-r-table { border-collapse: collapse; margin: 0.4em 0; font-size: 0.9em; white-space: normal; }
#qa-reader table.qa-r-table td, #qa-reader table.qa-r-table th { border: 1px solid var(--border-color-primary);
  padding: 0.2em 0.4em; }
"""


def _esc(text: str) -> str:
    return html.escape(text, quote=True)


def _table(text: str) -> str:
    """Tab-separated rows → <table>; other lines stay text (the title, a 注明 note)."""
    out, rows = [], []

    def flush():
        if rows:
            head, *body = rows
            cells = "".join(f"<th>{_esc(c)}</th>" for c in head)
            trs = "".join("<tr>" + "".join(f"<td>{_esc(c)}</td>" for c in r) + "</tr>" for r in body)
            out.append(f'<table class="qa-r-table"><tr>{cells}</tr>{trs}</table>')
            rows.clear()

    for line in text.split("\n"):
        if "\t" in line:
            rows.append(line.split("\t"))
        elif line.strip():
            flush()
            out.append(f"{_esc(line)}\n")
    flush()
    return "".join(out)


def outline(chunks: list[Chunk]) -> list[tuple[int, str, str]]:
    """(depth, heading, anchor chunk id) for each heading the first time it opens a chunk."""
    seen: set[tuple[str, ...]] = set()
    out = []
    for c in chunks:
        for depth in range(1, len(c.heading_path) + 1):
            path = c.heading_path[:depth]
            if path not in seen:
                seen.add(path)
                out.append((depth, path[-1], c.chunk_id))
    return out


def anchor(chunk_id: str) -> str:
    """The element id of a chunk in the reader (ids may contain '#', which CSS selectors dislike)."""
    return "qa-r-" + "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in chunk_id)


def reader_html(meta: DocMeta, source: str, chunks: list[Chunk], *, target: str | None = None) -> str:
    """The whole document as HTML; `target` (a chunk id) is highlighted and carries the `qa-target` class."""
    chunks = sorted((c for c in chunks if c.doc_id == meta.doc_id), key=lambda c: (c.start, c.n))
    facts = " · ".join(_esc(x) for x in (meta.place, meta.doc_number, meta.date or (str(meta.year or ""))) if x)
    parts = [f'<div class="qa-r-doc" data-doc="{_esc(meta.doc_id)}">',
             f'<div class="qa-r-head"><b>《{_esc(meta.title or meta.doc_id)}》</b> {facts}</div>']
    items = outline(chunks)
    if items:
        parts.append('<div class="qa-r-outline">')
        for depth, heading, cid in items:
            parts.append(f'<div class="qa-act qa-act-goto qa-a-{anchor(cid)}" role="button" tabindex="0" '
                         f'style="padding-left:{(depth - 1) * 1.1:.1f}em">{_esc(heading)}</div>')
        parts.append("</div>")
    parts.append('<div class="qa-r-text">')
    pos = 0
    for c in chunks:
        a, b = max(c.start, pos), max(c.end, pos)
        if a > pos and source[pos:a].strip():  # headings and blank lines between chunks
            parts.append(f'<div class="qa-r-gap">{_esc(source[pos:a].strip())}</div>')
        body = source[a:b]
        inner = _table(body) if c.kind == "table" else _esc(body)
        cls = "qa-r-chunk qa-target" if c.chunk_id == target else "qa-r-chunk"
        parts.append(f'<div class="{cls}" id="{anchor(c.chunk_id)}">{inner}</div>')
        pos = max(pos, b)
    if source[pos:].strip():
        parts.append(f'<div class="qa-r-gap">{_esc(source[pos:].strip())}</div>')
    parts.append("</div></div>")
    return "".join(parts)
