"""Text → BM25 tokens: the one function used for chunks and for queries.

`tokenize(text)` runs, in order:

1. `normalize_text`: full-width ASCII (０-９, Ａ-Ｚ, ％, （）…) and the ideographic
   space become half-width; control characters become spaces; zero-width
   characters are removed.
2. Number handling (`NUMBER_RE`, pure helpers below): numbers are cut out
   *before* jieba, which would otherwise split `12.8万名` into `12.8`+`万名`
   and `79 元` into `79`, ` `, `元`, so a query and a chunk that write the
   same quantity differently would not match. Canonical tokens:
   `4.5%` (also from `4.5 %`, `4.5％`, `百分之四点五`, `百分之4.5`), `12.8万`
   (a following classifier such as `名` becomes its own token), `79元`,
   `14天`, `3个月`, `2021年`, `65岁` (`65周岁` too) and document numbers
   `〔2021〕20号` (from `（2021）20号`, `(2021)20号`, `[2021]20号`).
3. Latin runs are lowercased and split on anything that is not a letter or
   digit, so mixed queries like `Weidong区4.5%` work.
4. Everything else goes to jieba: a private `Tokenizer` (jieba-next's when
   installed, else jieba's, same tokens) with the domain dictionary
   `data/domain_dict.txt`.
5. Tokens without a letter, digit or CJK character (punctuation, emoji,
   whitespace) and stop-words (`data/stopwords.txt`) are dropped.
6. Sub-words: a CJK token of 3+ characters is followed by the dictionary
   words it is made of (`严重精神障碍` → `严重`, `精神障碍`, `精神`, `障碍`).
   The domain dictionary keeps compounds whole, which alone would make a
   query for a part (`精神障碍`, `患病率`, `示范区`) miss every chunk that only
   has the compound. jieba's `cut_for_search` does the same job with raw
   2-/3-grams and emits false parts (`慢性病` → `性病`); decomposing along the
   best dictionary path does not. Single characters are never emitted as
   sub-words (too noisy). BM25 alone on eval/questions.jsonl (167 answerable
   questions), MRR@10: 0.736 with these sub-words, 0.682 without (paraphrase
   questions 0.74 → 0.55), 0.732 with cut_for_search grams instead, 0.715 for
   plain jieba.

Change anything above, or the data files, and the version changes:
`TOKENIZER_VERSION` embeds a hash of both data files, and `_CODE_VERSION`
must be bumped by hand when this code's behaviour changes. The index
manifest records it, so a stale index is detected rather than silently
mismatching the queries.
"""
from __future__ import annotations

import functools
import hashlib
import logging
import re
import threading
import time
from pathlib import Path
from typing import Any

from .script import SCRIPT_VERSION, simplified

logger = logging.getLogger(__name__)

_DATA = Path(__file__).resolve().parents[1] / "data"
DOMAIN_DICT_PATH = _DATA / "domain_dict.txt"
STOPWORDS_PATH = _DATA / "stopwords.txt"

_CODE_VERSION = "1"


def _data_fingerprint() -> str:
    h = hashlib.sha256()
    for path in (DOMAIN_DICT_PATH, STOPWORDS_PATH):
        h.update(path.read_bytes())
    return h.hexdigest()[:8]


TOKENIZER_VERSION = f"zh-jieba-{_CODE_VERSION}+{_data_fingerprint()}+{SCRIPT_VERSION}"

# --------------------------------------------------------------------------
# 1. Character normalisation
# --------------------------------------------------------------------------

# NFKC restricted to the ranges that matter: NFKC on the whole text would
# also rewrite ①, ㈠, ℃, compatibility ideographs etc., which we want to keep.
_CHAR_MAP: dict[int, Any] = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)}
_CHAR_MAP[0x3000] = " "  # ideographic space
_CHAR_MAP[0xFE6A] = "%"  # small percent sign
_CHAR_MAP.update({c: " " for c in range(0x00, 0x20) if chr(c) not in "\t\n\r"})
_CHAR_MAP.update({c: " " for c in range(0x7F, 0xA0)})
_CHAR_MAP.update({0x2028: "\n", 0x2029: "\n"})
# zero-width and soft-hyphen characters would otherwise split words invisibly
_CHAR_MAP.update({c: None for c in (0x00AD, 0x200B, 0x200C, 0x200D, 0x200E, 0x200F, 0x2060, 0xFEFF)})


def normalize_text(text: str) -> str:
    """Half-width ASCII and %, spaces for control characters, no zero-widths."""
    return text.translate(_CHAR_MAP)


# --------------------------------------------------------------------------
# 2. Numbers (pure helpers; see tests/test_tokenize.py)
# --------------------------------------------------------------------------

