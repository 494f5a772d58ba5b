"""Index safety: `python -m qa build --force` killed (SIGKILL) mid-build never breaks the live index.

A template index is built once over a copy of the corpus; then a document is
changed (so a rebuild has real work to do) and, for each kill, a fresh copy of
the template is rebuilt by a subprocess that is killed

* at a named stage of `index_store.build` — the subprocess announces each stage
  on stdout and, at the one the test asks for, sleeps until it is killed
  (deterministic: every step between reading the corpus and deleting old builds), and
* after a fixed delay, wherever it happens to be (imports, tokenising, writing…).

After every kill the previous index must still load with the same answers (or,
after the CURRENT flip, the new complete one), nothing half-written may be live,
and the next normal load must reuse the live build or rebuild cleanly.

The subprocess runs `python -m qa` through a small bootstrap (`BOOT`) that swaps in
the deterministic FakeEncoder and the stage announcements by monkeypatching — so the
library has no test-only switch, and a build takes ~1 s instead of a model load.
"""
from __future__ import annotations

import os
import queue
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from qa.indexing import index_store
from qa.embed.encoder import FakeEncoder
from qa.search.retriever import Retriever

ROOT = Path(__file__).resolve().parent.parent
QUERIES = ["哪个区要求严重精神障碍患者报告患病率不低于4.5%？", "Which district targets a 4.5% reported prevalence?",
           "鼓楼区补助标准", "安宁疗护", "周卫健字〔2021〕20号"]
CHANGED_DOC = "001_2c24e101aae37e8e.txt"
# build() order; the CURRENT flip happens between "pointer-written" and "flipped"
STAGES = ["corpus", "embedding", "chunks-written", "files-written", "before-rename", "renamed", "pointer-written",
          "flipped", "removing-old"]
BEFORE_FLIP = STAGES[: STAGES.index("flipped")]
BOOT = r"""
import os, runpy, sys, time
from qa.embed import encoder
from qa.indexing import index_store

STOP = os.environ.get("KILL_AT", "")

def stage(name):
    print("STAGE", name, flush=True)
    if name == STOP:
        time.sleep(600)  # the test kills us here

class Fake(encoder.FakeEncoder):
    def encode_passages(self, texts, *, show_progress=False):
        stage("embedding")
        return super().encode_passages(texts, show_progress=show_progress)

encoder.get_default_encoder = Fake  # deterministic and fast; same model_id as FakeEncoder

def around(obj, name, before=None, after=None):
    fn = getattr(obj, name)
    def wrapped(*a, **kw):
        if before: stage(before(*a) if callable(before) else before)
        out = fn(*a, **kw)
        if after: stage(after(*a) if callable(after) else after)
        return out
    setattr(obj, name, wrapped)

around(index_store, "load_corpus", before="corpus")
around(index_store, "_write_jsonl", after="chunks-written")  # chunks.jsonl, the first file of the build
around(index_store, "_write_build", after="files-written")
around(index_store, "_remove_old_builds", before="removing-old")

INDEX = os.path.realpath(sys.argv[sys.argv.index("--index") + 1])
_replace = os.replace

def replace(src, dst, **kw):  # the two renames of build(): tmp dir -> builds/<name>, .CURRENT.tmp -> CURRENT
    ours = os.path.realpath(dst).startswith(INDEX + os.sep)
    flip = str(dst).endswith("CURRENT")
    if ours: stage("pointer-written" if flip else "before-rename")
    _replace(src, dst, **kw)
    if ours: stage("flipped" if flip else "renamed")

os.replace = replace
runpy.run_module("qa", run_name="__main__", alter_sys=True)
"""


