"""Section chunking, part 2: splitting long sections, merging fragments,
edge-case documents, and `python -m qa chunks` (part 1: tests/test_chunking.py)."""
from __future__ import annotations

import pytest

from qa.corpus.chunking import MAX_CHARS, MIN_CHARS, chunk_corpus, chunk_document
from qa.corpus.cleaning import clean
from qa.corpus.documents import Document, load_corpus
from qa.records import DocMeta

DOC_IDS = ["gulou-2021", "weidong-2021", "lucheng-2021", "zhoucun-2021", "jiading-2024"]


def make_doc(text: str, *, title: str = "", doc_id: str = "t") -> Document:
    return Document(DocMeta(doc_id=doc_id, file=f"{doc_id}.txt", title=title), text, clean(text))


def paths(chunks) -> list[tuple[str, ...]]:
    return [c.heading_path for c in chunks]


@pytest.fixture(scope="module")
def docs():
    return {d.doc_id: d for d in load_corpus()}


@pytest.fixture(scope="module")
def chunks(docs):
    return {doc_id: chunk_document(d) for doc_id, d in docs.items()}


# --- splitting and merging, synthetic ------------------------------------------------------------

SENT = "加强基层医疗卫生机构管理，提升服务能力和群众满意度。"  # 26 characters


def _section(body: str) -> Document:
    return make_doc("一、总体要求\n" + body + "\n")


def _check_split(doc, cs, *, limit=MAX_CHARS + MIN_CHARS):
    for c in cs:
        assert MIN_CHARS <= len(c.text) <= limit, (len(c.text), c.text[:20])
        assert doc.cleaned.project(c.start, c.end) == c.text
    for a, b in zip(cs, cs[1:]):
        assert b.start >= a.end
    body = doc.cleaned.text.split("\n", 1)[1]
    assert "".join(c.text for c in cs) == body


def test_long_section_split_into_sentence_parts():
    doc = _section("1. 加强管理。" + SENT * 40)  # ~1050 characters
    cs = chunk_document(doc)
    assert len(cs) == 3
    assert all(c.heading_path == ("一、总体要求", "1. 加强管理") for c in cs)
    assert [(c.part, c.parts) for c in cs] == [(0, 3), (1, 3), (2, 3)]
    assert all(len(c.text) <= MAX_CHARS and c.text.endswith("。") for c in cs)
    _check_split(doc, cs)


def test_lone_heading_sentence_is_not_a_chunk_of_its_own():
    # an 8-character heading sentence, then one 393-character sentence
    doc = _section("1. 加强管理。" + "加强基层医疗卫生机构管理" * 15 + "提升服务能力和群众满意度" * 17 + "做好各项工作任务。")
    cs = chunk_document(doc)
    assert cs[0].text.startswith("1. 加强管理。加强基层")
    _check_split(doc, cs)


def test_tiny_tail_merged_into_the_only_other_part():
    # 390 + 14 characters: the 14-character tail joins the first part
    doc = _section("做好" * 194 + "。" + "严格落实各项工作要求。" + "好。")
    cs = chunk_document(doc)
    assert len(cs) == 1 and cs[0].parts == 1
    assert MAX_CHARS < len(cs[0].text) < MAX_CHARS + MIN_CHARS
    _check_split(doc, cs)


def test_tiny_tail_after_two_full_parts_is_not_duplicated():
    # 390 + 395 + 10 characters: the tail belongs to the second part only
    doc = _section("做好" * 194 + "。" + "加强" * 197 + "。" + "落实好各项工作。")
    cs = chunk_document(doc)
    assert len(cs) == 2
    _check_split(doc, cs)


def test_sentence_longer_than_max_is_cut_at_commas_then_hard():
    doc = _section("，".join(["加强基层医疗卫生机构管理"] * 80) + "。")
    cs = chunk_document(doc)
    assert len(cs) >= 3 and all(c.text.endswith(("，", "。")) for c in cs)
    _check_split(doc, cs)
    doc = _section("安" * 1000)  # no punctuation at all
    cs = chunk_document(doc)
    assert [len(c.text) for c in cs] == [MAX_CHARS, MAX_CHARS, 200]
    _check_split(doc, cs)


def test_100k_character_document():
    body = "".join(f"{i}. 第{i}项工作。" + SENT * 10 + "\n" for i in range(1, 99))
    text = ("一、总体要求\n" + body) * 4
    text = text[:100_000]
    doc = make_doc(text)
    cs = chunk_document(doc)
    assert len(cs) > 300
    for c in cs:
        assert c.text and len(c.text) <= MAX_CHARS + MIN_CHARS
        assert doc.cleaned.project(c.start, c.end) == c.text


