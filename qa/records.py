"""The records passed between stages: Document → Chunk → Hit.

Every record is frozen and carries a stable string id, so stages can be
persisted, compared and joined without object identity.
"""
from __future__ import annotations

from dataclasses import dataclass, field

HEADING_SEP = " > "


@dataclass(frozen=True, slots=True)
class DocMeta:
    """One catalogue entry: what we know about a document as a whole."""

    doc_id: str
    file: str  # path relative to the corpus directory
    title: str = ""
    issuer: str = ""
    province: str = ""
    city: str = ""
    district: str = ""
    year: int | None = None
    doc_number: str = ""  # 文号, e.g. 周卫健字〔2021〕20号
    date: str = ""  # 印发日期, ISO yyyy-mm-dd
    signer: str = ""  # 签发人
    notes: str = ""
    # field → {"from": where the text states it, "confidence": high|medium|low};
    # "unresolved": notes on what could not be decided (an ambiguous place)
    sources: dict = field(default_factory=dict, compare=False, hash=False)

    @property
    def place(self) -> str:
        """'平顶山市卫东区' style label; empty parts are skipped."""
        return f"{self.city}{self.district}" if self.district else self.city


@dataclass(frozen=True, slots=True)
class Chunk:
    """A section (or a sentence-aligned part of one) of a document.

    `text` is the cleaned text; `start`/`end` are offsets into the document's
    *original* source text, so a citation can point at the exact characters.
    """

    chunk_id: str  # "<doc_id>#<n>"
    doc_id: str
    n: int
    kind: str  # "header" | "body" | "table"
    heading_path: tuple[str, ...]
    text: str
    start: int
    end: int
    part: int = 0  # index of this piece when a long section was split
    parts: int = 1

    @property
    def section(self) -> str:
        return HEADING_SEP.join(self.heading_path)


@dataclass(frozen=True, slots=True)
class Hit:
    """One ranked, citable passage returned by `Retriever.search`."""

    chunk_id: str
    doc_id: str
    text: str
    score: float
    section: str  # heading path joined with " > "
    district: str
    city: str
    province: str
    title: str
    year: int | None
    start: int
    end: int
    # Which retrievers contributed and their per-side ranks; for display and eval.
    signals: dict = field(default_factory=dict, compare=False, hash=False)
