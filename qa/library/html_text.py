"""A saved web page (.html/.htm) → plain text, with the stdlib's html.parser.

Block elements end a line, table cells are separated by tabs (so a form
table stays a table for chunking and the reader), and what a reader never
sees (scripts, styles, templates, comments) is dropped.  Nothing is fetched:
links, images and stylesheets are ignored.
"""
from __future__ import annotations

import re
from html.parser import HTMLParser

_SKIP = {"script", "style", "noscript", "template", "head", "svg", "iframe", "object", "canvas", "select", "button"}
_BLOCK = {"p", "div", "section", "article", "main", "header", "footer", "aside", "nav", "h1", "h2", "h3", "h4",
          "h5", "h6", "li", "ul", "ol", "dl", "dt", "dd", "table", "tbody", "thead", "tfoot", "tr", "blockquote",
          "pre", "hr", "form", "fieldset", "figure", "figcaption", "address", "center"}
_VOID = {"br", "hr", "img", "input", "meta", "link", "area", "base", "col", "embed", "source", "track", "wbr"}
_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-]+)""", re.I)


class _Text(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.skip = 0  # depth inside elements whose text is not shown
        self.cells = 0  # cells written in the current table row

    def handle_starttag(self, tag, attrs):
        if tag in _SKIP:
            if tag not in _VOID:
                self.skip += 1
            return
        if tag == "br":
            self.out.append("\n")
        elif tag in ("td", "th"):
            if self.cells:
                self.out.append("\t")
            self.cells += 1
        elif tag == "tr":  # rows on consecutive lines, as a .docx table is extracted
            self.cells = 0
        elif tag in _BLOCK:
            self.out.append("\n")

    def handle_endtag(self, tag):
        if tag in _SKIP:
            self.skip = max(0, self.skip - 1)
        elif tag in _BLOCK:
            self.out.append("\n" if tag == "tr" else "\n\n")

    def handle_data(self, data):
        if self.skip:
            return
        # whitespace inside a line collapses as a browser shows it; a cell keeps its tab separator
        self.out.append(re.sub(r"[ \t\r\n\f\v]+", " ", data))


def decode_html(raw: bytes) -> str:
    """The page's characters: BOM, then <meta charset>, then UTF-8, then GB18030 (what Chinese sites use)."""
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw[3:].decode("utf-8", errors="strict")
    if raw[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return raw.decode("utf-16")
    tried = []
    m = _CHARSET.search(raw[:4096])
    if m:
        tried.append(m.group(1).decode("ascii", "replace").lower())
    for enc in [*tried, "utf-8", "gb18030"]:
        try:
            return raw.decode("gb18030" if enc in ("gb2312", "gbk") else enc)
        except (UnicodeDecodeError, LookupError):
            continue
    raise UnicodeDecodeError("html", raw[:1], 0, 1, "not UTF-8, GB18030 or the declared charset")


def html_to_text(markup: str) -> str:
    """Visible text of an HTML document, one block per line, cells tab-separated."""
    p = _Text()
    p.feed(markup)
    p.close()
    lines = [re.sub(r" *\t *", "\t", ln).strip() for ln in "".join(p.out).split("\n")]
    text = "\n".join(lines)
    return re.sub(r"\n{3,}", "\n\n", text).strip()
