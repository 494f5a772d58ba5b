"""The index in PostgreSQL + pgvector (see schema.py for the tables)."""
from __future__ import annotations

from pathlib import Path

from .connect import connect
from .schema import SchemaError, current_version, init
from .store import PgStore
from .writer import sync


def open_synced(url: str, corpus_dir: Path, encoder, params: dict, *, rebuild: bool = False,
                show_progress: bool = False) -> tuple[PgStore, bool]:
    """Sync corpus_dir into the database (creating the schema in an empty one) and open it.
    Returns (store, whether anything was written)."""
    with connect(url) as conn:
        if current_version(conn) == 0:
            init(conn)
    built = sync(url, corpus_dir, encoder, params, rebuild=rebuild, show_progress=show_progress)
    return PgStore(url), built


__all__ = ["PgStore", "SchemaError", "connect", "init", "open_synced", "sync"]
