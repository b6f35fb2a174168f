#!/usr/bin/env bash
# Makes every dependency of the tests present and running, or fails (make test; CI):
# Chromium and fonts (tests/browser, the browser e2e tests), nginx (the replica fault
# test), PostgreSQL and Redis (tests/db, tests/channels, tests/production), and Node.js
# with web/'s packages (the widget bundle check). Missing packages are installed with
# apt (needs root); PostgreSQL and Redis are started when installed but stopped.
# Nothing is skipped instead: pytest fails on any skip not allowed in tests/skips.py.
set -euo pipefail
cd "$(dirname "$0")/.."
failed=()
for step in install_browser install_nginx install_postgres install_redis; do
  scripts/$step.sh || failed+=("$step")
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "error: could not provide what the tests need: ${failed[*]} (see above)" >&2
  exit 1
fi