# Measure words kept glued to their number (longest first: 个月 before 个).
# Deliberately absent: 人 (369人才, 3人员 would glue), 万/亿 (magnitudes,
# handled separately), 度 (2021年度 → 2021年 + 度 is fine).
_UNITS = (
    "个月", "周岁", "周年", "人次", "剂次", "小时", "分钟", "平方米", "公里",
    "元", "年", "月", "日", "天", "周", "岁", "名", "个", "家", "所", "场", "项",
    "件", "次", "套", "户", "张", "床", "条", "号", "批", "轮", "届", "期", "位",
    "台", "例", "种", "类", "剂", "倍",
)
_UNIT_CANON = {"周岁": "岁"}  # 65周岁 and 65岁 are the same age
_CN_DIGITS = {c: i for i, c in enumerate("零一二三四五六七八九")} | {"〇": 0, "两": 2}
_CN_UNITS = {"十": 10, "百": 100, "千": 1000}

# After a magnitude (12.8万名) only classifiers that never start a word are
# consumed; anything else (人口, 家庭) is left to jieba.
_MAG_UNITS = ("人次", "剂次", "名", "元", "例", "户")

NUMBER_RE = re.compile(
    r"""
    (?P<doc>[(\[〔【﹝][^\S\n]*(?P<doc_year>[0-9]{4})[^\S\n]*[)\]〕】﹞][^\S\n]*第?[^\S\n]*
            (?P<doc_n>[0-9]{1,5})[^\S\n]*号)
  | 百分之[^\S\n]*(?:(?P<cp_num>[0-9]+(?:\.[0-9]+)?)
                  |(?P<cp_cn>[零〇一二两三四五六七八九十百千]+(?:点[零〇一二两三四五六七八九]+)?))
  | (?<![A-Za-z0-9.])(?P<num>(?>[0-9]+(?:\.[0-9]+)?))  # atomic: 20xx must not yield 2
      (?:[^\S\n]*(?P<pct>[%‰])
        |(?P<mag>[万亿])(?:[^\S\n]*(?P<mag_unit>"""
    + "|".join(_MAG_UNITS)
    + r"""))?
        |[^\S\n]*(?P<unit>"""
    + "|".join(_UNITS)
    + r""")
        |(?![A-Za-z0-9]))
  | (?P<latin>[A-Za-z0-9\u00C0-\u024F]+)
    """,
    re.VERBOSE,
)


def canonical_number(digits: str) -> str:
    """'04.50' → '4.5', '2021' → '2021', '0.0' → '0': one spelling per value."""
    whole, _, frac = digits.partition(".")
    whole = whole.lstrip("0") or "0"
    frac = frac.rstrip("0")
    return f"{whole}.{frac}" if frac else whole


def chinese_number(text: str) -> str:
    """Chinese numeral → canonical decimal string: '四点五' → '4.5', '八十' → '80',
    '一百' / '百' → '100', '二十五' → '25'. Raises ValueError if not a numeral."""
    whole, sep, frac = text.partition("点")
    if not whole or (sep and not frac):
        raise ValueError(f"not a Chinese numeral: {text!r}")
    digits, units = _CN_DIGITS, _CN_UNITS
    total, current = 0, 0
    if all(c in digits for c in whole):  # positional: 二〇二一
        value = "".join(str(digits[c]) for c in whole)
    else:
        for c in whole:
            if c in digits:
                current = digits[c]
            elif c in units:
                total += (current or 1) * units[c]  # 十五 = 15, 百 = 100
                current = 0
            else:
                raise ValueError(f"not a Chinese numeral: {text!r}")
        value = str(total + current)
    if frac:
        try:
            value += "." + "".join(str(digits[c]) for c in frac)
        except KeyError:
            raise ValueError(f"not a Chinese numeral: {text!r}") from None
    return canonical_number(value)


def number_tokens(m: re.Match[str]) -> list[str]:
    """The tokens for one `NUMBER_RE` match (a latin run is lowercased)."""
    g = m.groupdict()
    if g["doc"]:
        return [f"〔{g['doc_year']}〕{canonical_number(g['doc_n'])}号"]
    if g["cp_num"]:
        return [canonical_number(g["cp_num"]) + "%"]
    if g["cp_cn"]:
        try:
            return [chinese_number(g["cp_cn"]) + "%"]
        except ValueError:  # e.g. 百分之十百: not a number, keep the text
            return [g["cp_cn"]]
    if g["num"]:
        value = canonical_number(g["num"])
        if g["pct"]:
            return [value + g["pct"]]
        if g["mag"]:
            return [value + g["mag"]] + ([g["mag_unit"]] if g["mag_unit"] else [])
        if g["unit"]:
            return [value + _UNIT_CANON.get(g["unit"], g["unit"])]
        return [value]
    return [g["latin"].lower()]


# --------------------------------------------------------------------------
# 3. jieba, lazily and once
# --------------------------------------------------------------------------

_lock = threading.Lock()
_tokenizer: Any = None  # jieba.Tokenizer once initialised
_stopwords: frozenset[str] = frozenset()


def _read_lines(path: Path) -> list[str]:
    """Non-empty lines without '#' comments."""
    lines = []
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.split("#", 1)[0].strip()
        if line:
            lines.append(line)
    return lines


