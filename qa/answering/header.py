"""Header and catalogue questions, answered from the documents' metadata.

"周村区的文号是多少？", "《…》是哪天印发的？", "Who signed Zhoucun's plan?",
"鼓楼区有哪些文件？", "一共载入了几份文件？" — the catalogue (`DocMeta`) holds
these facts, so the answer states them and cites the document's header
passage (its first chunk when it has no header). A field the header does not
state is said to be missing, never guessed.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from ..metadata.header import DOC_NUMBER
from ..records import DocMeta, Hit
from ..search.query import header_fields

_LABEL_ZH = {"doc_number": "文号", "signer": "签发人", "date": "印发日期", "issuer": "发文机关", "title": "标题"}
_LABEL_EN = {"doc_number": "document number", "signer": "signer", "date": "date of issue", "issuer": "issuer",
             "title": "title"}
# the whole question once places, years and titles are removed: a request for the catalogue itself
_CATALOGUE_ZH = re.compile(
    r"^(?:请问|请列出|列出|目前|现在|系统里|库里|这里)?(?:一共|总共|共)?(?:有|载入了?|收录了?|加载了?|包含)?"
    r"(?:的|年的?|年度的?)?(?:哪些|哪几份|几份|多少份|多少个|多少篇|几个|什么)?(?:文件|文档|工作要点|工作计划|计划)"
    r"(?:有哪些|有几份|有多少份?|共几份)?(?:吗|呢)?$")
_CATALOGUE_EN = re.compile(
    r"^(?:which|what|how many|list(?: the)?|show(?: the)?)(?: documents?| plans?| files?| work plans?)"
    r"(?: are| is| were| does| do| did)?(?: there| loaded| available| indexed| in the (?:library|index|system))?"
    r"(?: (?:have|has|from|for|of|in))?(?: the)?(?: district| city)?$", re.I)
_YEAR = re.compile(r"((?:19|20)\d{2})\s*年?")
_TITLE = re.compile(r"《([^》]{2,80})》")
_PUNCT = re.compile(r"[\s?？!！。.,，、:：;；\"“”'‘’]+")


@dataclass(frozen=True, slots=True)
class HeaderQuestion:
    field: str  # a DocMeta field name, or "catalogue"
    doc_ids: tuple[str, ...]  # the documents it is about (all of them for the catalogue)
    fields: tuple[str, ...] = ()  # every header field asked, in the question's order (`field` among them)


def _docs_named(text: str, metas: dict[str, DocMeta], place_doc_ids) -> list[str]:
    titled = [d for d, m in metas.items() for t in _TITLE.findall(text) if m.title and (t in m.title or m.title in t)]
    titled += [d for d, m in metas.items() if m.title and len(m.title) >= 6 and m.title in text]
    docs = list(dict.fromkeys(titled)) or sorted(place_doc_ids)
    years = {int(y) for y in _YEAR.findall(text)}
    if years and len(docs) > 1:
        docs = [d for d in docs if metas[d].year in years] or docs
    return docs


def _residue(text: str, query) -> str:
    for p in sorted(query.places, key=lambda p: -p.start):
        text = text[: p.start] + " " + text[p.end :]
    text = _TITLE.sub(" ", text)
    text = _YEAR.sub(" ", text)
    return _PUNCT.sub(" ", text).strip()


def classify(query, metas: dict[str, DocMeta]) -> HeaderQuestion | None:
    """The header field (or the catalogue) a question asks for, and about which documents; None otherwise."""
    text = query.text
    rest = _residue(text, query)
    if _CATALOGUE_ZH.match(rest.replace(" ", "")) or _CATALOGUE_EN.match(re.sub(r"\s+", " ", rest)):
        docs = sorted(query.place_doc_ids) or list(metas)
        years = {int(y) for y in _YEAR.findall(text)}
        if years:
            docs = [d for d in docs if metas[d].year in years]
        return HeaderQuestion("catalogue", tuple(docs))
    # a loaded plan's own title may hold a word that points elsewhere ("滨海新区落实健康天津行动实施方案": 落实 asks
    # what it implements only outside the title), so the fields are read with the titles left out
    fields = header_fields(_without_titles(text, metas))
    field = query.header_field or (fields[0] if fields else "")  # (a bare test Query may not carry it)
    if field:
        docs = _docs_named(text, metas, query.place_doc_ids)
        return HeaderQuestion(field, tuple(docs), fields if field in fields else (field,)) if docs else None
    return None


def _without_titles(text: str, metas: dict[str, DocMeta]) -> str:
    text = _TITLE.sub(" ", text)
    for m in metas.values():
        if m.title and len(m.title) >= 6:
            text = text.replace(m.title, " ")
    return text


def header_chunk(chunks_of_doc) -> object | None:
    """The document's header passage, else its first chunk."""
    chunks = list(chunks_of_doc)
    return next((c for c in chunks if c.kind == "header"), chunks[0] if chunks else None)


