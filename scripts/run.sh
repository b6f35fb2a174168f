#!/usr/bin/env bash
# Sets up and starts the assistant on the embedded default (SQLite, one process):
# installs .venv, creates and seeds the demo shop database, trains if the model
# is missing or stale, then runs the action server (5055) and the Rasa server
# (5005, REST channel and HTTP API, on loopback unless RASA_INTERFACE says otherwise,
# and then with credentials: scripts/lan_auth.sh). Usage: scripts/run.sh [shell]
set -euo pipefail
cd "$(dirname "$0")/.."
export RASA_TELEMETRY_ENABLED=false SQLALCHEMY_SILENCE_UBER_WARNING=1
# One TensorFlow thread per op: measured faster for one-message inference (docs/performance.md).
export TF_INTRA_OP_PARALLELISM_THREADS="${TF_INTRA_OP_PARALLELISM_THREADS:-1}"
export TF_INTER_OP_PARALLELISM_THREADS="${TF_INTER_OP_PARALLELISM_THREADS:-1}"
export SHOP_DEMO="${SHOP_DEMO:-1}"  # the demo shop hands out demo buyer tokens
mkdir -p var/logs
scripts/install.sh
# The owner's charts draw Chinese with Debian's Noto CJK; without it they show an error instead.
scripts/install_cjk_font.sh || echo "warning: fonts-noto-cjk could not be installed (needs root):" \
  "the owner page's charts will show an error instead of Chinese; install it with" \
  "'apt-get install fonts-noto-cjk'" >&2
.venv/bin/python -m shop.db.importer seed/demo_shop.json --if-empty
if [ "$SHOP_DEMO" = "1" ]; then .venv/bin/python -m console.staff demo --if-missing; fi
scripts/train_if_stale.sh
# Reachable from other machines? Then the HTTP API needs a JWT and REST a token.
# shellcheck source=scripts/lan_auth.sh
. scripts/lan_auth.sh

.venv/bin/rasa run actions --port 5055 --actions actions > var/logs/actions.log 2>&1 &
actions_pid=$!
trap 'kill $actions_pid 2>/dev/null || true' EXIT INT TERM
for _ in $(seq 60); do
  if curl -sf http://localhost:5055/health >/dev/null; then break; fi
  if ! kill -0 $actions_pid 2>/dev/null; then
    tail -20 var/logs/actions.log >&2; echo "The action server failed to start." >&2; exit 1
  fi
  sleep 1
done
.venv/bin/python -m console --host "${RASA_INTERFACE:-127.0.0.1}" --port 5002 > var/logs/console.log 2>&1 &
console_pid=$!
trap 'kill $actions_pid $console_pid 2>/dev/null || true' EXIT INT TERM

if [ "${1:-}" = "shell" ]; then
  .venv/bin/rasa shell --model models/shoe-shop.tar.gz --endpoints endpoints.yml
else
  rest_header=""  # off loopback REST needs the token (set -a; . var/lan-secrets.env; set +a)
  if [ -n "${SHOP_REST_TOKEN:-}" ]; then rest_header="-H \"X-Shop-Token: \$SHOP_REST_TOKEN\" "; fi
  cat <<MSG

  Open the demo shop:  http://localhost:5002/
  (product pages with the chat widget, whose bubble appears once the assistant is up;
   the 演示身份 menu switches between demo buyers)

The assistant is starting on http://localhost:5005 (ready when "Rasa server is up and running" appears).
Chat from another terminal, for example:
  curl -s localhost:5005/webhooks/rest/webhook -H 'Content-Type: application/json' \
    ${rest_header}-d '{"sender": "demo", "message": "脚长25.5厘米，小白鞋穿多大码？"}'
The widget alone on a bare test page of the assistant:
  http://localhost:5005/webhooks/socketio/webchat/demo.html
  (as a logged-in demo buyer: append ?buyer_token=\$(make -s token BUYER=B005))
or chat in the terminal instead with: make shell
MSG
  .venv/bin/rasa run --enable-api "${RASA_API_AUTH[@]}" \
    --interface "${RASA_INTERFACE:-127.0.0.1}" --port 5005 \
    --model models/shoe-shop.tar.gz \
    --credentials credentials.yml --endpoints endpoints.yml --cors "*" --log-file var/logs/rasa.log
fi
