#!/usr/bin/env bash
# Checks every Python package installed beside LossLab (its dependencies and test tools, at the
# exact versions installed) for known vulnerabilities, with pip-audit.
#
# It needs the network: pip-audit asks a vulnerability service about each package (PyPI's JSON
# API by default; `-s osv` asks OSV instead). That is why CI does not run it. Run it by hand on a
# machine that can reach the service:
#
#   bash tests/audit.sh            # audit; exits non-zero on a known vulnerability
#   bash tests/audit.sh -s osv     # the same against OSV
#   bash tests/audit.sh --dry-run  # offline: only list what would be audited
#
# PYTHON names the interpreter of the environment LossLab is installed in (default: python).
# pip-audit is installed once into its own environment (LOSSLAB_AUDIT_VENV, default
# ~/.cache/losslab-audit), so that it never changes the versions it audits.
set -euo pipefail
cd "$(dirname "$0")/.."

python=${PYTHON:-python}
tools=${LOSSLAB_AUDIT_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/losslab-audit}

if [ ! -x "$tools/bin/pip-audit" ]; then
  "$python" -m venv "$tools"
  "$tools/bin/python" -m pip install --quiet pip-audit
fi

# The installed versions, pinned; LossLab itself is not a published package, so it is left out.
requirements=$(mktemp)
trap 'rm -f "$requirements"' EXIT
"$python" -m pip freeze --exclude-editable --exclude losslab > "$requirements"
echo "Auditing $(wc -l < "$requirements") installed packages of $("$python" -c 'import sys; print(sys.prefix)')"

# --strict: a package the service cannot answer for fails the audit instead of passing unchecked.
"$tools/bin/pip-audit" --requirement "$requirements" --no-deps --disable-pip --strict \
  --progress-spinner off "$@"
