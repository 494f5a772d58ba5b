"""English questions → weighted Chinese BM25 terms, by general mechanisms.

    (a) lexicon     CC-CEDICT inverted, restricted to the index vocabulary (`lexicon.py`)
    (b) prf         salient terms of the best dense passages (`prf.py`)
    (c) term table  nearest index terms in e5's space (`term_table.py`)
    (d) names       local names in pinyin ("Xuhang") → index tokens read that way (`names.py`)

Each mechanism yields `TermGroup`s: alternatives for one English word or
phrase (or one feedback term), scored as a structured query — a chunk earns
the group's weight × its best-matching alternative's BM25 score, so an
English word with four candidate translations counts once, not four times
(Pirkola's synonym operator, in its simplest form).

The lexicon and the term table are built with the index and stored in its
directory (`CrossLingual.build/save/load`); `Config` switches mechanisms on
and off so their combinations can be measured (`python -m eval.crosslingual`).
"""
from __future__ import annotations

import logging
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from . import lexicon as _lexicon
from . import prf
from .english import content_stems
from .names import NameIndex
from .term_table import FORMAT as _TERMS_FORMAT
from .term_table import TERMS_FILE, TermTable, content_terms

log = logging.getLogger(__name__)

_CODE_VERSION = "3"


def version() -> str:
    """Goes into the index identity: new code, formats or dictionary data rebuild the index."""
    return f"xling-{_CODE_VERSION}+{_lexicon.FORMAT}+{_TERMS_FORMAT}+cedict-{_lexicon.cedict_version()}"

_NGRAM_CACHE = 4096


@dataclass(frozen=True, slots=True)
class TermGroup:
    """Alternative Chinese terms for one English word/phrase (or one feedback term)."""

    source: str  # "lexicon" | "names" | "terms" | "prf"
    english: str  # the words it stands for ("" for prf)
    weight: float
    terms: tuple[tuple[str, float], ...]  # (BM25 token, weight in (0, 1])


@dataclass(frozen=True, slots=True)
class Config:
    """Which mechanisms run, and their few parameters (tuned on the development sets)."""

    glossary: bool = True
    lexicon: bool = True
    terms: bool = True
    prf: bool = False  # measured: no gain on the development sets (python -m eval.crosslingual)
    names: bool = True  # capitalised pinyin words → index tokens with that reading (names.py)
    names_weight: float = 1.0
    lexicon_weight: float = 1.0
    terms_weight: float = 1.0
    terms_margin: float = 0.08  # cosine above the term's mean over the table
    terms_ngram: int = 1  # longest English phrase looked up in the term table (2: same dev numbers, twice the cost)
    terms_uncovered_only: bool = False  # look up only words the lexicon left untranslated
    coverage_by_specificity: bool = True  # a word the lexicon translates only generically covers less
    prf_weight: float = 0.3
    prf_docs: int = 3
    prf_terms: int = 8


DEFAULT = Config()


