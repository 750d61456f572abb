#!/usr/bin/env bash
# Installs LossLab with its test extras and Debian's Chromium (for the browser tests),
# then runs the whole test suite. No browser is downloaded by any Python package.
set -euo pipefail
cd "$(dirname "$0")/.."

python -m pip install --quiet --upgrade pip
python -m pip install --quiet -e ".[test]"

if [ ! -x /usr/bin/chromium ]; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -q && apt-get install -y -q chromium
  elif command -v sudo >/dev/null; then
    sudo apt-get update -q && sudo apt-get install -y -q chromium
  else
    echo "The browser tests need Debian's chromium at /usr/bin/chromium: install it (apt-get install chromium) and run again." >&2
    exit 1
  fi
fi

# pytest exits 5 when it collects nothing; that is a failure here too.
python -m pytest "$@"
