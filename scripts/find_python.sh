#!/usr/bin/env bash
# Prints the path of a Python 3.10 interpreter (Rasa 3.6 runs on 3.8-3.10 only).
# Order: $PYTHON, python3.10 on PATH, pyenv's 3.10, ~/.pyenv/versions/3.10.*.
set -euo pipefail
is310() { "$1" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 10))' 2>/dev/null; }
for candidate in "${PYTHON:-}" "$(command -v python3.10 || true)"; do
  if [ -n "$candidate" ] && is310 "$candidate"; then echo "$candidate"; exit 0; fi
done
if command -v pyenv >/dev/null 2>&1; then
  for version in $(pyenv versions --bare 2>/dev/null | grep '^3\.10' | sort -V -r); do
    candidate="$(pyenv root)/versions/$version/bin/python"
    if is310 "$candidate"; then echo "$candidate"; exit 0; fi
  done
fi
for candidate in $(ls -d "$HOME"/.pyenv/versions/3.10*/bin/python 2>/dev/null | sort -V -r); do
  if is310 "$candidate"; then echo "$candidate"; exit 0; fi
done
echo "Python 3.10 not found. Install it (e.g. 'pyenv install 3.10.13') or set PYTHON=/path/to/python3.10." >&2
exit 1
