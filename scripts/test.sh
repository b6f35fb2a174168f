#!/usr/bin/env bash
# Installs what is missing, trains once if the model is stale, and runs every
# check: lint, the widget bundle, data validation, unit and integration tests
# (pytest, sharing the one trained model), and the conversation tests (rasa test).
# Every dependency of the tests is made present and running first, or the run fails;
# pytest then fails on any skipped test that tests/skips.py does not allow.
set -euo pipefail
cd "$(dirname "$0")/.."
export RASA_TELEMETRY_ENABLED=false SQLALCHEMY_SILENCE_UBER_WARNING=1
mkdir -p var/logs
scripts/install.sh --dev
echo "== test dependencies"
scripts/test_deps.sh
echo "== lint"
make --no-print-directory lint
echo "== widget bundle (npm run check)"
scripts/check_widget.sh
echo "== rasa data validate"
scripts/validate_data.sh
scripts/train_if_stale.sh
echo "== pytest"
.venv/bin/python -m pytest -q -rs
echo "== conversation tests"
scripts/conversation_tests.sh
echo "All checks passed."
