#!/usr/bin/env bash
# Installs LossLab with its test extras, Debian's Chromium and axe-core (for the browser tests)
# and Debian's redis-server (for classes shared between processes),
# then runs the whole test suite. No browser is downloaded by any Python package.
set -euo pipefail
cd "$(dirname "$0")/.."

python -m pip install --quiet --upgrade pip
python -m pip install --quiet -e ".[test]"

# A Debian package, with apt-get as root or through sudo: install_debian PACKAGE WHAT_NEEDS_IT
install_debian() {
  if [ "$(id -u)" = 0 ]; then
    apt-get update -q && apt-get install -y -q "$1"
  elif command -v sudo >/dev/null; then
    sudo apt-get update -q && sudo apt-get install -y -q "$1"
  else
    echo "$2 need $1: install it (apt-get install $1) and run again." >&2
    exit 1
  fi
}

[ -x /usr/bin/chromium ] || install_debian chromium "The browser tests"
command -v redis-server >/dev/null || install_debian redis-server "The class tests across processes"

# axe-core, the accessibility check the browser tests run inside the page, from the npm registry
# at the version tests/browser/package-lock.json pins (the page itself never loads it).
command -v npm >/dev/null || install_debian npm "The browser tests (to install axe-core)"
npm ci --prefix tests/browser --no-audit --no-fund --silent

# pytest exits 5 when it collects nothing; that is a failure here too.
python -m pytest "$@"
