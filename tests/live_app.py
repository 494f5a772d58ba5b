"""Start `python app.py` on a free loopback port for a test, and stop it (by pid)."""
from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def live_app(tmp: Path, *, timeout: float):
    """Yield (base_url, feedback_log, app_log) once /api/health says ready."""
    port = free_port()
    log_path, feedback = tmp / "app.log", tmp / "feedback.jsonl"
    env = {**os.environ, "QA_FEEDBACK_LOG": str(feedback), "GRADIO_ANALYTICS_ENABLED": "False"}
    with log_path.open("w") as log:
        proc = subprocess.Popen([sys.executable, "app.py", "--host", "127.0.0.1", "--port", str(port)], cwd=ROOT,
                                env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    started = time.monotonic()
    try:
        while True:
            if proc.poll() is not None:
                pytest.fail(f"app.py exited with {proc.returncode}:\n{log_path.read_text()[-3000:]}")
            try:
                with urllib.request.urlopen(base + "/api/health", timeout=2) as r:
                    health = json.loads(r.read())
                if health.get("ready"):
                    break
                if health.get("error"):
                    pytest.fail(f"the index failed to load: {health['error']}")
            except (OSError, ValueError):
                pass  # not listening yet
            if time.monotonic() - started > timeout:
                pytest.fail(f"app.py not ready after {timeout} s:\n{log_path.read_text()[-3000:]}")
            time.sleep(0.5)
        yield base, feedback, log_path
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=20)


def wait_chat_ready(page, timeout: int = 60_000) -> None:
    """Wait until the chat input is enabled: the page's load event has restored the saved conversation.

    Typing earlier is impossible for a person (the field is disabled) and was a race for a test.
    """
    page.locator("#qa-input textarea").wait_for(state="visible", timeout=timeout)
    page.wait_for_function("() => { const t = document.querySelector('#qa-input textarea'); return t && !t.disabled; }",
                           timeout=timeout)
