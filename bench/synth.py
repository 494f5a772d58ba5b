"""Synthetic corpora, query sets and "real-like" vectors for the benchmark.

Chunks are random recombinations of the real documents' sentences, so the
tokenizer, the BM25 vocabulary and the chunk lengths behave like the real
corpus (only ~540 distinct sentences exist, so posting lists are *longer*
than a real 100k corpus would have: a pessimistic case for BM25 scoring).
Everything is a pure function of (size, seed): the build, baseline and serve
jobs regenerate the same corpus independently.
"""
from __future__ import annotations

import json
import random
import re
from functools import lru_cache

import numpy as np

from qa.corpus.chunking import chunk_corpus
from qa.corpus.documents import REPO_ROOT, load_corpus
from qa.records import Chunk, DocMeta

QUESTIONS = REPO_ROOT / "eval" / "questions.jsonl"
DOCS_FOR = {1000: 50, 10000: 200, 100000: 1000, 1000000: 10000}  # documents per corpus size
COMMON_DOCS = 50  # the first 50 documents are identical at every size (query variants use them)

_SENTENCE = re.compile(r"[^。；]+[。；]?")
_PROVINCES = ["河北省", "山西省", "辽宁省", "吉林省", "江苏省", "浙江省", "安徽省", "福建省", "江西省", "山东省",
              "河南省", "湖北省", "湖南省", "广东省", "四川省", "贵州省", "云南省", "陕西省", "甘肃省", "青海省"]
_FIRST = "东西南北中新青白金龙凤云山海江河湖林石长平安宁华兴光明清永文"
_SECOND = "山城湖江河阳源州林桥沙水门台丰宁安华明德"
_TITLES = ["{y}年{d}卫生健康工作要点", "{d}{y}年卫生健康重点工作安排", "{d}卫生健康工作总结和{y}年工作思路",
           "关于印发{d}{y}年基本公共卫生服务项目实施方案的通知"]


@lru_cache(maxsize=1)
def real_material() -> tuple[tuple[str, ...], tuple[tuple[str, ...], ...], tuple[DocMeta, ...]]:
    """(sentences, heading paths, catalogue) of the shipped corpus."""
    docs = load_corpus()
    chunks = chunk_corpus(docs)
    sentences = tuple(s for c in chunks for s in _SENTENCE.findall(c.text) if len(s.strip()) >= 4)
    paths = tuple(sorted({c.heading_path for c in chunks}))
    return sentences, paths, tuple(d.meta for d in docs)


def place_pool(seed: int) -> list[tuple[str, str, str]]:
    """(province, city, district) triples; district names are unique."""
    rng = random.Random(seed)
    names = [a + b + s for s in "区县" for a in _FIRST for b in _SECOND if a != b]
    rng.shuffle(names)
    cities = [a + b + "市" for a in _SECOND for b in _FIRST if a != b]
    rng.shuffle(cities)
    pool = [(rng.choice(_PROVINCES), cities[i % 150], d) for i, d in enumerate(names)]
    # ~1,300 two-character names cover 100k chunks; 1M needs ~10,000 documents: three-character
    # names after them, from their own generator so the smaller corpora stay exactly as they were
    more = random.Random(seed + 11)
    extra = [a + b + c + s for s in "区县" for a in _FIRST for b in _SECOND for c in _FIRST if len({a, b, c}) == 3]
    more.shuffle(extra)
    return pool + [(more.choice(_PROVINCES), cities[i % 150], d) for i, d in enumerate(extra)]


def metas(n_docs: int, seed: int) -> list[DocMeta]:
    """The 5 real documents' catalogue entries (so real questions steer), then fakes."""
    real = list(real_material()[2])
    pool = place_pool(seed)
    rng = random.Random(seed + 1)
    out = real[:n_docs]
    for i in range(len(out), n_docs):
        prov, city, dist = pool[i]
        year = rng.randint(2019, 2024)
        out.append(DocMeta(doc_id=f"syn-{i:04d}", file=f"synthetic/{i:04d}.txt",
                           title=rng.choice(_TITLES).format(y=year, d=dist), issuer=f"{city}{dist}卫生健康局",
                           province=prov, city=city, district=dist, year=year))
    return out


