"""What the page adds under an answer: copy as plain text, export as Markdown, open a citation in the reader.

The chat sanitises message HTML and drops `data-` attributes, so everything
rides in what it keeps: the texts in hidden elements (<br> for newlines, so
the message stays one HTML line — see qa.answering.render on why that matters to the
chat's Markdown), the action and the chunk id in class names
(`qa-act-read qa-c-<hex of the id>`).  The page's script
(qa.web.ui_assets.HEAD) does the copying, downloading and opening.
"""
from __future__ import annotations

import html

from ..answering.answer import Answer
from ..answering.render import answer_text


def _hidden(cls: str, text: str) -> str:
    body = html.escape(text, quote=True).replace("\r", "").replace("\n", "<br>")
    return f'<div class="{cls}">{body}</div>'


def id_class(prefix: str, ident: str) -> str:
    """A class name carrying any id (hex of its UTF-8), e.g. qa-c-676c…; the page's script decodes it."""
    return f"{prefix}{ident.encode('utf-8').hex()}"


def action(act: str, label: str, extra: str = "") -> str:
    return f'<span class="qa-act qa-act-{act}{" " + extra if extra else ""}" role="button" tabindex="0">{label}</span>'


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
            out.append(f"{c.n}. " + " · ".join(x for x in (_place(h), f"《{h.title}》" if h.title else "", h.section) if x))
            out += [f"   > {line}" for line in h.text.splitlines() if line.strip()]
    return "\n".join(out) + "\n"


def tools_html(question: str, answer: Answer) -> str:
    """The action row under an answer."""
    en = answer.lang == "en"
    reads = "".join(action("read", f'{"Open" if en else "原文"} [{c.n}]', id_class("qa-c-", c.hit.chunk_id))
                    for c in answer.citations)
    copy, md = ("Copy text", "Export Markdown") if en else ("复制答案", "导出 Markdown")
    return (f'<div class="qa-tools">{action("copy", copy)}{action("md", md)}{reads}'
            f'{_hidden("qa-plain", answer_plain(answer))}{_hidden("qa-md", answer_markdown(question, answer))}</div>')


def message_with_tools(answer_html: str, question: str, answer: Answer) -> str:
    return f'<div class="qa-msg">{answer_html}{tools_html(question, answer)}</div>'
