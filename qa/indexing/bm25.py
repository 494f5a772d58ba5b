"""BM25 over token lists: rank_bm25's `BM25Okapi`, scored from a sparse matrix.

The scores are rank_bm25 0.2.2's, bit for bit (tests compare them):

    idf(t)   = log(N - n_t + 0.5) - log(n_t + 0.5)   (n_t = chunks containing t)
               negative idfs are replaced by epsilon * mean(idf over all terms)
    score(d) = Σ_{t in query, repeats counted}
               idf(t) * tf * (k1 + 1) / (tf + k1 * (1 - b + b * |d| / avgdl))

rank_bm25 loops over every document in Python for every query term (~0.2 s
for 100k chunks). Here the per-(term, chunk) weight is computed once, with
the same floating-point operations in the same order, and stored as a CSR
matrix with one row per term; a query only touches the rows of its terms.

rank_bm25 has no save/load and pickle is not an option, so an index is
persisted as its tokens (`bm25_tokens.jsonl`, one JSON list per chunk) and
rebuilt on load; parameters go in the caller's manifest.
"""
from __future__ import annotations

import array
import itertools
import json
import logging
import math
import sys
import threading
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np
import scipy.sparse

from ..corpus.files import sha256_file

logger = logging.getLogger(__name__)

TOKENS_FILE = "bm25_tokens.jsonl"
FORMAT_VERSION = 1


class BM25IndexError(ValueError):
    """Stored BM25 tokens do not match what the manifest says; rebuild the index."""


