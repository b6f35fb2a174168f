#!/usr/bin/env bash
# `rasa data validate`, failing on any error or warning except "utterance not
# used in any story or rule": responses sent by custom actions are checked by
# tests/test_domain.py instead; and "EXTERNAL_* not in the NLU data": those
# intents are triggered by the console through the HTTP API, never typed.
set -euo pipefail
cd "$(dirname "$0")/.."
export RASA_TELEMETRY_ENABLED=false SQLALCHEMY_SILENCE_UBER_WARNING=1
mkdir -p var/logs
if ! .venv/bin/rasa data validate > var/logs/validate.log 2>&1; then
  cat var/logs/validate.log; echo "rasa data validate failed" >&2; exit 1
fi
warnings=$(grep -E "UserWarning|WARNING|ERROR" var/logs/validate.log \
  | grep -v "is not used in any story or rule" | grep -v "DeprecationWarning" \
  | grep -v "The intent 'EXTERNAL_[a-z_]*' is listed in the domain file, but is not found in the NLU" \
  || true)
if [ -n "$warnings" ]; then
  echo "$warnings"; echo "rasa data validate reported warnings" >&2; exit 1
fi
echo "rasa data validate: clean"
