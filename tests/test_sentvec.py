"""Sentence vectors kept next to the index are reused only for the very sentences they were made for."""
from __future__ import annotations

from types import SimpleNamespace

import numpy as np

import qa.answering.sentvec as sentvec
from qa.answering.sentvec import SentenceVectors


class CountingEncoder:
    model_id = "fake"

    def __init__(self):
        self.encoded = 0

    def encode_passages(self, texts):
        self.encoded += len(texts)
        return np.eye(len(texts), 4, dtype=np.float32)


def test_vectors_are_reused_and_recomputed_when_sentences_are_split_differently(tmp_path, monkeypatch):
    chunks = [SimpleNamespace(chunk_id="a#0", text="第一句。第二句。"), SimpleNamespace(chunk_id="a#1", text="第三句；第四句。")]
    enc = CountingEncoder()
    assert SentenceVectors(chunks, enc, tmp_path).warm() == "embedded 4 sentences"
    assert SentenceVectors(chunks, enc, tmp_path).warm() == "loaded" and enc.encoded == 4
    # the same count of sentences cut elsewhere: the stored rows belong to other sentences
    monkeypatch.setattr(sentvec, "split_sentences", lambda t: [(0, 2), (2, len(t))])
    assert SentenceVectors(chunks, enc, tmp_path).warm() == "embedded 4 sentences" and enc.encoded == 8
