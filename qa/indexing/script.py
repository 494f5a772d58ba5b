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
