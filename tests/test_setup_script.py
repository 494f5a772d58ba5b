"""setup.sh --with-browser must not re-run apt-get when Chromium and the CJK font are installed.

Before: `fc-list | grep -q` under `set -o pipefail` — grep exits at the first match, fc-list dies of
SIGPIPE writing the rest, the pipeline "fails", and apt-get ran again in 24 of 40 tries.
Here every tool setup.sh calls is a stand-in on PATH (no pip, no apt), with a long fc-list output.
"""
from __future__ import annotations

import os
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_installed_browser_and_font_skip_apt(tmp_path):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    marker = tmp_path / "apt-ran"
    fonts = tmp_path / "fonts.txt"
    # the font first, then enough other fonts that fc-list is still writing when grep -q would stop
    fonts.write_text("/usr/share/fonts/wqy-zenhei.ttc: WenQuanYi Zen Hei:style=Regular\n"
                     + "".join(f"/usr/share/fonts/other{i}.ttf: Other {i}:style=Regular\n" for i in range(20000)))
    stubs = {
        "python": "exit 0",  # pip install
        "chromium": "exit 0",
        "fc-list": f'cat "{fonts}"',
        "apt-get": f'echo "$@" >> "{marker}"',
    }
    for name, body in stubs.items():
        (bin_dir / name).write_text(f"#!/usr/bin/env bash\n{body}\n")
        (bin_dir / name).chmod(0o755)
    env = {**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}"}
    for _ in range(10):
        proc = subprocess.run(["bash", str(ROOT / "setup.sh"), "--with-browser"], env=env, capture_output=True,
                              text=True, timeout=60)
        assert proc.returncode == 0, proc.stderr
        assert "setup done" in proc.stdout
    assert not marker.exists(), f"apt-get ran: {marker.read_text()}"


def test_missing_font_runs_apt(tmp_path):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    marker = tmp_path / "apt-ran"
    for name, body in {"python": "exit 0", "chromium": "exit 0", "fc-list": "echo 'DejaVu Sans'",
                       "apt-get": f'echo "$@" >> "{marker}"'}.items():
        (bin_dir / name).write_text(f"#!/usr/bin/env bash\n{body}\n")
        (bin_dir / name).chmod(0o755)
    env = {**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}"}
    proc = subprocess.run(["bash", str(ROOT / "setup.sh"), "--with-browser"], env=env, capture_output=True,
                          text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert "install" in marker.read_text()