def results(r: Retriever):
    return [[(h.chunk_id, h.score) for h in r.search(q, k=10, mode=m)] for q in QUERIES for m in r.MODES]


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """Old and changed corpus copies, a template index over the old one, and the answers of both."""
    tmp = tmp_path_factory.mktemp("kill")
    old, new = tmp / "corpus-old", tmp / "corpus-new"
    shutil.copytree(ROOT / "corpus", old)
    shutil.copytree(old, new)
    doc = new / CHANGED_DOC
    doc.write_text(doc.read_text(encoding="utf-8").replace("确保报告患病率不低于4.5%", "确保报告患病率不低于4.6%"),
                   encoding="utf-8")
    template = tmp / "template-index"
    old_answers = results(Retriever.load(template, old, encoder=FakeEncoder()))
    new_answers = results(Retriever.load(tmp / "reference-index", new, encoder=FakeEncoder()))
    assert old_answers != new_answers  # else the test could not tell the builds apart
    return {"old": old, "new": new, "template": template, "old_answers": old_answers, "new_answers": new_answers}


def _spawn(world, index: Path, kill_at: str = "") -> tuple[subprocess.Popen, "queue.Queue[str]"]:
    cmd = [sys.executable, "-c", BOOT, "--corpus", str(world["new"]), "build", "--force", "--index", str(index)]
    env = {**os.environ, "KILL_AT": kill_at, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    lines: queue.Queue[str] = queue.Queue()

    def pump():
        for line in proc.stdout:
            lines.put(line.strip())

    threading.Thread(target=pump, daemon=True).start()
    return proc, lines


def _kill(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGKILL)  # no cleanup handlers, no finally blocks: a power cut
    proc.wait(timeout=30)


def _stages_seen(lines: "queue.Queue[str]") -> list[str]:
    out = []
    while not lines.empty():
        line = lines.get()
        if line.startswith("STAGE "):
            out.append(line.split(" ", 1)[1])
    return out


def _check_after_kill(world, index: Path, before: str, flipped: bool) -> None:
    live = index_store.current_build(index)
    assert live is not None and not live.name.startswith(".tmp")
    if not flipped:
        assert live.name == before, "CURRENT moved to a build that was never finished"
    # what is live loads completely (every checksum verified) and answers as the build it claims to be
    data = index_store.load(index)
    assert Retriever(data, FakeEncoder()).search(QUERIES[0], k=1)
    assert results(Retriever(data, FakeEncoder())) == world["new_answers" if flipped else "old_answers"]
    if not flipped:  # a normal load over the old corpus reuses the old build as is
        r = Retriever.load(index, world["old"], encoder=FakeEncoder())
        assert not r.built_now and results(r) == world["old_answers"]
    # a normal load over the changed corpus uses the new build or rebuilds cleanly
    r = Retriever.load(index, world["new"], encoder=FakeEncoder())
    assert r.built_now is not flipped
    assert results(r) == world["new_answers"]
    if r.built_now:  # the rebuild cleared every leftover of the killed one
        assert [p.name for p in (index / "builds").iterdir()] == [index_store.current_build(index).name]


@pytest.mark.parametrize("stage", STAGES)
def test_kill_at_each_build_stage(world, tmp_path, stage):
    index = tmp_path / "index"
    shutil.copytree(world["template"], index)
    before = index_store.current_build(index).name
    proc, lines = _spawn(world, index, kill_at=stage)
    seen = []
    try:
        deadline = time.monotonic() + 120
        while stage not in seen:
            try:
                line = lines.get(timeout=0.5)
            except queue.Empty:
                if proc.poll() is not None and lines.empty():
                    pytest.fail(f"the build exited ({proc.returncode}) before stage {stage}; saw {seen}")
                if time.monotonic() > deadline:
                    pytest.fail(f"no stage {stage} within 120 s; saw {seen}")
                continue
            if line.startswith("STAGE "):
                seen.append(line.split(" ", 1)[1])
    finally:
        _kill(proc)
    assert [s for s in STAGES if s in seen] == STAGES[: STAGES.index(stage) + 1]  # the stages came in build order
    _check_after_kill(world, index, before, flipped=stage not in BEFORE_FLIP)


@pytest.fixture(scope="module")
def build_seconds(world, tmp_path_factory):
    """The control: the same subprocess left alone makes the changed corpus live, removes the old
    build, and says how long a whole run takes (so the timed kills spread over it on any machine)."""
    index = tmp_path_factory.mktemp("control") / "index"
    shutil.copytree(world["template"], index)
    started = time.monotonic()
    proc, lines = _spawn(world, index)
    assert proc.wait(timeout=120) == 0
    took = time.monotonic() - started
    time.sleep(0.05)
    assert _stages_seen(lines) == STAGES
    assert results(Retriever(index_store.load(index), FakeEncoder())) == world["new_answers"]
    assert len(list((index / "builds").iterdir())) == 1
    return took


def test_unkilled_build_completes(build_seconds):
    assert build_seconds > 0


@pytest.mark.parametrize("fraction", [0.15, 0.3, 0.5, 0.65, 0.75, 0.85, 0.9, 0.95, 1.0])
def test_kill_after_a_delay(world, build_seconds, tmp_path, fraction):
    index = tmp_path / "index"
    shutil.copytree(world["template"], index)
    before = index_store.current_build(index).name
    delay = fraction * build_seconds
    proc, lines = _spawn(world, index)
    try:
        proc.wait(timeout=delay)
    except subprocess.TimeoutExpired:
        pass
    finished = proc.poll() == 0
    _kill(proc)
    time.sleep(0.05)  # let the pump thread drain the pipe
    seen = _stages_seen(lines)
    print(f"killed after {delay:.2f} s of {build_seconds:.2f}: last stage {seen[-1] if seen else '(none: importing)'}"
          f"{' (the build had finished)' if finished else ''}")
    _check_after_kill(world, index, before, flipped="flipped" in seen)


# ---------------------------------------------------------------- damage not covered in test_index_store.py
@pytest.fixture()
def built(world, tmp_path):
    index = tmp_path / "index"
    shutil.copytree(world["template"], index)
    return index


@pytest.mark.parametrize("content", ["", "{", "[]", "null", "{}", '{"files": 3}', '{"files": {"docs.json": 1}}',
                                     "\udcff", "half", "no-files"])
def test_damaged_manifest_is_reported_and_rebuilt(world, built, content, caplog):
    manifest = index_store.current_build(built) / "manifest.json"
    text = manifest.read_text(encoding="utf-8")
    if content == "half":
        manifest.write_text(text[: len(text) // 2], encoding="utf-8")
    elif content == "no-files":  # valid, current, but vouching for no file: nothing would be verified
        import json

        manifest.write_text(json.dumps({**json.loads(text), "files": {}}), encoding="utf-8")
    elif content == "\udcff":  # not UTF-8 at all
        manifest.write_bytes(b"\xff\xfe\x00garbage")
    else:
        manifest.write_text(content, encoding="utf-8")
    # before: [] / null / {"files": 3} crashed with AttributeError or TypeError, and "files": {} loaded unverified
    with pytest.raises(index_store.IndexUnusable, match="manifest.json"):
        index_store.load(built)
    with caplog.at_level("WARNING"):
        r = Retriever.load(built, world["old"], encoder=FakeEncoder())
    assert r.built_now and "manifest.json" in caplog.text and "rebuilding" in caplog.text
    assert results(r) == world["old_answers"]


@pytest.mark.parametrize("pointer", ["20990101-000000-1-abcdef\n", "", "\n", "../../elsewhere\n"])
def test_current_pointing_nowhere_is_reported_and_rebuilt(world, built, pointer, caplog):
    (built / "CURRENT").write_text(pointer, encoding="utf-8")
    with pytest.raises(index_store.IndexUnusable) as e:
        index_store.load(built)
    if pointer.strip() and "/" not in pointer:
        assert "CURRENT names build '20990101-000000-1-abcdef', which does not exist" in str(e.value)
    with caplog.at_level("WARNING"):
        r = Retriever.load(built, world["old"], encoder=FakeEncoder())
    assert r.built_now and "rebuilding" in caplog.text
    assert results(r) == world["old_answers"]
    assert index_store.current_build(built).parent == built / "builds"


def test_missing_manifest_is_reported_and_rebuilt(world, built):
    (index_store.current_build(built) / "manifest.json").unlink()
    with pytest.raises(index_store.IndexUnusable, match="manifest.json is missing"):
        index_store.load(built)
    r = Retriever.load(built, world["old"], encoder=FakeEncoder())
    assert r.built_now and results(r) == world["old_answers"]
