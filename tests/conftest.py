"""Shared fixtures: a retriever over the real corpus with a fake encoder (fast,
deterministic) and one with the real bundled model (marked `model`)."""
from __future__ import annotations

import logging

import pytest

logging.getLogger("jieba").setLevel(logging.WARNING)
logging.getLogger("jieba_next").setLevel(logging.WARNING)


@pytest.fixture(scope="session")
def fake_retriever(tmp_path_factory):
    from qa.embed.encoder import FakeEncoder
    from qa.search.retriever import Retriever

    return Retriever.load(index_dir=tmp_path_factory.mktemp("fake-index"), encoder=FakeEncoder())


@pytest.fixture(scope="session")
def real_retriever():
    """The default index over corpus/ with multilingual-e5-small (built if missing)."""
    from qa.search.retriever import Retriever

    return Retriever.load()


@pytest.fixture(scope="session")
def pg_server():
    """A real PostgreSQL 16 + pgvector on 127.0.0.1 (see tests/pg_helpers.py), stopped at the end."""
    from pg_helpers import PgServer

    srv = PgServer()
    yield srv
    srv.stop()


@pytest.fixture(scope="session")
def pg_fake_retriever(pg_server):
    """The shipped corpus indexed in PostgreSQL with the fake encoder."""
    from qa.embed.encoder import FakeEncoder
    from qa.search.retriever import Retriever

    return Retriever.load(encoder=FakeEncoder(), database_url=pg_server.fresh_db())
