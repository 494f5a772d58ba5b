"""`python -m qa db start DIR [--port P]`, `db stop DIR`, `db init`: the PostgreSQL side."""
from __future__ import annotations

import sys
from pathlib import Path


def cmd_db_start(args) -> int:
    from ..store.postgres.server import ServerError, start

    try:
        url = start(args.dir, port=args.port)
    except ServerError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    print(url)
    print(f"use it with: export QA_DATABASE_URL={url}   (stop it with: python -m qa db stop {args.dir})",
          file=sys.stderr)
    return 0


def cmd_db_stop(args) -> int:
    from ..store.postgres.server import ServerError, stop

    try:
        stopped = stop(args.dir)
    except ServerError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    print("stopped" if stopped else f"no server running in {args.dir}")
    return 0


def cmd_db_init(args) -> int:
    from ..store import database_url
    from ..store.postgres import SchemaError, connect, init

    try:
        url = database_url(args.database_url)
    except ValueError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    if url is None:
        print("error: no database: pass --database-url URL or set QA_DATABASE_URL", file=sys.stderr)
        return 2
    try:
        with connect(url) as conn:
            before, after = init(conn)
    except SchemaError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    print(f"schema version {after}" + (" (up to date)" if before == after else f" (was {before or 'empty'})"))
    return 0


def add_db_commands(sub) -> None:
    db = sub.add_parser("db", help="PostgreSQL: start/stop a local server, create or migrate the schema")
    dsub = db.add_subparsers(dest="db_cmd", required=True)
    s = dsub.add_parser("start", help="start a local PostgreSQL + pgvector in DIR (created if new); prints its URL")
    s.add_argument("dir", type=Path)
    s.add_argument("--port", type=int, default=None, help="TCP port on 127.0.0.1 (default: a free one)")
    s.set_defaults(func=cmd_db_start)
    t = dsub.add_parser("stop", help="stop the local server in DIR")
    t.add_argument("dir", type=Path)
    t.set_defaults(func=cmd_db_stop)
    i = dsub.add_parser("init", help="create or migrate the schema in --database-url / $QA_DATABASE_URL")
    i.set_defaults(func=cmd_db_init)
