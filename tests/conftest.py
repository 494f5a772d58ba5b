"""Shared fixtures: a retriever over the real corpus with a fake encoder (fast,
deterministic) and one with the real bundled model (marked `model`)."""
from __future__ import annotations

import logging

import pytest

logging.getLogger("jieba").setLevel(logging.WARNING)
logging.getLogger("jieba_next").setLevel(logging.WARNING)


@pytest.fixture(scope="session")
def fake_retriever(tmp_path_factory):
    from qa.encoder import FakeEncoder
    from qa.retriever import Retriever

    return Retriever.load(index_dir=tmp_path_factory.mktemp("fake-index"), encoder=FakeEncoder())


@pytest.fixture(scope="session")
def real_retriever():
    """The default index over corpus/ with multilingual-e5-small (built if missing)."""
    from qa.retriever import Retriever

    return Retriever.load()
