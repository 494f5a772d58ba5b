"""Issue 14, the index: loads racing builds, a bad CURRENT, hostile manifests, a full disk."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from qa.indexing import index_store
from qa.web.api import Backend
from qa.indexing.dense import DenseIndex
from qa.embed.encoder import FakeEncoder
from qa.search.retriever import DEFAULT_PARAMS, Retriever

ROOT = Path(__file__).resolve().parents[1]
PARAMS = {**DEFAULT_PARAMS, "dense_kind": "flat"}


@pytest.fixture
def built(tmp_path):
    corpus = tmp_path / "corpus"
    shutil.copytree(ROOT / "corpus", corpus)
    root = tmp_path / "index"
    index_store.build(root, corpus, FakeEncoder(), PARAMS)
    return root, corpus


def in_thread(fn, timeout=60):
    """fn() in a daemon thread: (result, exception); fails the test instead of hanging."""
    box = {}

    def run():
        try:
            box["result"] = fn()
        except BaseException as e:  # noqa: BLE001 — handed to the test
            box["error"] = e

    t = threading.Thread(target=run, daemon=True)
    t.start()
    t.join(timeout)
    assert not t.is_alive(), f"still running after {timeout} s"
    return box.get("result"), box.get("error")


def test_a_build_switching_current_mid_load_is_followed(built, monkeypatch):
    # before: the load read the old build's files after a build had deleted them — an uncaught faiss
    # RuntimeError (1 of 1,222 loads during 6 builds); now it reads CURRENT again and loads the new build
    root, corpus = built
    first = index_store.current_build(root)
    real_load = DenseIndex.load
    calls = []

    def load_after_a_build(directory, **kwargs):
        calls.append(directory)
        if len(calls) == 1:  # a whole build lands between the checksums and the faiss read
            index_store.build(root, corpus, FakeEncoder(), PARAMS)
        return real_load(directory, **kwargs)

    monkeypatch.setattr(DenseIndex, "load", staticmethod(load_after_a_build))
    data = index_store.load(root)
    assert data.directory != first and data.directory == index_store.current_build(root)
    assert not first.exists() and calls[-1] == data.directory


def test_loads_during_builds_never_fail(built):
    root, corpus = built
    errors, loads = [], [0]
    stop = threading.Event()

    def loader():
        while not stop.is_set():
            try:
                index_store.load(root)
                loads[0] += 1
            except Exception as e:  # noqa: BLE001 — counted
                errors.append(repr(e))

    threads = [threading.Thread(target=loader, daemon=True) for _ in range(2)]
    for t in threads:
        t.start()
    try:
        for _ in range(4):
            index_store.build(root, corpus, FakeEncoder(), PARAMS)
    finally:
        stop.set()
        for t in threads:
            t.join(timeout=60)
    assert loads[0] > 0 and errors == []


@pytest.mark.parametrize("kind", ["directory", "bad-utf8", "fifo"])
def test_bad_current_is_named(built, kind):
    # before: a CURRENT that is a directory or invalid UTF-8 left the app "not ready" without naming it
    root, corpus = built
    pointer = root / "CURRENT"
    pointer.unlink()
    if kind == "directory":
        pointer.mkdir()
    elif kind == "fifo":
        os.mkfifo(pointer)  # reading it would block for ever
    else:
        pointer.write_bytes(b"\xff\xfe\x80build\n")
    _, error = in_thread(lambda: index_store.load(root))
    assert isinstance(error, index_store.IndexUnusable)
    assert str(pointer) in str(error) and "python -m qa build" in str(error)

    backend = Backend(loader=lambda: Retriever.load(root, corpus, encoder=FakeEncoder()))
    backend.start()
    backend._thread.join(timeout=120)
    # a bad pointer file is rebuilt over where it can be; a directory cannot be, and the error says where
    assert backend.ready or "CURRENT" in backend.error


@pytest.mark.parametrize("member", ["/dev/zero", "../../../../etc/passwd", "link"])
def test_manifest_listing_outside_files_is_refused_at_once(built, member):
    # before: a manifest listing /dev/zero made the checksum read it for ever
    root, _ = built
    build = index_store.current_build(root)
    if member == "link":
        (build / "link").symlink_to("/etc/passwd")
    manifest = json.loads((build / "manifest.json").read_text(encoding="utf-8"))
    manifest["files"][member] = {"sha256": "0" * 64, "bytes": 0}  # /dev/zero has size 0: its sha256 was read for ever
    (build / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    _, error = in_thread(lambda: index_store.load(root), timeout=30)
    assert isinstance(error, index_store.IndexUnusable)
    assert "not a file name inside the build" in str(error) or "not a regular file" in str(error)


def test_disk_full_build_names_the_directory_and_what_to_do(tmp_path):
    # before: OSError '57600 requested and 10208 written' (faiss), nothing about where or what to do.
    # A file-size limit makes the writes fail the way a full disk does.
    root = tmp_path / "index"
    code = """
import resource, signal, sys
from pathlib import Path
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
from qa.indexing import index_store
from qa.embed.encoder import FakeEncoder
from qa.search.retriever import DEFAULT_PARAMS
resource.setrlimit(resource.RLIMIT_FSIZE, (200_000, 200_000))
try:
    index_store.build(Path(sys.argv[1]), Path("corpus"), FakeEncoder(), {**DEFAULT_PARAMS, "dense_kind": "flat"})
except OSError as e:
    print(e)
    sys.exit(3)
"""
    proc = subprocess.run([sys.executable, "-c", code, str(root)], cwd=ROOT, capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 3, proc.stderr[-2000:]
    assert str(root) in proc.stdout and "full" in proc.stdout and "--index" in proc.stdout
    assert index_store.current_build(root) is None and not any((root / "builds").iterdir())
