"""Local names written in pinyin ("Xuhang and Waigang towns", "Nanxiang Hospital") → the index's own tokens.

The gazetteer knows every county-level unit and above; towns, streets,
villages and the place names inside hospital names are below it, and no
dictionary translates them. The index vocabulary holds them in Chinese
(徐行, 外冈镇, 南翔), so each Han token is keyed by its toneless pinyin —
every reading of a polyphonic character (行: xing/hang), and again without a
generic suffix (镇, 乡, 街道, 社区, 村) — and a capitalised English word the
lexicon left untranslated is looked up there.

Built from the vocabulary of the index it serves, on first use (warm() at app
start does it): ~30 µs a token with pypinyin.
"""
from __future__ import annotations

import itertools
import logging
import re
import threading
from collections.abc import Callable, Iterable

log = logging.getLogger(__name__)

SUFFIXES = ("街道", "社区", "镇", "乡", "村")  # administrative units below the county: the name is what precedes
MAX_READINGS = 16  # per token: polyphonic characters multiply readings; names rarely have more than two
MAX_TERMS = 4  # alternatives per English word (a syllable string can name several places)
MIN_KEY = 4  # letters: shorter keys ("an", "li") match ordinary English too easily
_HAN = re.compile(r"^[\u4e00-\u9fff]{2,5}$")
_NAME = re.compile(r"^[A-Z][a-z]{3,}$")  # Xuhang, Nanxiang: capitalised, one word
_SYLLABLES = re.compile(r"^[A-Z][a-z]{1,}$")  # a surname or given name: Yu, Kai, Weiqiang


def readings(word: str) -> list[str]:
    """Toneless pinyin strings of a Han word, every reading of each character (bounded)."""
    from pypinyin import Style, pinyin

    per_char = pinyin(word, style=Style.NORMAL, heteronym=True, errors="ignore")
    if len(per_char) != len(word):
        return []
    combos = itertools.islice(itertools.product(*per_char), MAX_READINGS)
    return list(dict.fromkeys("".join(c) for c in combos))


def keys(token: str) -> list[str]:
    """Lookup keys of one vocabulary token: its readings, and its stem's when it ends in a unit suffix."""
    if not _HAN.match(token):
        return []
    forms = [token]
    for s in SUFFIXES:
        if token.endswith(s) and len(token) - len(s) >= 2:
            forms.append(token[: -len(s)])
            break
    return [k for f in forms for k in readings(f) if len(k) >= MIN_KEY]


class NameIndex:
    """pinyin key → vocabulary tokens, built lazily from `vocabulary()` (thread-safe, once)."""

    def __init__(self, vocabulary: Callable[[], Iterable[str]]):
        self._vocabulary = vocabulary
        self._map: dict[str, tuple[str, ...]] | None = None
        self._lock = threading.Lock()

    def build(self) -> dict[str, tuple[str, ...]]:
        with self._lock:
            if self._map is None:
                out: dict[str, list[str]] = {}
                n = 0
                for token in self._vocabulary():
                    for k in keys(token):
                        out.setdefault(k, []).append(token)
                    n += 1
                # the full token first (外冈镇 before 外冈), shorter lists are more specific
                self._map = {k: tuple(sorted(set(v), key=lambda t: (-len(t), t))[:MAX_TERMS]) for k, v in out.items()}
                log.debug("pinyin name index: %d tokens, %d keys", n, len(self._map))
            return self._map

    def lookup(self, word: str) -> tuple[str, ...]:
        """The tokens a capitalised English word may romanise ('Xuhang' → ('徐行',)); () for anything else."""
        if not _NAME.match(word):
            return ()
        return self.build().get(word.lower(), ())

    def lookup_person(self, surname: str, given: str) -> tuple[str, ...]:
        """The tokens a person's name written surname first may romanise ('Zhao Weiqiang' → ('赵维强',), 'Yu Kai'
        → ('于开',)): the tokenizer keeps a name whole, and English writes it as two capitalised words."""
        if not (_SYLLABLES.match(surname) and _SYLLABLES.match(given)):
            return ()
        key = (surname + given).lower()
        return self.build().get(key, ()) if len(key) >= MIN_KEY else ()
