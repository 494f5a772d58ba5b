"""Many literal patterns in one linear pass (Aho–Corasick).

    find_all(["鼓楼区", "鼓楼", "卫东"], "那鼓楼区和卫东呢")
    → [Match(1, 4, "鼓楼区"), Match(5, 7, "卫东")]

Matching each pattern separately and then checking every new match against
every earlier one is quadratic in the text (a pasted 100 KB question of place
names kept a core busy for seconds).  Here the text is read once through an
automaton built once per pattern set, so the cost is linear in the text plus
the number of matches, whatever the number of patterns.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable


@dataclass(frozen=True, slots=True)
class Match:
    start: int
    end: int
    pattern: str  # the pattern as given (not case-folded)


def _fold(text: str, ignore_case: bool) -> str:
    if not ignore_case:
        return text
    # per character, so offsets in the folded text are offsets in the original ("İ".lower() is 2 characters)
    return "".join(c if len(low := c.lower()) != 1 else low for c in text)


class _Automaton:
    """Goto/fail/output tables of Aho–Corasick over the folded patterns."""

    __slots__ = ("goto", "fail", "out", "ignore_case")

    def __init__(self, patterns: tuple[str, ...], ignore_case: bool):
        self.ignore_case = ignore_case
        self.goto: list[dict[str, int]] = [{}]
        self.out: list[list[tuple[int, str]]] = [[]]  # state → (length, original pattern) ending here
        for p in patterns:
            if not p:
                continue
            s = 0
            for ch in _fold(p, ignore_case):
                nxt = self.goto[s].get(ch)
                if nxt is None:
                    nxt = len(self.goto)
                    self.goto[s][ch] = nxt
                    self.goto.append({})
                    self.out.append([])
                s = nxt
            if all(orig != p for _, orig in self.out[s]):
                self.out[s].append((len(p), p))
        # breadth-first failure links; outputs are inherited along them
        self.fail = [0] * len(self.goto)
        queue = list(self.goto[0].values())
        for s in queue:
            for ch, t in self.goto[s].items():
                queue.append(t)
                f = self.fail[s]
                while f and ch not in self.goto[f]:
                    f = self.fail[f]
                self.fail[t] = self.goto[f].get(ch, 0)
                self.out[t] = self.out[t] + self.out[self.fail[t]]

    def scan(self, text: str) -> list[Match]:
        """Every occurrence (overlapping ones too), by end offset."""
        found = []
        s = 0
        goto, fail, out = self.goto, self.fail, self.out
        for i, ch in enumerate(_fold(text, self.ignore_case)):
            while s and ch not in goto[s]:
                s = fail[s]
            s = goto[s].get(ch, 0)
            for length, p in out[s]:
                found.append(Match(i + 1 - length, i + 1, p))
        return found


@lru_cache(maxsize=32)
def _automaton(patterns: tuple[str, ...], ignore_case: bool) -> _Automaton:
    return _Automaton(patterns, ignore_case)


def find_all(patterns: Iterable[str], text: str, *, ignore_case: bool = False,
             overlapping: bool = False) -> list[Match]:
    """Occurrences of the literal `patterns` in `text`, in order of start.

    By default leftmost-longest and non-overlapping (as a regex alternation
    sorted longest-first would find them: "平顶山市" wins over "平顶山");
    `overlapping=True` returns every occurrence.  Linear in len(text) plus
    the number of occurrences; the automaton is cached per pattern set.
    """
    auto = _automaton(tuple(dict.fromkeys(patterns)), bool(ignore_case))
    found = auto.scan(text)
    found.sort(key=lambda m: (m.start, -m.end))
    if overlapping:
        return found
    chosen: list[Match] = []
    end = 0
    for m in found:  # sorted by start, longest first: the first one at or after `end` wins
        if m.start >= end:
            chosen.append(m)
            end = m.end
    return chosen