@pytest.mark.parametrize("text", ["", "   ", "\n\n\u3000\n"])
def test_empty_documents_have_no_chunks(text):
    assert chunk_document(make_doc(text, title="标题")) == []


def test_one_character_document():
    cs = chunk_document(make_doc("安"))
    assert [(c.text, c.heading_path, c.start, c.end) for c in cs] == [("安", ("前言",), 0, 1)]


def test_short_preamble_fragment_is_merged_not_dropped():
    text = "一、总体要求\n要求如下：\n1. 完善机制。建立健全工作机制，确保各项任务落到实处，全面提升服务水平。\n"
    cs = chunk_document(make_doc(text))
    assert len(cs) == 1 and cs[0].text.startswith("要求如下：\n1. 完善机制。")


def test_plan_numbered_without_top_level_headings():
    """A plan that starts at （一） or 1. still gets one section per item."""
    text = ("2021年工作计划\n"
            "1. 推进体系建设。加快建设覆盖城乡的服务体系，提升基层医疗卫生机构服务能力和水平。\n"
            "2. 加强保障。加大财政投入力度，保障工作经费，为各项工作顺利开展提供坚实的物质基础。\n")
    cs = chunk_document(make_doc(text, title="2021年工作计划"))
    assert [(c.kind, c.heading_path) for c in cs] == [
        ("header", ()), ("body", ("1. 推进体系建设",)), ("body", ("2. 加强保障",))]


def test_table_in_the_middle_does_not_swallow_later_sections():
    text = ("一、总体要求\n"
            "1. 完善机制。建立健全工作机制，确保各项任务落到实处，全面提升服务水平和群众满意度。\n"
            "重点任务清单\n序号\t任务\t责任单位\n1\t体系建设\t区卫健局\n"
            "2. 强化督查。将工作纳入年度考核，对工作不力的单位进行通报批评并限期整改到位。\n"
            "二、保障措施\n"
            "1. 加强保障。加大财政投入力度，保障工作经费，为各项工作顺利开展提供坚实的物质基础。\n")
    cs = chunk_document(make_doc(text))
    assert [(c.kind, c.heading_path) for c in cs] == [
        ("body", ("一、总体要求", "1. 完善机制")),
        ("table", ("重点任务清单",)),
        ("body", ("一、总体要求", "2. 强化督查")),
        ("body", ("二、保障措施", "1. 加强保障")),
    ]
    assert cs[1].text == "重点任务清单\n序号\t任务\t责任单位\n1\t体系建设\t区卫健局"


def test_english_text_with_numbered_headings():
    text = ("一、General requirements\n"
            "1. Improve services. The district will open two community health centres and train thirty GPs.\n"
            "2. Strengthen prevention. Vaccination coverage for school-age children stays above ninety percent.\n")
    cs = chunk_document(make_doc(text))
    assert [c.heading_path[0] for c in cs] == ["一、General requirements"] * 2
    # only Chinese sentence marks end a heading, so an English one is cut at 45 characters
    assert cs[0].heading_path[1].startswith("1. Improve services.")
    assert cs[1].heading_path[1].startswith("2. Strengthen prevention.")
    assert cs[1].text.startswith("2. Strengthen prevention.")


# --- python -m qa chunks ------------------------------------------------------------------------

def test_cli_chunks_stats(docs, capsys):
    from qa.cli.main import main

    assert main(["chunks", "--stats"]) == 0
    rows = [r for r in capsys.readouterr().out.splitlines() if r.startswith("| ") and not r.startswith("| document")]
    assert [r.split(" | ")[0][2:] for r in rows] == DOC_IDS + ["ALL"]
    total = len(chunk_corpus(list(docs.values())))
    assert rows[-1].startswith(f"| ALL | {total} | 4 | 1 |")  # 4 header chunks, 1 table


def test_cli_chunks_json_for_one_document(chunks, capsys):
    import json

    from qa.cli.main import main

    assert main(["chunks", "--doc", "zhoucun-2021", "--json"]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [(r["chunk_id"], r["kind"], r["section"], r["start"], r["end"], r["text"]) for r in rows] == [
        (c.chunk_id, c.kind, c.section, c.start, c.end, c.text) for c in chunks["zhoucun-2021"]]
    assert main(["chunks", "--doc", "no-such-doc"]) == 2
    assert "no-such-doc" in capsys.readouterr().err
