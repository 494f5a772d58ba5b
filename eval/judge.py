"""Is a retrieved passage a correct answer to a question?

A passage (a `qa.records.Hit` or `Chunk`: anything with ``doc_id`` and
``text``) is correct for a gold item iff it comes from the gold document and
the gold evidence, normalised, is a substring of the passage text, normalised.
`normalise` applies NFKC and removes all whitespace, Markdown ``**`` and pinyin glosses
("岳陽(yáng)縣"), so a page break inside a word ("安\\n\\n全感"), full-/half-width punctuation,
bold markers and glosses stripped or kept by the cleaner and chunker do not decide relevance.
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from qa.indexing.script import _TONED, PINYIN_GLOSS

_STRIP = re.compile(r"\s+|\*\*")


class Passage(Protocol):
    doc_id: str
    text: str


class Gold(Protocol):
    doc_id: str
    evidence: str


def normalise(text: str) -> str:
    """Pinyin glosses dropped, NFKC, then whitespace and ``**`` dropped (NFKC first: it turns U+3000 and
    full-width ＊ into their ASCII forms). A gloss is dropped even alone: an evidence string quotes a few."""
    text = PINYIN_GLOSS.sub(lambda m: "" if _TONED & set(m.group(1)) else m.group(0), text)
    return _STRIP.sub("", unicodedata.normalize("NFKC", text))


def is_correct(passage: Passage, gold: Gold) -> bool:
    """True iff ``passage`` is from ``gold.doc_id`` and contains its evidence."""
    return passage.doc_id == gold.doc_id and normalise(gold.evidence) in normalise(passage.text)


@dataclass(frozen=True, slots=True)
class Judgement:
    """How a ranked list of passages fares against one question's gold items.

    ``covers[i]`` are the indices of the gold items passage i satisfies.
    ``flags[i]`` is True iff passage i satisfies a gold item that no
    higher-ranked passage satisfied, so each gold item is credited once and
    ``sum(flags) <= len(gold)`` (the relevant-item count nDCG needs).
    ``found_doc_ids[i]`` is the passage's doc id if it satisfies any gold item,
    else None: recall over gold documents is `recall_at_k(found_doc_ids, gold_doc_ids, k)`.
    """

    covers: tuple[tuple[int, ...], ...]
    flags: tuple[bool, ...]
    found_doc_ids: tuple[str | None, ...]
    n_gold: int
    gold_doc_ids: frozenset[str]

    @property
    def first_rank(self) -> int | None:
        """1-based rank of the first correct passage, or None."""
        for i, cover in enumerate(self.covers):
            if cover:
                return i + 1
        return None


def judge(passages: Sequence[Passage], gold: Sequence[Gold]) -> Judgement:
    """Judge ranked ``passages`` (rank 1 first) against ``gold`` items."""
    evidence = [(g.doc_id, normalise(g.evidence)) for g in gold]
    covers = []
    flags = []
    credited: set[int] = set()
    for passage in passages:
        text = normalise(passage.text)
        cover = tuple(
            j for j, (doc_id, ev) in enumerate(evidence) if passage.doc_id == doc_id and ev in text
        )
        covers.append(cover)
        flags.append(any(j not in credited for j in cover))
        credited.update(cover)
    return Judgement(
        covers=tuple(covers),
        flags=tuple(flags),
        found_doc_ids=tuple(p.doc_id if c else None for p, c in zip(passages, covers)),
        n_gold=len(gold),
        gold_doc_ids=frozenset(g.doc_id for g in gold),
    )


def relevant_ids(
    passages: Sequence,  # objects with chunk_id, doc_id, text
    gold: Sequence[Gold],
) -> list[str]:
    """chunk_ids of the passages that satisfy any gold item, in input order."""
    if not gold:
        return []
    return [p.chunk_id for p, cover in zip(passages, judge(passages, gold).covers) if cover]