def as_hit(chunk, meta: DocMeta) -> Hit:
    return Hit(chunk_id=chunk.chunk_id, doc_id=chunk.doc_id, text=chunk.text, score=1.0, section=chunk.section,
               district=meta.district, city=meta.city, province=meta.province, title=meta.title, year=meta.year,
               start=chunk.start, end=chunk.end, signals={"header": True})


def value_text(field: str, meta: DocMeta, en: bool) -> str:
    """The field as a reader writes it: dates as 2021年3月18日 (English adds 18 March 2021)."""
    value = getattr(meta, field, "") or ""
    if field == "date" and value:
        m = re.match(r"(\d{4})-(\d{2})-(\d{2})$", value)
        if m:
            y, mo, d = (int(x) for x in m.groups())
            zh = f"{y}年{mo}月{d}日"
            months = ("January February March April May June July August September October November "
                      "December").split()
            return f"{d} {months[mo - 1]} {y} ({zh})" if en else zh
    return str(value)


# "《关于印发XX方案的通知》(X爱卫发〔2020〕1号)": a document the text cites, with its 文号
_CITED_NUMBER = re.compile(r"《([^《》]{4,80})》\s*[（(]\s*(" + DOC_NUMBER.pattern + r")\s*[）)]")
_NOTICE_WORDS = re.compile(r"^关于印发|^关于|的通知$|的决定$|的意见$")
# how close a cited title must be to the question's words to be the document it asks about
CITED_MATCH = 0.75


def _cjk(text: str) -> str:
    return "".join(re.findall(r"[\u4e00-\u9fff\d]", text))


def title_match(title: str, question: str) -> float:
    """Share of a title's characters (without 关于印发…的通知) that the question's text contains, in
    order-free bigrams: 1.0 when the question names the title word for word."""
    core = _cjk(_NOTICE_WORDS.sub("", _NOTICE_WORDS.sub("", title)))
    q = _cjk(question)
    grams = {core[i:i + 2] for i in range(len(core) - 1)}
    return sum(g in q for g in grams) / len(grams) if grams else 0.0


def cited_number(question: str, meta: DocMeta, chunks) -> tuple[str, str, object] | None:
    """(cited title, its 文号, the chunk citing it) when the question's 文号 is of a document the text
    cites rather than of the document itself: the question names that title more closely than the
    document's own, and closely enough (CITED_MATCH)."""
    own = title_match(meta.title, question) if meta.title else 0.0
    best = None
    for c in chunks:
        for m in _CITED_NUMBER.finditer(c.text):
            score = title_match(m.group(1), question)
            if score >= CITED_MATCH and score > own and (best is None or score > best[0]):
                best = (score, m.group(1), re.sub(r"\s+", "", m.group(2)), c)
    return best[1:] if best else None


def doc_name(meta: DocMeta, en: bool) -> str:
    """《title》, or for a copy without one the place's document ("XX县的文件")."""
    if meta.title:
        return f"《{meta.title}》"
    place = meta.district or meta.city or meta.province
    if en:
        return f"The {place} document" if place else "The document"
    return f"{place}的文件" if place else "该文件"


def field_line(field: str, meta: DocMeta, en: bool) -> str:
    """One answer sentence stating the field of one document, or saying the header does not state it."""
    v = value_text(field, meta, en)
    # a value repaired from a damaged copy (东政办〔201912) is quoted as printed too, so the reader can check it
    source = (meta.sources or {}).get(field)
    printed = source.get("printed", "") if isinstance(source, dict) else ""
    # a copy stating no date of its own is dated by the web page that published it: said as such
    page = source.get("published", "") if isinstance(source, dict) and field == "date" else ""
    doc = doc_name(meta, en)
    if page and v:
        return (f"{doc} states no date of issue; the web page publishing it is dated {v}, printed as {page}." if en
                else f"{doc}未载明印发日期；网页发布日期是{v}（网页印作“{page}”）。")
    if en:
        name = _LABEL_EN[field]
        shown = f"{v} (printed as {printed})" if printed else v
        if not meta.title:
            return f"{doc}'s {name} is {shown}." if v else f"{doc} does not state its {name}."
        return f"The {name} of {doc} is {shown}." if v else f"{doc} does not state its {name}."
    name = _LABEL_ZH[field]
    shown = f"{v}（原文印作“{printed}”）" if printed else v
    return f"{doc}的{name}是{shown}。" if v else f"{doc}未载明{name}。"


def catalogue_line(meta: DocMeta, en: bool) -> str:
    """One document as a catalogue line: title, issuer, 文号, date — what the catalogue holds."""
    parts = [f"《{meta.title}》"]
    extra = [x for x in (meta.issuer, meta.doc_number, value_text("date", meta, en)) if x]
    if meta.year and not en:
        extra.append(f"{meta.year}年")
    elif meta.year:
        extra.append(str(meta.year))
    return parts[0] + (f" ({', '.join(extra)})" if en else f"（{'，'.join(extra)}）") if extra else parts[0]
