"""`Answer` → safe HTML for the chat (and plain text for the API).

Every piece of user or document text goes through `html.escape` before it
meets markup; the only tags in the output are the ones written here. The
output is one line wrapped in a single <div>: a Markdown renderer (Gradio's
chatbot runs one) passes an HTML block through untouched until a blank line,
so document text such as `**责任领导**` or `[1](x)` is never re-interpreted,
and newlines inside text become <br>.

Gradio 6's chatbot sanitises HTML with DOMPurify, whose default allow-list
keeps <details>, <summary>, <mark>, <blockquote> and class attributes, so
"show whole section" works as plain <details> with no JavaScript.
"""
from __future__ import annotations

import html
import logging

from .answer import Answer, Citation, Sentence, segments, split_sentences
from .confidence import DIRECT, EN as CONFIDENCE_EN, NOT_FOUND, PARTIAL

_CONF_CLASS = {DIRECT: "qa-conf-direct", PARTIAL: "qa-conf-partial", NOT_FOUND: "qa-conf-none"}

log = logging.getLogger(__name__)

SHOW_SECTION = {False: "展开全文", True: "Show whole section"}  # in the answer's language, as the rest of it
# A cited passage longer than this is shown as the sentences around its highlights (the whole
# section is one click away), so an answer with three citations fits the chat on a laptop screen.
EXCERPT_CHARS = 160

# Styling for the classes used below; passed to Gradio as page CSS.
CSS = """
.qa-answer { line-height: 1.6; }
.qa-answer p { margin: 0.2em 0; }
.qa-searched { color: var(--body-text-color-subdued); font-size: 0.9em; margin-bottom: 0.3em; }
.qa-heading { font-weight: 600; }
.qa-abstain { font-weight: 600; color: #9a3412; }
.qa-ref { color: var(--link-text-color); font-size: 0.85em; margin-left: 0.15em; }
.qa-cites { margin-top: 0.6em; border-top: 1px solid var(--border-color-primary); padding-top: 0.3em; }
.qa-cites-title { font-size: 0.85em; color: var(--body-text-color-subdued); }
.qa-cite { margin: 0.45em 0; }
.qa-cite-head { font-size: 0.85em; color: #4b5563; }
.qa-cite-head b { color: var(--body-text-color); }
.qa-passage { margin: 0.15em 0 0.15em 0; padding-left: 0.7em; border-left: 3px solid var(--border-color-primary);
  font-size: 0.92em; }
.qa-section { font-size: 0.9em; padding: 0.3em 0.7em; background: var(--background-fill-secondary); }
.qa-answer summary { cursor: pointer; font-size: 0.85em; color: var(--link-text-color); }
.qa-answer mark { background: #fde68a; color: inherit; padding: 0; }
.qa-q { white-space: pre-wrap; }
.qa-conf { display: inline-block; font-size: 0.8em; padding: 0 0.5em; border-radius: 0.6em; margin-bottom: 0.2em; }
.qa-conf-direct { background: #dcfce7; color: #166534; }
.qa-conf-partial { background: #fef9c3; color: #854d0e; }
.qa-conf-none { background: #fee2e2; color: #991b1b; }
.qa-caption { color: #854d0e; font-size: 0.9em; }
.qa-note { color: var(--body-text-color-subdued); font-size: 0.9em; }
.qa-others { margin-top: 0.4em; }
.qa-cell i { font-style: normal; color: var(--body-text-color-subdued); font-size: 0.9em; }
"""


def esc(text: str) -> str:
    """Escaped text with newlines as <br> (see the module docstring for why no raw newlines)."""
    return html.escape(str(text), quote=True).replace("\r\n", "\n").replace("\r", "\n").replace("\n", "<br>")


def marked(segs) -> str:
    """(text, is_mark) runs → escaped HTML with <mark> around the marked runs."""
    return "".join(f"<mark>{esc(t)}</mark>" if m else esc(t) for t, m in segs)


def excerpt(text: str, segs, focus: tuple[int, int] | None = None) -> tuple[tuple[tuple[str, bool], ...], bool, bool]:
    """The runs of `segs` (which cover `text`) cut to the sentences around the most highlighted one — or, given
    `focus` (the span an answer line quotes), around that one: a reader checks the quoted line against its source.

    Returns (runs, cut_before, cut_after).
    """
    if len(text) <= EXCERPT_CHARS:
        return tuple(segs), False, False
    marked_at = [False] * len(text)
    pos = 0
    for t, m in segs:
        if m:
            marked_at[pos : pos + len(t)] = [True] * len(t)
        pos += len(t)
    spans = split_sentences(text) or [(0, len(text))]
    weight = [sum(marked_at[a:b]) for a, b in spans]
    i = max(range(len(spans)), key=lambda j: (weight[j], -j))
    lo = hi = i
    if focus is not None:
        inside = [j for j, (a, b) in enumerate(spans) if a < focus[1] and b > focus[0]] or [i]
        lo, hi = inside[0], inside[-1]
    while True:  # add the neighbour with more highlights (the next one on a tie) while it fits
        options = [j for j in (hi + 1, lo - 1) if 0 <= j < len(spans)]
        options = [j for j in options if spans[max(hi, j)][1] - spans[min(lo, j)][0] <= EXCERPT_CHARS]
        if not options:
            break
        j = max(options, key=lambda j: (weight[j], j > hi))
        lo, hi = min(lo, j), max(hi, j)
    a, b = spans[lo][0], spans[hi][1]
    if b - a < EXCERPT_CHARS // 2 and b < len(text):  # a lone short title says little: show what follows too
        b = min(len(text), a + EXCERPT_CHARS)
    out, pos = [], 0
    for t, m in segs:  # clip the runs to [a, b)
        s0, s1 = max(pos, a), min(pos + len(t), b)
        if s0 < s1:
            out.append((t[s0 - pos : s1 - pos], m))
        pos += len(t)
    return tuple(out), a > 0, b < len(text)


