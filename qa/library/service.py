"""The running app's library: background index updates, atomic switch, hot reload.

`LibraryBackend` is the chat/API `Backend` plus:
- `progress`: the stage and counts of the build in flight (the first build at
  start-up, or an update after an upload/removal) for the status line;
- `submit_update()`: rebuild the index in a background thread (only changed
  chunks are embedded: the build reuses every cached vector), then switch the
  running app to it with one reference assignment;
- a watcher that notices `index/CURRENT` naming another build (`python -m qa
  build` in a shell) and switches to it too;
- questions in flight keep the retriever they started with (pinned per
  thread), so a switch never mixes two indexes inside one answer.
"""
from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, replace
from pathlib import Path

from ..indexing import index_store
from ..web.api import Backend
from .store import Library

log = logging.getLogger(__name__)

WATCH_SECONDS = 2.0  # how often index/CURRENT is looked at
STAGE_LABELS = {"loading": "读取索引", "chunking": "切分段落", "embedding": "嵌入段落", "writing": "写入索引",
                "switching": "切换索引", "warmup": "加载模型"}
STAGE_LABELS_EN = {"loading": "reading the index", "chunking": "splitting passages", "embedding": "embedding passages",
                   "writing": "writing the index", "switching": "switching to the new index", "warmup": "loading the model"}


@dataclass(frozen=True, slots=True)
class Progress:
    stage: str = ""  # "" when idle
    done: int = 0
    total: int = 0
    reason: str = ""  # what the build is for (e.g. "added doc-…")
    started: float = 0.0


@dataclass(frozen=True, slots=True)
class JobState:
    """The last library update, for the API and the page."""

    id: int = 0
    state: str = "idle"  # idle | queued | running | done | failed
    reason: str = ""
    error: str = ""
    build: str = ""  # the build it switched to
    embedded: int = 0
    seconds: float = 0.0


