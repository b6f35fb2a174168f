#!/usr/bin/env bash
# Runs the conversation tests (tests/test_stories.yml) against the trained model:
# every user message goes through NLU and every turn's action must match.
set -euo pipefail
cd "$(dirname "$0")/.."
export RASA_TELEMETRY_ENABLED=false SQLALCHEMY_SILENCE_UBER_WARNING=1
.venv/bin/rasa test core --model models/shoe-shop.tar.gz --stories tests/test_stories.yml \
  --fail-on-prediction-errors --out results/stories > var/logs/conversation_tests.log 2>&1 || {
  tail -30 var/logs/conversation_tests.log
  [ -f results/stories/failed_test_stories.yml ] && cat results/stories/failed_test_stories.yml
  exit 1
}
grep -E "Correct|Finished" var/logs/conversation_tests.log | tail -3 || true
