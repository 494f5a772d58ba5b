"""Traditional characters read as simplified, so a 繁體 copy of a plan is found and catalogued.

Government portals offer 繁體 versions and mirrors copy from them, so a plan can arrive as
長春市人民政府辦公室 while staff ask in simplified characters. Everything that *matches* text
(BM25 tokens, the embeddings, the gazetteer, the metadata extractor, the answer's highlights)
reads it through `simplified`; what is *shown and cited* stays as the document has it.

The conversion is OpenCC's t2s (phrase-aware: 乾隆 stays, 乾燥 → 干燥), from the `opencc`
package. It keeps the text's length (a phrase that would change it is converted character by
character), so an offset into the simplified reading is an offset into the original.
"""
from __future__ import annotations

import re
import threading

SCRIPT_VERSION = "t2s-1"  # part of the tokenizer's and the embedded text's version: bump with the conversion

_lock = threading.Lock()
_converter = None


def _get():
    global _converter
    if _converter is None:
        with _lock:
            if _converter is None:
                import opencc

                _converter = opencc.OpenCC("t2s")
    return _converter


def simplified(text: str) -> str:
    """`text` with traditional characters replaced by simplified ones, the same length."""
    if not text or text.isascii():
        return text
    conv = _get()
    out = conv.convert(text)
    if len(out) == len(text):
        return out
    # a phrase mapping changed the length somewhere: character by character keeps the offsets
    return "".join(c2 if len(c2 := conv.convert(ch)) == 1 else ch for ch in text)


# "岳陽(yáng)縣": some portals print a character's pinyin after it, so 岳阳县 is no longer one word for
# jieba, the gazetteer or a reader's search. A gloss is a bracketed syllable with a tone mark right after a
# CJK character; only a copy that does it habitually (three glosses at least) is read without them, so a
# lone "(ā)" in a real text stays.
PINYIN_GLOSS = re.compile(
    r"(?<=[\u3400-\u9fff\uf900-\ufaff])[(（]([a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüńňǹḿ]{1,6})[)）]")
_TONED = frozenset("āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜńňǹḿ")
MIN_PINYIN_GLOSSES = 3


def pinyin_glosses(text: str) -> list[tuple[int, int]]:
    """The (start, end) spans of the pinyin glosses of a copy that glosses habitually, else []."""
    spans = [m.span() for m in PINYIN_GLOSS.finditer(text) if _TONED & set(m.group(1))]
    return spans if len(spans) >= MIN_PINYIN_GLOSSES else []


def without_pinyin_glosses(text: str) -> str:
    """`text` with its habitual pinyin glosses removed: 岳陽(yáng)縣 → 岳陽縣."""
    spans = pinyin_glosses(text)
    if not spans:
        return text
    out, pos = [], 0
    for a, b in spans:
        out.append(text[pos:a])
        pos = b
    out.append(text[pos:])
    return "".join(out)