def load_domain_dict(path: Path = DOMAIN_DICT_PATH) -> list[tuple[str, int]]:
    """`word freq` pairs from the domain dictionary."""
    entries = []
    for line in _read_lines(path):
        word, freq = line.split()
        entries.append((word, int(freq)))
    return entries


def load_stopwords(path: Path = STOPWORDS_PATH) -> frozenset[str]:
    return frozenset(_read_lines(path))


def _new_jieba() -> tuple[Any, str]:
    """A fresh tokenizer and the name of the package that made it.

    jieba-next (a Rust port) gives the same tokens as jieba on the corpus and
    on 3,000 fuzzed strings, about 3x faster; jieba is the fallback when its
    wheel is unavailable. Both share the API used here (cut, get_DAG, calc,
    add_word, FREQ).
    """
    try:
        import jieba_next

        return jieba_next.Tokenizer(), "jieba-next"
    except ImportError:
        import jieba

        return jieba.Tokenizer(), "jieba"


def _get_tokenizer() -> Any:
    """The shared jieba tokenizer; built once, on first use, under a lock."""
    global _tokenizer, _stopwords
    tk = _tokenizer
    if tk is not None:
        return tk
    with _lock:
        if _tokenizer is not None:
            return _tokenizer
        t0 = time.perf_counter()
        tk, backend = _new_jieba()
        # jieba attaches its own DEBUG-level stderr handler at import and
        # prints four lines per initialise; mute just that call.
        jlog = logging.getLogger("jieba")
        old_level = jlog.level
        jlog.setLevel(logging.WARNING)
        try:
            tk.initialize()
        finally:
            jlog.setLevel(old_level)
        words = load_domain_dict()
        for word, freq in words:
            # never lower a frequency jieba already has
            tk.add_word(word, max(freq, tk.FREQ.get(word) or 0))
        _stopwords = load_stopwords()
        tk.lcut("初始化")  # builds any lazily derived state before publishing
        _tokenizer = tk
        logger.debug(
            "%s ready in %.2fs: %d domain words, %d stop-words",
            backend, time.perf_counter() - t0, len(words), len(_stopwords),
        )
        return tk


def _is_cjk(ch: str) -> bool:
    return "\u3400" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff" or "\U00020000" <= ch <= "\U0003ffff"


@functools.lru_cache(maxsize=1 << 16)
def _sub_words(word: str) -> tuple[str, ...]:
    """Dictionary words (2+ chars) a CJK word is made of, recursively.

    Uses jieba's own best-path search with the whole-word edge removed, so
    the parts are the ones jieba would pick if the compound were not in the
    dictionary.
    """
    tk = _get_tokenizer()
    n = len(word)
    dag = tk.get_DAG(word)
    dag[0] = [x for x in dag[0] if x != n - 1] or [0]
    route: dict[int, tuple[float, int]] = {}
    tk.calc(word, dag, route)
    out: list[str] = []
    i = 0
    while i < n:
        j = route[i][1] + 1
        piece = word[i:j]
        if len(piece) >= 2:
            out.append(piece)
            if len(piece) >= 3:
                out.extend(_sub_words(piece))
        i = j
    return tuple(out)


def _has_word_char(token: str) -> bool:
    return any(ch.isalnum() for ch in token)


def _cjk_tokens(segment: str, out: list[str]) -> None:
    tk = _get_tokenizer()
    stop = _stopwords
    for tok in tk.cut(segment):
        tok = tok.strip()
        if not tok or tok in stop or not _has_word_char(tok):
            continue
        tok = tok.lower()  # non-ASCII letters jieba passed through (Greek…)
        out.append(tok)
        if len(tok) >= 3 and all(_is_cjk(c) for c in tok):
            out.extend(s for s in _sub_words(tok) if s not in stop)


# --------------------------------------------------------------------------
# 4. The entry point
# --------------------------------------------------------------------------


def tokenize(text: str) -> list[str]:
    """Text → BM25 tokens (same function for chunks and queries).

    Never returns whitespace or punctuation tokens; '' or whitespace → [].
    """
    if not text or text.isspace():
        return []
    text = simplified(normalize_text(text))  # a 繁體 copy gives the tokens its simplified reading would
    _get_tokenizer()  # also loads the stop-words
    stop = _stopwords
    out: list[str] = []
    pos = 0
    for m in NUMBER_RE.finditer(text):
        if m.start() > pos:
            _cjk_tokens(text[pos : m.start()], out)
        out.extend(t for t in number_tokens(m) if t not in stop)
        pos = m.end()
    if pos < len(text):
        _cjk_tokens(text[pos:], out)
    return out


def word_spans(text: str) -> list[tuple[str, int]]:
    """(word, start offset) of jieba's segmentation of `text` with the domain dictionary — words only,
    no sub-words, offsets into `text` as given (for phrase-level matching such as qa.search.abbrev)."""
    if not text:
        return []
    return [(w, start) for w, start, _ in _get_tokenizer().tokenize(text) if w.strip()]