def user_html(question: str) -> str:
    """A user's message, shown exactly as typed (never interpreted as HTML or Markdown)."""
    return f'<div class="qa-q">{esc(question)}</div>'


def message_html(text: str) -> str:
    """A short system reply (empty question, still loading, error) as safe HTML."""
    return f'<div class="qa-answer"><p>{esc(text)}</p></div>'


def _line(s: Sentence, en: bool) -> str:
    label = f"<b>{esc(s.label)}</b>{': ' if en else '：'}" if s.label else ""
    if s.cells:  # a table row: each cell under its column's name
        body = "；".join(f'<span class="qa-cell">{f"<i>{esc(n)}</i> " if n else ""}{esc(v)}</span>' for n, v in s.cells)
    else:
        body = marked(s.segments or ((s.text, False),))
    if en:
        body = f"“{body}”"
    return f'<p>{label}{body}<span class="qa-ref">[{s.n}]</span></p>'


def _citation(c: Citation, terms, en: bool) -> str:
    h = c.hit
    place = f"{h.city}{h.district}" if h.district else h.city
    head = " · ".join(x for x in (f"<b>[{c.n}]</b> {esc(place)}", f"《{esc(h.title)}》" if h.title else "", esc(h.section)) if x)
    runs, before, after = excerpt(h.text, c.segments, c.focus)
    passage = ("…" if before else "") + marked(runs) + ("…" if after else "")
    out = [f'<div class="qa-cite"><div class="qa-cite-head">{head}</div>', f'<div class="qa-passage">{passage}</div>']
    if c.section_text and (before or after or c.section_text.strip() != h.text.strip()):  # only when it adds text
        body = marked(segments(c.section_text, terms))
        out.append(f'<details><summary>{esc(SHOW_SECTION[en])}</summary><div class="qa-section">{body}</div></details>')
    out.append("</div>")
    return "".join(out)


def answer_html(answer: Answer, *, question: str | None = None, note: str = "") -> str:
    """The chat message for an answer: searched query (when rewritten), answer lines, citations."""
    en = answer.lang == "en"
    parts = ['<div class="qa-answer">']
    if question is not None and answer.searched.strip() != question.strip():
        label = "Searched: " if en else "检索："
        extra = f"（{esc(note)}）" if note and not en else (f" ({esc(note)})" if note else "")
        parts.append(f'<div class="qa-searched">{label}{esc(answer.searched)}{extra}</div>')
    if answer.confidence:  # how well the documents support it, before anything else
        shown = CONFIDENCE_EN.get(answer.confidence, answer.confidence) if en else answer.confidence
        parts.append(f'<span class="qa-conf {_CONF_CLASS.get(answer.confidence, "")}">{esc(shown)}</span>')
    if answer.caption:
        parts.append(f'<p class="qa-caption">{esc(answer.caption)}</p>')
    if answer.heading:
        cls = "qa-abstain" if answer.abstained else "qa-heading"
        parts.append(f'<p class="{cls}">{esc(answer.heading)}</p>')
    parts.extend(_line(s, en) for s in answer.sentences)
    if answer.note:
        parts.append(f'<p class="qa-note">{esc(answer.note)}</p>')
    used = [c for c in answer.citations if c.used and not answer.abstained]
    others = [c for c in answer.citations if c not in used]
    if used:
        parts.append(f'<div class="qa-cites"><div class="qa-cites-title">{"Sources" if en else "引用段落"}</div>')
        parts.extend(_citation(c, answer.terms, en) for c in used)
        parts.append("</div>")
    if others:  # passages the answer does not use: shown apart, below its sources
        title = ("Closest passages" if answer.abstained else "Other related passages") if en else (
            "最接近的段落" if answer.abstained else "其他相关段落")
        parts.append(f'<div class="qa-cites qa-others"><div class="qa-cites-title">{title}</div>')
        parts.extend(_citation(c, answer.terms, en) for c in others)
        parts.append("</div>")
    parts.append("</div>")
    return "".join(parts)


def answer_text(answer: Answer, *, with_citations: bool = True) -> str:
    """Plain text: the answer lines, then the numbered passages."""
    out = [answer.lead]
    if with_citations and answer.citations:
        out.append("")
        for c in sorted(answer.citations, key=lambda c: (not c.used, c.n)):
            h = c.hit
            place = f"{h.city}{h.district}" if h.district else h.city
            out.append(" · ".join(x for x in (f"[{c.n}] {place}", f"《{h.title}》" if h.title else "", h.section) if x)
                       + f"\n{h.text}")
    return "\n".join(out)