class LibraryBackend(Backend):
    def __init__(self, retriever=None, *, loader=None, feedback_log=None, index_dir: Path, corpus_dir: Path,
                 library: Library, watch: bool = True):
        super().__init__(retriever, loader=loader, feedback_log=feedback_log)
        self.index_dir = Path(index_dir)
        self.corpus_dir = Path(corpus_dir)
        self.library = library
        self.progress = Progress()
        self.job = JobState()
        self._pin = threading.local()
        self._jobs = threading.Condition()
        self._pending: list[str] = []  # reasons waiting for the next build
        self._worker: threading.Thread | None = None
        self._watch = watch
        self._stop = threading.Event()

    # ------------------------------------------------------------ build id and status
    @property
    def build_id(self) -> str:
        r = self.retriever
        return r.build_id if r is not None else ""

    def report(self, stage: str, done: int, total: int) -> None:
        """The `progress` callback given to index builds."""
        p = self.progress
        self.progress = Progress(stage, done, total, p.reason, p.started or time.monotonic())

    def progress_text(self, lang: str = "zh") -> str:
        p = self.progress
        if not p.stage:
            return ""
        en = lang == "en"
        label = (STAGE_LABELS_EN if en else STAGE_LABELS).get(p.stage, p.stage)
        counts = f" {p.done}/{p.total}" if p.total else ""
        if not p.started:
            return f"{label}{counts}"
        took = f"{time.monotonic() - p.started:.0f}"
        return f"{label}{counts}, {took} s so far" if en else f"{label}{counts}，已用 {took} 秒"

    def status(self, lang: str = "zh") -> str:
        en = lang == "en"
        if self.retriever is None and not self.error:
            step = self.progress_text(lang) or ("reading the index" if en else "读取索引")
            if en:
                return f"Building the index — {step} (a first start takes a minute or two)"
            return f"状态：正在建立索引 —— {step}（首次启动需要一两分钟）"
        base = super().status(lang)
        if self.job.state in ("queued", "running"):
            step = self.progress_text(lang) or ("queued" if en else "排队中")
            return f"{base}; updating the index — {step}" if en else f"{base}；正在更新索引 —— {step}"
        if self.job.state == "failed":
            return f"{base}; the last update failed: {self.job.error}" if en else f"{base}；上次更新失败：{self.job.error}"
        return base

    # ------------------------------------------------------------ loading
    def start(self) -> None:
        super().start()
        if self._watch and not getattr(self, "_watcher", None):
            self._watcher = threading.Thread(target=self._watch_loop, name="qa-index-watch", daemon=True)
            self._watcher.start()

    def _load(self) -> None:
        self.progress = Progress("loading", 0, 0, "start", time.monotonic())
        try:
            super()._load()
        finally:
            self.progress = Progress()

    def stop(self) -> None:
        self._stop.set()
        with self._jobs:
            self._jobs.notify_all()

    # ------------------------------------------------------------ pinning
    def require(self):
        pinned = getattr(self._pin, "retriever", None)
        return pinned if pinned is not None else super().require()

    def ask(self, *args, **kwargs):
        # one retriever for the whole answer, even if the index switches meanwhile
        self._pin.retriever = super().require()
        try:
            return super().ask(*args, **kwargs)
        finally:
            self._pin.retriever = None

    # ------------------------------------------------------------ updates
    def submit_update(self, reason: str) -> JobState:
        """Queue an index update (several queued ones become one build); returns the job state."""
        with self._jobs:
            self._pending.append(reason)
            self.job = JobState(id=self.job.id + 1, state="queued", reason="; ".join(self._pending))
            if self._worker is None or not self._worker.is_alive():
                self._worker = threading.Thread(target=self._work, name="qa-index-update", daemon=True)
                self._worker.start()
            self._jobs.notify_all()
            return self.job

    def wait_idle(self, timeout: float = 600.0) -> JobState:
        """Block until no update is queued or running (tests, CLI-style callers)."""
        deadline = time.monotonic() + timeout
        with self._jobs:
            while self.job.state in ("queued", "running") and time.monotonic() < deadline:
                self._jobs.wait(0.2)
        return self.job

    def _work(self) -> None:
        while not self._stop.is_set():
            with self._jobs:
                if not self._pending:
                    self._worker = None  # under the lock: a submit from now on starts a new worker
                    return
                reasons, self._pending = self._pending, []
                job = self.job = replace(self.job, state="running", reason="; ".join(reasons))
            started = time.monotonic()
            self.progress = Progress("chunking", 0, 0, job.reason, started)
            try:
                r = self._wait_ready()
                params = r.manifest["params"]
                if r.in_database:
                    done = replace(job, state="done", seconds=0.0, **self._sync_database(r, params))
                else:
                    data = index_store.build(self.index_dir, self.corpus_dir, r.encoder, params, progress=self.report)
                    self.report("switching", 0, 0)
                    self._switch(data, r.encoder)
                    done = replace(job, state="done", build=data.directory.name,
                                   embedded=int(data.manifest["counts"]["embedded"]))
                done = replace(done, seconds=round(time.monotonic() - started, 2))
            except Exception as e:  # the old index keeps serving; the page says what failed
                log.exception("library update failed (%s)", job.reason)
                done = replace(job, state="failed", error=f"{type(e).__name__}: {e}")
            with self._jobs:
                self.progress = Progress()
                # a newer submit while building keeps its own queued state
                self.job = done if not self._pending else replace(self.job, state="queued")
                self._jobs.notify_all()

    def _sync_database(self, r, params) -> dict:
        """A database store: the change goes into the shared database in one transaction (every
        app process on it sees it within a second), not into a local index/ build."""
        from ..store.postgres import sync

        self.report("embedding", 0, 0)
        sync(r._store.url, self.corpus_dir, r.encoder, params)
        self.report("switching", 0, 0)
        r.refresh(force=True)
        return {"build": r.build_id, "embedded": int(r.manifest.get("counts", {}).get("embedded", 0))}

    def _wait_ready(self):
        while self.retriever is None:
            if self.error:
                raise RuntimeError(f"the index never loaded: {self.error}")
            time.sleep(0.2)
        return self.retriever

    def _switch(self, data: index_store.IndexData, encoder) -> None:
        from ..search.retriever import Retriever

        r = Retriever(data, encoder, corpus_dir=self.corpus_dir)
        self.retriever = r  # the atomic switch: new questions get r, answers in flight keep theirs
        log.info("switched to index %s (%d documents, %d chunks)", data.directory.name, len(r.metas), len(r.chunks))

    # ------------------------------------------------------------ hot reload
    def _watch_loop(self) -> None:
        while not self._stop.wait(WATCH_SECONDS):
            try:
                self.check_current()
            except Exception:  # never let the watcher die; the next look may succeed
                log.exception("checking %s/CURRENT failed", self.index_dir)

    def check_current(self) -> bool:
        """Switch to the build index/CURRENT names if it is not the one serving; True if switched."""
        r = self.retriever
        if r is None or self.job.state in ("queued", "running"):
            return False  # our own build will switch when done
        if r.in_database:
            return False  # index/CURRENT is the embedded index's; a database store refreshes itself
        live = index_store.current_build(self.index_dir)
        if live is None or live.name == self.build_id:
            return False
        try:
            data = index_store.load(self.index_dir)
        except index_store.IndexUnusable as e:  # mid-switch or damaged: keep serving, look again later
            log.warning("index/CURRENT changed but the build cannot be used yet: %s", e)
            return False
        if data.manifest.get("model_id") != r.encoder.model_id:
            log.warning("index %s was built with %s, not %s; not switching", data.directory.name,
                        data.manifest.get("model_id"), r.encoder.model_id)
            return False
        self._switch(data, r.encoder)
        return True