class CrossLingual:
    """The per-index lexicon and term table (either may be None: an index built without them)."""

    def __init__(self, lexicon: _lexicon.Lexicon | None = None, table: TermTable | None = None):
        self.lexicon = lexicon
        self.table = table
        self.names: NameIndex | None = None  # set by the retriever from its index's vocabulary
        self._ngram_vecs: dict[str, np.ndarray] = {}
        self._lock = threading.Lock()

    # ---------------------------------------------------------------- build / store
    @classmethod
    def build(cls, tokens: Sequence[Sequence[str]], idf: Mapping[str, float], encoder, *,
              previous: "CrossLingual | None" = None) -> "CrossLingual":
        """The lexicon (restricted to idf's vocabulary) and the term table of an index."""
        lex = _lexicon.build(idf)
        table = TermTable.build(content_terms(tokens), encoder, previous=previous.table if previous else None)
        return cls(lex, table)

    def save(self, directory: Path) -> list[str]:
        files = []
        if self.lexicon is not None:
            files += self.lexicon.save(directory)
        if self.table is not None:
            files += self.table.save(directory)
        return files

    @classmethod
    def load(cls, directory: Path, files: Mapping[str, object]) -> "CrossLingual":
        """Load what the manifest lists (`files`); an older build without them loads empty."""
        lex = _lexicon.Lexicon.load(directory) if _lexicon.FILE in files else None
        table = TermTable.load(directory) if TERMS_FILE in files else None
        return cls(lex, table)

    # ---------------------------------------------------------------- queries
    def query_groups(self, text: str, *, encoder=None, config: Config = DEFAULT) -> tuple[tuple[TermGroup, ...], float]:
        """Groups for the English words of text (places already removed), and the
        share of its English content words that some group covers."""
        words = content_stems(text)
        if not words:
            return (), 0.0
        stems = [s for _, _, s in words]
        groups: list[TermGroup] = []
        covered: set[int] = set()
        credit: dict[int, float] = {}  # word → how well it is translated, for the coverage signal
        if config.lexicon and self.lexicon is not None:
            for m in self.lexicon.match(stems, [w for _, w, _ in words]):
                english = " ".join(w for _, w, _ in words[m.start:m.end])
                groups.append(TermGroup("lexicon", english, round(config.lexicon_weight * m.specificity, 4),
                                        tuple((c.term, c.weight) for c in m.candidates)))
                covered.update(range(m.start, m.end))
                for i in range(m.start, m.end):
                    credit[i] = min(1.0, 2 * m.specificity) if config.coverage_by_specificity else 1.0
        if config.names and self.names is not None:  # pinyin local names: 'Xuhang' → 徐行 (names.py)
            for i in range(len(words) - 1):  # a person's name, two adjacent words: 'Zhao Weiqiang' → 赵维强
                (p, a, _), (q, b, _) = words[i], words[i + 1]
                found = () if covered & {i, i + 1} or q != p + 1 else self.names.lookup_person(a, b)
                if found:
                    groups.append(TermGroup("names", f"{a} {b}", config.names_weight, tuple((t, 1.0) for t in found)))
                    covered.update((i, i + 1))
                    credit[i] = credit[i + 1] = 1.0
            for i, (_, w, _) in enumerate(words):
                found = () if i in covered else self.names.lookup(w)
                if found:
                    groups.append(TermGroup("names", w, config.names_weight, tuple((t, 1.0) for t in found)))
                    covered.add(i)
                    credit[i] = 1.0
        if config.terms and self.table is not None and len(self.table) and encoder is not None:
            skip = covered if config.terms_uncovered_only else set()
            for (a, b), found in self._table_matches(words, encoder, config, skip):
                english = " ".join(w for _, w, _ in words[a:b])
                groups.append(TermGroup("terms", english, config.terms_weight,
                                        tuple((t, w) for t, w, _ in found)))
                covered.update(range(a, b))
                credit.update((i, 1.0) for i in range(a, b))
        return tuple(groups), sum(credit.values()) / len(words)

    def _table_matches(self, words, encoder, config: Config, skip: set[int]):
        """Non-overlapping (span, neighbours) over n-grams of adjacent content words, best margin first."""
        spans = []
        for i in range(len(words)):
            for n in range(1, config.terms_ngram + 1):
                j = i + n
                if j > len(words) or words[j - 1][0] - words[i][0] != n - 1 or (j - 1) in skip:
                    break  # only words adjacent in the question form a phrase
                if i not in skip:
                    spans.append((i, j))
        if not spans:
            return []
        texts = [" ".join(w for _, w, _ in words[a:b]).lower() for a, b in spans]
        vecs = self._embed(texts, encoder)
        found = self.table.nearest(vecs, margin=config.terms_margin)
        order = sorted(range(len(spans)), key=lambda s: (-(found[s][0][2] if found[s] else 0.0), spans[s]))
        used: set[int] = set()
        out = []
        for s in order:
            if not found[s]:
                break
            a, b = spans[s]
            if used.intersection(range(a, b)):
                continue
            used.update(range(a, b))
            out.append((spans[s], found[s]))
        return sorted(out)

    def clear_cache(self) -> None:
        """Forget cached English n-gram vectors (benchmarks time the embedding too)."""
        with self._lock:
            self._ngram_vecs.clear()

    def _embed(self, texts: list[str], encoder) -> np.ndarray:
        """English n-gram vectors, cached: the same words recur across questions."""
        todo = [t for t in dict.fromkeys(texts) if t not in self._ngram_vecs]
        if todo:
            vecs = encoder.encode_queries(todo)
            with self._lock:
                if len(self._ngram_vecs) > _NGRAM_CACHE:
                    self._ngram_vecs.clear()
                self._ngram_vecs.update(zip(todo, vecs))
        cache = self._ngram_vecs
        return np.stack([cache[t] if t in cache else encoder.encode_queries([t])[0] for t in texts])


