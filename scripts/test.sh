#!/usr/bin/env bash
# Installs what is missing, trains once if the model is stale, and runs every
# check: lint, data validation, unit and integration tests (pytest, sharing the
# one trained model), and the conversation tests (rasa test).
set -euo pipefail
cd "$(dirname "$0")/.."
export RASA_TELEMETRY_ENABLED=false SQLALCHEMY_SILENCE_UBER_WARNING=1
mkdir -p var/logs
scripts/install.sh --dev
scripts/install_browser.sh || echo "warning: Chromium could not be installed; browser tests will be skipped" >&2
scripts/install_nginx.sh || echo "warning: nginx could not be installed; the replica fault test will be skipped" >&2
echo "== lint"
make --no-print-directory lint
echo "== rasa data validate"
scripts/validate_data.sh
scripts/train_if_stale.sh
echo "== pytest"
.venv/bin/python -m pytest -q
echo "== conversation tests"
scripts/conversation_tests.sh
echo "All checks passed."
