"""Where the index lives: the store behind the retriever.

`base.Store` is the small interface `qa.search.retriever.Retriever` searches through;
`embedded.EmbeddedStore` adapts today's files + faiss (`qa.indexing.index_store`), and
`postgres.PgStore` keeps the same index in PostgreSQL + pgvector so several
app processes can share one database.  `open_store` picks one.
"""
from __future__ import annotations

import os

DATABASE_ENV = "QA_DATABASE_URL"


def database_url(explicit: str | None = None) -> str | None:
    """The database URL to use: an explicit one, else $QA_DATABASE_URL, else None (embedded)."""
    url = explicit or os.environ.get(DATABASE_ENV) or None
    if url is not None and not url.startswith(("postgresql://", "postgres://")):
        raise ValueError(f"database URL must start with postgresql://, not {url[:20]!r}")
    return url