def feedback_groups(passages: Sequence[Sequence[str]], idf: Mapping[str, float], *,
                    config: Config = DEFAULT) -> tuple[TermGroup, ...]:
    """One group per salient term of the dense side's best passages (text tokens, best first)."""
    passages = list(passages)[: config.prf_docs]
    terms = prf.feedback_terms(passages, prf.rank_weights(len(passages)), idf, n_terms=config.prf_terms)
    return tuple(TermGroup("prf", "", round(config.prf_weight * w, 6), ((t, 1.0),)) for t, w in terms)


def grouped_scores(bm25, groups: Sequence[TermGroup]) -> np.ndarray:
    """Σ_groups weight · max_alternatives (alt weight · BM25 score of the term), per chunk."""
    out = np.zeros(len(bm25))
    for g in groups:
        best = np.zeros(len(bm25))
        for term, w in g.terms:
            if term in bm25.vocab:
                np.maximum(best, w * bm25.scores([term]), out=best)
        out += g.weight * best
    return out


def group_coverage(groups: Sequence[TermGroup], have, idf: Mapping[str, float]) -> float:
    """IDF-weighted share of the groups that the token set `have` satisfies.

    A group counts with weight · max over its alternatives of (alt weight · idf);
    it is satisfied to the extent of its best alternative present in `have`.
    """
    total = got = 0.0
    for g in groups:
        vals = [(w * max(idf.get(t, 0.0), 0.0), t in have) for t, w in g.terms]
        if not vals:
            continue
        total += g.weight * max(v for v, _ in vals)
        got += g.weight * max((v for v, present in vals if present), default=0.0)
    return got / total if total > 0 else 0.0


__all__ = ["Config", "CrossLingual", "DEFAULT", "TermGroup", "TermTable", "enrich", "feedback_groups", "group_coverage",
           "group_terms", "grouped_scores", "version"]


def enrich(q, xl: CrossLingual, *, encoder=None, config: Config = DEFAULT):
    """A `qa.search.query.Query` with the index's lexicon / term-table groups added.

    `expansion` becomes glossary terms (if config.glossary) + the groups' terms,
    so every consumer of it (answer highlighting, abstention) sees them too;
    `en_coverage` becomes the larger of the glossary's and the groups' coverage.
    """
    from dataclasses import replace

    if q.script == "zh":
        return q
    rest = q.text
    for p in q.places:  # place names are the gazetteer's business, not words to translate
        rest = rest.replace(p.surface, " ")
    groups, cov = xl.query_groups(rest, encoder=encoder, config=config)
    expansion, gl_cov = (q.expansion, q.en_coverage) if config.glossary else ((), 0.0)
    terms = list(dict.fromkeys([*expansion, *(t for g in groups for t, _ in g.terms)]))
    return replace(q, xling=groups, expansion=tuple(terms), en_coverage=max(gl_cov, cov))


def group_terms(groups: Sequence[TermGroup]) -> set[str]:
    return {t for g in groups for t, _ in g.terms}


def translations(q) -> list[str]:
    """The Chinese words an English question is taken to say: the glossary's terms, plus the best
    dictionary translation of each word the lexicon translated.

    A lexicon group's alternatives (目标/指标/对象 for "targets") are ways to say one word, and a
    passage uses one of them; term-table and feedback neighbours are associations, not
    translations.  Coverage and answer scoring count these, not every alternative.
    """
    groups = getattr(q, "xling", ()) or ()
    grouped = {t for g in groups for t, _ in g.terms}
    best = [max(g.terms, key=lambda tw: tw[1])[0] for g in groups if g.terms and g.source in ("lexicon", "names")]
    return list(dict.fromkeys([t for t in q.expansion if t not in grouped] + best))
