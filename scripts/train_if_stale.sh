#!/usr/bin/env bash
# Trains models/shoe-shop.tar.gz unless it was trained from exactly the current
# config, domain, training data and custom NLU components.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p models
# One training at a time: parallel test runs share models/.
exec 9>models/.train.lock
flock 9
export RASA_TELEMETRY_ENABLED=false SQLALCHEMY_SILENCE_UBER_WARNING=1
digest=$(find config.yml domain.yml data nlu_components -type f \( -name '*.yml' -o -name '*.txt' -o -name '*.py' \) -print0 \
  | sort -z | xargs -0 sha256sum | sha256sum | cut -c1-32)
if [ -f models/shoe-shop.tar.gz ] && [ "$(cat models/.digest 2>/dev/null)" = "$digest" ]; then
  echo "Model is up to date (models/shoe-shop.tar.gz)."
  exit 0
fi
echo "Training the model (a few minutes)..."
mkdir -p models var/logs
# Train beside the current model and swap at the end: servers and tests that
# use models/shoe-shop.tar.gz keep a complete model meanwhile.
rm -f models/shoe-shop-next.tar.gz
if ! .venv/bin/rasa train --fixed-model-name shoe-shop-next --out models > var/logs/train.log 2>&1; then
  tail -40 var/logs/train.log >&2
  echo "Training failed; the full log is var/logs/train.log" >&2
  exit 1
fi
mv -f models/shoe-shop-next.tar.gz models/shoe-shop.tar.gz
echo "$digest" > models/.digest
