#!/usr/bin/env bash
# Creates .venv/ with Python 3.10 and installs the pinned dependencies.
# Re-running is cheap: nothing is installed when the requirement files are unchanged.
# Usage: scripts/install.sh [--dev]
set -euo pipefail
cd "$(dirname "$0")/.."
files=(requirements.txt constraints.txt)
if [ "${1:-}" = "--dev" ]; then files+=(requirements-dev.txt); fi
stamp=".venv/.installed-$(cat "${files[@]}" | sha256sum | cut -c1-16)"
if [ -f "$stamp" ]; then exit 0; fi
if [ ! -x .venv/bin/python ]; then
  python="$(scripts/find_python.sh)"
  echo "Creating .venv with $python"
  "$python" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade "pip==24.0"
args=()
for f in "${files[@]}"; do
  if [ "$f" = constraints.txt ]; then args+=(-c "$f"); else args+=(-r "$f"); fi
done
echo "Installing dependencies into .venv (a few minutes the first time)..."
.venv/bin/python -m pip install --quiet --disable-pip-version-check "${args[@]}"
rm -f .venv/.installed-*
touch "$stamp"
