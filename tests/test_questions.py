"""Validate the project's retrieval question set, eval/questions.jsonl.

Every line is checked against the catalogue (corpus/catalog.json) and the raw
corpus text: schema and allowed values, evidence present and unique in its
document, type-specific rules, and the minimum counts per type and document.
Standard library + pytest only.
"""
from __future__ import annotations

import collections
import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus"
QUESTIONS = ROOT / "eval" / "questions.jsonl"

TYPES = {"lexical", "paraphrase", "english", "district", "number", "multi", "unanswerable"}
LANGS = {"zh", "en"}
KEYS = {"id", "question", "lang", "type", "gold", "answer"}
MIN_PER_TYPE = {
    "paraphrase": 32,
    "english": 28,
    "district": 18,
    "number": 15,
    "lexical": 22,
    "multi": 10,
    "unanswerable": 10,
}
MIN_TOTAL = 130
MIN_PER_DOC = 15
EVIDENCE_LEN = (6, 40)  # characters; the brief asks for about 8-30


def _norm(s: str) -> str:
    """Drop all whitespace and Markdown bold markers."""
    return re.sub(r"\s+", "", s).replace("**", "")


def _load_catalog() -> dict[str, str]:
    cat = json.loads((CORPUS / "catalog.json").read_text(encoding="utf-8"))
    return {
        d["doc_id"]: (CORPUS / d["file"]).read_text(encoding="utf-8")
        for d in cat["documents"]
    }


def _load_questions() -> list[dict]:
    rows = []
    with QUESTIONS.open(encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if not line.strip():
                continue
            rows.append(json.loads(line))
    return rows


DOCS = _load_catalog()
ROWS = _load_questions()


def test_file_not_empty():
    assert ROWS, "eval/questions.jsonl has no questions"


def test_no_blank_lines():
    lines = QUESTIONS.read_text(encoding="utf-8").splitlines()
    assert all(line.strip() for line in lines), "blank line in questions.jsonl"


def test_ids_unique_and_well_formed():
    ids = [r.get("id") for r in ROWS]
    dups = [k for k, v in collections.Counter(ids).items() if v > 1]
    assert not dups, f"duplicate ids: {dups}"
    for i in ids:
        assert isinstance(i, str) and re.fullmatch(r"q\d{3,}", i), f"bad id {i!r}"


def test_questions_unique():
    qs = [r["question"].strip() for r in ROWS]
    dups = [k for k, v in collections.Counter(qs).items() if v > 1]
    assert not dups, f"duplicate questions: {dups}"


@pytest.mark.parametrize("row", ROWS, ids=[r.get("id", "?") for r in ROWS])
def test_row(row):
    # schema
    assert set(row) == KEYS, f"keys {sorted(row)} != {sorted(KEYS)}"
    assert isinstance(row["question"], str) and row["question"].strip()
    assert row["lang"] in LANGS
    assert row["type"] in TYPES
    assert isinstance(row["gold"], list)
    assert isinstance(row["answer"], str)

    # language matches the text and the type
    has_cjk = bool(re.search(r"[\u4e00-\u9fff]", row["question"]))
    if row["lang"] == "zh":
        assert has_cjk, "lang zh but question has no Chinese"
    else:
        assert re.search(r"[A-Za-z]{3,}", row["question"]), "lang en but no English words"
    if row["type"] == "english":
        assert row["lang"] == "en"
    if row["type"] in {"lexical", "paraphrase"}:
        assert row["lang"] == "zh"

    # type-specific gold rules
    if row["type"] == "unanswerable":
        assert row["gold"] == [], "unanswerable question must have empty gold"
        assert row["answer"] == "", "unanswerable question must have empty answer"
        return
    assert row["answer"].strip(), "answerable question needs an answer"
    assert row["gold"], "answerable question needs gold"
    doc_ids = [g.get("doc_id") for g in row["gold"]]
    if row["type"] == "multi":
        assert len(set(doc_ids)) >= 2, "multi question needs >= 2 gold documents"
        assert len(set(doc_ids)) == len(doc_ids), "one gold entry per document"
    else:
        assert len(doc_ids) == 1, f"{row['type']} question must have exactly one gold document"

    # evidence: present and unique in its document
    for g in row["gold"]:
        assert set(g) == {"doc_id", "evidence"}, f"gold keys {sorted(g)}"
        assert g["doc_id"] in DOCS, f"unknown doc_id {g['doc_id']!r}"
        ev = g["evidence"]
        assert isinstance(ev, str)
        assert "\n" not in ev and "**" not in ev, "evidence must not span lines or contain **"
        lo, hi = EVIDENCE_LEN
        assert lo <= len(ev) <= hi, f"evidence length {len(ev)} outside {EVIDENCE_LEN}: {ev!r}"
        text = DOCS[g["doc_id"]]
        raw_n = text.count(ev)
        norm_ev, norm_text = _norm(ev), _norm(text)
        norm_n = norm_text.count(norm_ev)
        assert raw_n >= 1 or norm_n >= 1, f"evidence not found in {g['doc_id']}: {ev!r}"
        assert raw_n <= 1, f"evidence occurs {raw_n}x (raw) in {g['doc_id']}: {ev!r}"
        assert norm_n == 1, f"evidence occurs {norm_n}x (normalised) in {g['doc_id']}: {ev!r}"


def test_type_counts():
    counts = collections.Counter(r["type"] for r in ROWS)
    assert len(ROWS) >= MIN_TOTAL, f"total {len(ROWS)} < {MIN_TOTAL}"
    short = {t: (counts[t], m) for t, m in MIN_PER_TYPE.items() if counts[t] < m}
    assert not short, f"type counts below minimum (have, need): {short}"


def test_every_document_covered():
    per_doc = collections.Counter()
    for r in ROWS:
        for d in {g["doc_id"] for g in r["gold"]}:
            per_doc[d] += 1
    short = {d: per_doc[d] for d in DOCS if per_doc[d] < MIN_PER_DOC}
    assert not short, f"documents with fewer than {MIN_PER_DOC} gold questions: {short}"