def corpus(n_chunks: int, seed: int, *, n_docs: int | None = None) -> tuple[list[DocMeta], list[Chunk]]:
    """n_chunks chunks of ~150–300 characters (mean ~220) spread evenly over the documents."""
    n_docs = n_docs or DOCS_FOR.get(n_chunks) or max(5, n_chunks // 100)
    sentences, paths, _ = real_material()
    docs = metas(n_docs, seed)
    rng = random.Random(seed * 1_000_003 + n_chunks)
    chunks = []
    for d, meta in enumerate(docs):
        count = n_chunks // n_docs + (1 if d < n_chunks % n_docs else 0)
        pos = 0
        for n in range(count):
            target, text = rng.randint(130, 250), ""  # + the last sentence's overshoot
            while len(text) < target:
                text += rng.choice(sentences)
            chunks.append(Chunk(chunk_id=f"{meta.doc_id}#{n}", doc_id=meta.doc_id, n=n, kind="body",
                                heading_path=rng.choice(paths), text=text, start=pos, end=pos + len(text)))
            pos += len(text)
    return docs, chunks


def real_like_vectors(real: np.ndarray, n: int, seed: int) -> np.ndarray:
    """n unit vectors built from real passage embeddings: normalise(r_j + a·r_k + noise).

    Pure random unit vectors would be far easier for HNSW and unlike e5, whose
    Chinese passages all sit in a narrow cone (pairwise cosine ≈ 0.9).  Mixing
    two real vectors and adding a little noise keeps that geometry (the job
    prints the cosine statistics of both sets to check it) while giving every
    row its own vector.
    """
    rng = np.random.default_rng(seed)
    out = np.empty((n, real.shape[1]), dtype=np.float32)
    for lo in range(0, n, 20000):  # in blocks: float64 temporaries for 100k×384 would be 300 MB
        m = min(20000, n - lo)
        j, k = rng.integers(0, len(real), m), rng.integers(0, len(real), m)
        v = real[j] + rng.uniform(0, 0.7, (m, 1)) * real[k] + rng.normal(0, 0.012, (m, real.shape[1]))
        out[lo:lo + m] = v / np.linalg.norm(v, axis=1, keepdims=True)
    return out


def cosine_stats(vectors: np.ndarray, seed: int, sample: int = 1000) -> dict[str, float]:
    """Mean/std pairwise cosine and mean nearest-neighbour cosine over a sample."""
    rng = np.random.default_rng(seed)
    idx = rng.choice(len(vectors), min(sample, len(vectors)), replace=False)
    s = vectors[idx] @ vectors[idx].T
    off = s[~np.eye(len(idx), dtype=bool)]
    np.fill_diagonal(s, -1)
    return {"mean": round(float(off.mean()), 3), "std": round(float(off.std()), 3),
            "nn": round(float(s.max(axis=1).mean()), 3)}


def queries(n: int, seed: int) -> tuple[list[str], list[tuple[str, str]]]:
    """(n search queries, filtered (query, district) pairs).

    The evaluation questions first (Chinese and English); beyond them, variants
    that name one of the common synthetic districts instead of the real one, so
    the gazetteer and place steering run on the synthetic corpora.
    """
    base = [json.loads(line)["question"] for line in QUESTIONS.read_text(encoding="utf-8").splitlines() if line.strip()]
    rng = random.Random(seed + 7)
    real_districts = [m.district for m in real_material()[2] if m.district]
    common = [d for _, _, d in place_pool(seed)[5:COMMON_DOCS]]
    if n <= len(base):
        picked = sorted(rng.sample(range(len(base)), n))
        out = [base[i] for i in picked]
    else:
        out = list(base)
        while len(out) < n:
            q, d = rng.choice(base), rng.choice(common)
            named = [r for r in real_districts if r in q or r[:-1] in q]
            out.append(q.replace(named[0][:-1], d[:-1]) if named else f"{d}{q}")
    filtered = [(rng.choice(out), rng.choice(real_districts + common)) for _ in range(max(10, n // 4))]
    return out, filtered
