"""Read-only views a `Retriever` needs over its store, whichever backend holds the index.

An embedded build keeps its vocabulary in memory; a database store answers
per term. These adapt either to what search and answering ask for.
"""
from __future__ import annotations

from .. import crosslingual
from ..crosslingual.names import NameIndex


def store_crosslingual(store) -> "crosslingual.CrossLingual":
    """A database store keeps no cross-lingual files: its lexicon is built from its vocabulary
    at load (a second or two); the term table is not (README: PostgreSQL limits)."""
    vocab = getattr(store, "vocabulary_idf", None)
    if vocab is None:
        return crosslingual.CrossLingual()
    from ..crosslingual import lexicon

    return crosslingual.CrossLingual(lexicon.build(vocab()))


def store_names(store) -> "NameIndex | None":
    """Pinyin keys over this store's vocabulary (built on first use: warm() or an English question)."""
    vocab = getattr(store, "_idf", None)
    if isinstance(vocab, dict):
        return NameIndex(vocab.keys)
    if hasattr(store, "vocabulary_idf"):
        return NameIndex(lambda: store.vocabulary_idf().keys())
    return None


def store_vocabulary(store):
    """A callable giving this store's BM25 vocabulary (an iterable of terms), or None."""
    vocab = getattr(store, "_idf", None)
    if isinstance(vocab, dict):
        return vocab.keys
    if hasattr(store, "vocabulary_idf"):
        return lambda: store.vocabulary_idf().keys()
    return None


class IdfView:
    """A read-only term → IDF mapping over a store's `idf()` (cached per term)."""

    def __init__(self, store):
        self._store, self._cache = store, {}

    def _get(self, term: str):
        if term not in self._cache:
            self._cache[term] = self._store.idf([term]).get(term)
        return self._cache[term]

    def get(self, term: str, default=None):
        v = self._get(term)
        return default if v is None else v

    def __contains__(self, term) -> bool:
        return self._get(term) is not None

    def __getitem__(self, term: str):
        v = self._get(term)
        if v is None:
            raise KeyError(term)
        return v
