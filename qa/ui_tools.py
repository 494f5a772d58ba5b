"""What the page adds under an answer: copy as plain text, export as Markdown, open a citation in the reader.

The texts ride along in `data-` attributes of one <div class="qa-tools">; the
page's script (qa.ui_assets.HEAD) copies or downloads them.  Attribute values
are escaped and their newlines written as &#10;, so the message stays one
HTML line (see qa.render on why that matters to the chat's Markdown).
"""
from __future__ import annotations

import html

from .answer import Answer
from .render import answer_text


def _attr(text: str) -> str:
    return html.escape(text, quote=True).replace("\r", "").replace("\n", "&#10;")


def _place(h) -> str:
    return f"{h.city}{h.district}" if h.district else h.city


def answer_plain(answer: Answer) -> str:
    """The answer and its citations (place · title · section path, then the passage) as plain text."""
    return answer_text(answer, with_citations=True)


def answer_markdown(question: str, answer: Answer) -> str:
    """One question and its answer as Markdown, citations as a numbered list with quoted passages."""
    out = [f"### {question.strip()}", "", answer.lead.strip()]
    if answer.citations:
        out += ["", "**Sources**" if answer.lang == "en" else "**引用**", ""]
        for c in answer.citations:
            h = c.hit
            out.append(f"{c.n}. {_place(h)} · 《{h.title}》 · {h.section}")
            out += [f"   > {line}" for line in h.text.splitlines() if line.strip()]
    return "\n".join(out) + "\n"


def tools_html(question: str, answer: Answer) -> str:
    """The action row under an answer."""
    en = answer.lang == "en"
    ids = [c.hit.chunk_id for c in answer.citations]
    reads = "".join(f'<span data-qa-act="read" data-chunk="{_attr(cid)}" role="button" tabindex="0">'
                    f'{"Open" if en else "原文"} [{c.n}]</span>' for c, cid in zip(answer.citations, ids))
    copy, md = ("Copy text", "Export Markdown") if en else ("复制答案", "导出 Markdown")
    return (f'<div class="qa-tools" data-text="{_attr(answer_plain(answer))}" '
            f'data-md="{_attr(answer_markdown(question, answer))}" data-chunks="{_attr(" ".join(ids))}">'
            f'<span data-qa-act="copy" role="button" tabindex="0">{copy}</span>'
            f'<span data-qa-act="md" role="button" tabindex="0">{md}</span>{reads}</div>')


def message_with_tools(answer_html: str, question: str, answer: Answer) -> str:
    return f'<div class="qa-msg">{answer_html}{tools_html(question, answer)}</div>'
