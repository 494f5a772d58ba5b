"""Load and validate the question file (JSON Lines → `Question`)."""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

TYPES = ("lexical", "paraphrase", "english", "district", "number", "multi", "unanswerable")
LANGS = ("zh", "en")
# header fields a question may ask for (the DocMeta field names), see `field`
FIELDS = ("doc_number", "date", "signer", "issuer", "title", "catalogue")


class QuestionsError(ValueError):
    """The question file is malformed; the message names the file and line."""


@dataclass(frozen=True, slots=True)
class GoldItem:
    doc_id: str
    evidence: str  # short verbatim substring of the source document


@dataclass(frozen=True, slots=True)
class Question:
    id: str
    question: str
    lang: str
    type: str
    gold: tuple[GoldItem, ...]
    answer: str = ""
    districts: tuple[str, ...] = ()  # doc ids a which-districts answer must list (default: the gold doc ids)
    field: str = ""  # the header field asked for (one of FIELDS), "" for content questions

    @property
    def answerable(self) -> bool:
        return bool(self.gold)


def _nonempty_str(obj: dict, key: str, where: str) -> str:
    value = obj.get(key)
    if not isinstance(value, str) or not value.strip():
        raise QuestionsError(f"{where}: field {key!r} must be a non-empty string, got {value!r}")
    return value


def parse_question(obj: object, where: str) -> Question:
    """Validate one decoded line; ``where`` ("file:line") prefixes any error."""
    if not isinstance(obj, dict):
        raise QuestionsError(f"{where}: expected a JSON object, got {type(obj).__name__}")
    qid = _nonempty_str(obj, "id", where)
    text = _nonempty_str(obj, "question", where)
    lang = obj.get("lang")
    if lang not in LANGS:
        raise QuestionsError(f"{where}: 'lang' must be one of {LANGS}, got {lang!r}")
    qtype = obj.get("type")
    if qtype not in TYPES:
        raise QuestionsError(f"{where}: 'type' must be one of {TYPES}, got {qtype!r}")
    gold_raw = obj.get("gold")
    if not isinstance(gold_raw, list):
        raise QuestionsError(f"{where}: 'gold' must be a list (use [] for unanswerable)")
    gold = []
    for n, item in enumerate(gold_raw):
        if not isinstance(item, dict):
            raise QuestionsError(f"{where}: gold[{n}] must be an object with doc_id and evidence")
        gold.append(
            GoldItem(
                doc_id=_nonempty_str(item, "doc_id", f"{where}: gold[{n}]"),
                evidence=_nonempty_str(item, "evidence", f"{where}: gold[{n}]"),
            )
        )
    if qtype == "unanswerable" and gold:
        raise QuestionsError(f"{where}: type 'unanswerable' must have gold == []")
    if qtype != "unanswerable" and not gold:
        raise QuestionsError(f"{where}: gold is empty; give evidence or use type 'unanswerable'")
    answer = obj.get("answer", "")
    if answer is None:
        answer = ""
    if not isinstance(answer, str):
        raise QuestionsError(f"{where}: 'answer' must be a string, got {type(answer).__name__}")
    districts = obj.get("districts", [])
    if not isinstance(districts, list) or not all(isinstance(d, str) and d.strip() for d in districts):
        raise QuestionsError(f"{where}: 'districts' must be a list of doc ids, got {districts!r}")
    field = obj.get("field", "") or ""
    if field and field not in FIELDS:
        raise QuestionsError(f"{where}: 'field' must be one of {FIELDS}, got {field!r}")
    return Question(id=qid, question=text, lang=lang, type=qtype, gold=tuple(gold), answer=answer,
                    districts=tuple(districts), field=field)


def load_questions(path: str | Path) -> list[Question]:
    """Read a JSON Lines question file; blank lines are skipped.

    Raises `QuestionsError` naming the line for bad JSON, a missing or invalid
    field, or a repeated id; `FileNotFoundError` passes through.
    """
    path = Path(path)
    questions: list[Question] = []
    seen: dict[str, int] = {}
    with path.open(encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            where = f"{path}:{lineno}"
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                raise QuestionsError(
                    f"{where}: not valid JSON ({exc.msg} at column {exc.colno})"
                ) from None
            question = parse_question(obj, where)
            if question.id in seen:
                raise QuestionsError(
                    f"{where}: id {question.id!r} already used on line {seen[question.id]}"
                )
            seen[question.id] = lineno
            questions.append(question)
    if not questions:
        raise QuestionsError(f"{path}: no questions (the file is empty)")
    return questions