class BM25Index:
    """Immutable after construction, so concurrent `scores` calls are safe."""

    def __init__(
        self,
        corpus: Sequence[Sequence[str]],
        *,
        k1: float = 1.5,
        b: float = 0.75,
        epsilon: float = 0.25,
        keep_tokens: bool = True,
    ) -> None:
        """`corpus`: one token list per chunk, in chunk order (row i = chunk i).

        keep_tokens=False drops the lists once the matrix is built (serving needs only
        `row_terms`; at 100k chunks the lists are ~134 MB); `tokens` then raises.
        """
        if len(corpus) == 0:
            raise ValueError("BM25Index needs at least one chunk; the corpus produced none")
        self.k1, self.b, self.epsilon = float(k1), float(b), float(epsilon)
        if any(isinstance(doc, str) for doc in corpus):
            raise TypeError("BM25Index takes one token *list* per chunk, not strings; tokenize first")
        # one list per chunk, reused when the caller already has lists: at 100k chunks a
        # second copy of 14M token references costs ~100 MB
        self._tokens = [doc if isinstance(doc, list) else list(doc) for doc in corpus]
        n = self._n = len(self._tokens)

        # Term ids in order of first occurrence: the order rank_bm25 fills its
        # idf dict in, which fixes the order of the idf sum (and so the last
        # bits of the epsilon floor).
        all_tokens = itertools.chain.from_iterable(self._tokens)
        vocab = {tok: i for i, tok in enumerate(dict.fromkeys(all_tokens))}
        lengths = np.fromiter(map(len, self._tokens), dtype=np.int64, count=n)
        rows = np.fromiter(
            map(vocab.__getitem__, itertools.chain.from_iterable(self._tokens)),
            dtype=np.int32, count=int(lengths.sum()),
        )
        if not keep_tokens:
            self._tokens = None
        self._build(rows, lengths, vocab)

    @classmethod
    def from_token_file(cls, directory: str | Path, *, k1: float = 1.5, b: float = 0.75,
                        epsilon: float = 0.25) -> BM25Index:
        """The index of `write_tokens`' file, built as the lines stream by: no token lists are held
        (at 100k chunks they were 134 MB, and freeing them gave little back to the OS); the
        result equals BM25Index(read_tokens(directory), keep_tokens=False)."""
        path = Path(directory) / TOKENS_FILE
        vocab: dict[str, int] = {}
        ids, lengths = array.array("i"), array.array("q")
        with open(path, encoding="utf-8") as f:
            for n, line in enumerate(f, 1):
                row = json.loads(line)
                if not isinstance(row, list) or not all(isinstance(t, str) for t in row):
                    raise BM25IndexError(f"{path}:{n} is not a JSON list of strings; rebuild the index")
                ids.extend([vocab.setdefault(t, len(vocab)) for t in row])  # first-occurrence order
                lengths.append(len(row))
        if not lengths:
            raise ValueError("BM25Index needs at least one chunk; the corpus produced none")
        self = cls.__new__(cls)
        self.k1, self.b, self.epsilon = float(k1), float(b), float(epsilon)
        self._tokens, self._n = None, len(lengths)
        rows = np.frombuffer(ids, dtype=np.int32) if ids else np.zeros(0, dtype=np.int32)
        self._build(rows, np.array(lengths, dtype=np.int64), vocab)
        return self

    def _build(self, rows: np.ndarray, lengths: np.ndarray, vocab: dict[str, int]) -> None:
        """The matrices from every token occurrence's term id (chunk after chunk) and chunk lengths."""
        n = self._n
        self.vocab = vocab
        self.doc_len = lengths
        self.avgdl = int(lengths.sum()) / n  # Python division, as rank_bm25
        cols = np.repeat(np.arange(n, dtype=np.int32), lengths)
        # 32-bit ids and counts while building (an occurrence list is 14M long at 100k chunks:
        # with int64/float64 the transient was ~0.9 GB); tf is exact in float64 afterwards
        # duplicates (a term repeated in a chunk) are summed: data becomes tf
        tf_matrix = scipy.sparse.csr_array(
            (np.ones(len(rows), dtype=np.int32), (rows, cols)), shape=(len(vocab), n)
        )
        del rows, cols
        tf_matrix.sum_duplicates()
        tf_matrix.sort_indices()
        tf_matrix.data = tf_matrix.data.astype(np.float64)

        self.idf = self._idf(np.diff(tf_matrix.indptr), n)
        self._weights = self._term_weights(tf_matrix)
        self._indptr = self._weights.indptr
        self._indices = self._weights.indices
        self._data = self._weights.data
        # chunk → its distinct terms (term ids grouped by chunk), for `row_terms`
        doc_of = tf_matrix.indices
        order = np.argsort(doc_of, kind="stable")
        term_of = np.repeat(np.arange(tf_matrix.shape[0], dtype=np.int32), np.diff(tf_matrix.indptr))
        self._doc_terms = term_of[order]
        del order, term_of
        self._doc_indptr = np.concatenate([[0], np.cumsum(np.bincount(doc_of, minlength=n))]).astype(np.int64)
        self._terms = list(vocab)
        for arr in (self.doc_len, self.idf, self._indptr, self._indices, self._data, self._doc_terms, self._doc_indptr):
            arr.flags.writeable = False
        logger.debug("BM25 index: %d chunks, %d terms, avgdl %.1f", n, len(vocab), self.avgdl)

    def _idf(self, df: np.ndarray, n: int) -> np.ndarray:
        """rank_bm25's idf with its epsilon floor, computed with math.log as it is."""
        by_df = {int(d): math.log(n - int(d) + 0.5) - math.log(int(d) + 0.5) for d in np.unique(df)}
        raw = [by_df[int(d)] for d in df]
        if not raw:  # every chunk empty: nothing can score
            self.average_idf = 0.0
            return np.zeros(0)
        total = 0.0
        for x in raw:  # sequential, like rank_bm25 (sum() may compensate on 3.12+)
            total += x
        self.average_idf = total / len(raw)
        eps = self.epsilon * self.average_idf
        return np.array([eps if x < 0 else x for x in raw], dtype=np.float64)

    def _term_weights(self, tf_matrix: scipy.sparse.csr_array) -> scipy.sparse.csr_array:
        """idf(t) * BM25 tf-part for every stored (term, chunk) pair.

        The expression copies rank_bm25's, operation for operation, so each
        weight is the exact float rank_bm25 adds for that term and chunk.
        """
        tf = tf_matrix.data
        dl = self.doc_len[tf_matrix.indices]
        row_of = np.repeat(np.arange(tf_matrix.shape[0]), np.diff(tf_matrix.indptr))
        k1, b = self.k1, self.b
        part = tf * (k1 + 1) / (tf + k1 * (1 - b + b * dl / self.avgdl))
        data = self.idf[row_of] * part
        return scipy.sparse.csr_array(
            (data, tf_matrix.indices.astype(np.int32, copy=False), tf_matrix.indptr), shape=tf_matrix.shape
        )

    # ---------------------------------------------------------------- queries

    @property
    def tokens(self) -> list[list[str]]:
        """The token lists the index was built from (row i = chunk i); do not mutate."""
        if self._tokens is None:
            raise ValueError("this BM25Index was built with keep_tokens=False")
        return self._tokens

    def row_terms(self, row: int) -> frozenset[str]:
        """The distinct tokens of chunk `row` (= frozenset(tokens[row]))."""
        terms = self._terms
        return frozenset(terms[j] for j in self._doc_terms[self._doc_indptr[row]:self._doc_indptr[row + 1]].tolist())

    def __len__(self) -> int:
        return self._n

    def scores(self, query_tokens: Iterable[str]) -> np.ndarray:
        """BM25 score of every chunk (float64, length len(self)); 0 where no term matches.

        Repeated query tokens count repeatedly, as in rank_bm25.
        """
        if isinstance(query_tokens, str):
            raise TypeError("scores() takes a token list, not a string; tokenize the query first")
        out = np.zeros(self._n)
        indptr, indices, data, vocab = self._indptr, self._indices, self._data, self.vocab
        for tok in query_tokens:
            t = vocab.get(tok)
            if t is None:
                continue
            lo, hi = indptr[t], indptr[t + 1]
            # indices within a row are unique, so fancy-index += is exact
            out[indices[lo:hi]] += data[lo:hi]
        return out

    def top_k(
        self, query_tokens: Iterable[str], k: int, *, allowed: np.ndarray | None = None
    ) -> list[tuple[int, float]]:
        """Up to k (chunk index, score) pairs with score > 0, by (-score, index).

        `allowed`: optional boolean mask over chunks; others are never returned.
        """
        s = self.scores(query_tokens)
        if allowed is not None:
            allowed = np.asarray(allowed)
            if allowed.dtype != np.bool_ or allowed.shape != s.shape:
                raise ValueError(
                    f"allowed must be a boolean mask of shape ({len(s)},), "
                    f"got dtype {allowed.dtype} shape {allowed.shape}"
                )
            s = np.where(allowed, s, 0.0)
        if k <= 0:
            return []
        cand = np.flatnonzero(s > 0)
        if len(cand) > k:
            # keep everything tied with the k-th best, then order exactly
            kth = np.partition(s[cand], len(cand) - k)[len(cand) - k]
            cand = cand[s[cand] >= kth]
        order = np.lexsort((cand, -s[cand]))[:k]
        return [(int(i), float(s[i])) for i in cand[order]]

    def idf_map(self) -> dict[str, float]:
        """term → idf (after the epsilon floor)."""
        return dict(zip(self.vocab, self.idf.tolist()))

    # ------------------------------------------------------------ persistence

    def params(self) -> dict:
        """The parameters `load` needs besides the tokens file."""
        return {
            "format_version": FORMAT_VERSION,
            "k1": self.k1,
            "b": self.b,
            "epsilon": self.epsilon,
            "n_docs": self._n,
        }

    def save(self, directory: str | Path) -> dict:
        """Write `bm25_tokens.jsonl` into `directory`; return the params (with the
        file's sha256) for the caller's manifest and for `load`."""
        (name,) = self.write_tokens(directory, self.tokens)
        return self.params() | {"tokens_sha256": sha256_file(Path(directory) / name)}

    @classmethod
    def load(cls, directory: str | Path, params: dict) -> BM25Index:
        """Rebuild from `save`'s tokens and params; BM25IndexError if they disagree."""
        if params.get("format_version") != FORMAT_VERSION:
            raise BM25IndexError(
                f"BM25 format {params.get('format_version')!r} is not {FORMAT_VERSION}; rebuild the index"
            )
        path = Path(directory) / TOKENS_FILE
        if params.get("tokens_sha256") and sha256_file(path) != params["tokens_sha256"]:
            raise BM25IndexError(f"{path} does not match its checksum in the manifest; rebuild the index")
        tokens = cls.read_tokens(directory)
        if len(tokens) != params.get("n_docs"):
            raise BM25IndexError(
                f"{path} has {len(tokens)} chunks, the manifest says {params.get('n_docs')}; rebuild the index"
            )
        return cls(tokens, k1=params["k1"], b=params["b"], epsilon=params["epsilon"])

    @staticmethod
    def write_tokens(directory: str | Path, tokens: Sequence[Sequence[str]]) -> list[str]:
        """Write one JSON list per chunk; return the file names written (relative)."""
        with open(Path(directory) / TOKENS_FILE, "w", encoding="utf-8") as f:
            for doc in tokens:
                f.write(json.dumps(list(doc), ensure_ascii=False) + "\n")
        return [TOKENS_FILE]

    @staticmethod
    def read_tokens(directory: str | Path) -> list[list[str]]:
        path = Path(directory) / TOKENS_FILE
        tokens = []
        with open(path, encoding="utf-8") as f:
            for n, line in enumerate(f, 1):
                row = json.loads(line)
                if not isinstance(row, list) or not all(isinstance(t, str) for t in row):
                    raise BM25IndexError(f"{path}:{n} is not a JSON list of strings; rebuild the index")
                # interned: json.loads makes a new str per occurrence (14M objects at
                # 100k chunks, ~1 GB); the vocabulary is a few thousand distinct strings
                tokens.append([sys.intern(t) for t in row])
        return tokens



class StoredTokens(Sequence):
    """The token lists of a stored build, read from its file on first use.

    A loaded index scores from the matrix and takes token sets from `BM25Index.row_terms`, so
    keeping 14M token references at 100k chunks (~134 MB) only served rare callers (copying an
    index into PostgreSQL): they read the file again.
    """

    def __init__(self, directory: str | Path, n: int):
        self._directory, self._n = Path(directory), n
        self._rows: list[list[str]] | None = None
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return self._n

    def __getitem__(self, i):
        with self._lock:
            if self._rows is None:
                rows = BM25Index.read_tokens(self._directory)
                if len(rows) != self._n:
                    raise BM25IndexError(f"{self._directory / TOKENS_FILE} has {len(rows)} rows, not {self._n}")
                self._rows = rows
        return self._rows[i]
