#!/usr/bin/env bash
# The production set-up on one machine (docs/deployment.md): PostgreSQL for the
# shop and the trackers, Redis for locks and shared channel state, two Rasa
# replicas with their own action servers, the console, and nginx in front.
# Ports are separate from `make run`'s, which keeps working beside it.
#
# Usage: scripts/run_prod.sh [start|stop|status]
#   (no argument) start everything and stay in the foreground; Ctrl-C stops it
#   start         start in the background and return when ready
#   stop          stop what `start` started
set -euo pipefail
cd "$(dirname "$0")/.."
export RASA_TELEMETRY_ENABLED=false SQLALCHEMY_SILENCE_UBER_WARNING=1
# One TensorFlow thread per op: measured faster for one-message inference (docs/performance.md).
export TF_INTRA_OP_PARALLELISM_THREADS="${TF_INTRA_OP_PARALLELISM_THREADS:-1}"
export TF_INTER_OP_PARALLELISM_THREADS="${TF_INTER_OP_PARALLELISM_THREADS:-1}"

PROD_DIR="${PROD_DIR:-var/prod}"
PIDS="$PROD_DIR/pids"
mkdir -p "$PROD_DIR/logs" "$PROD_DIR/nginx/tmp"
chmod 0777 "$PROD_DIR/nginx/tmp"  # nginx workers (nobody) buffer photo uploads there

stop_all() {
  [ -f "$PIDS" ] || return 0
  # Newest first: nginx, Rasa, console, action servers.
  tac "$PIDS" | while read -r pid name; do
    kill "$pid" 2>/dev/null && echo "stopped $name ($pid)" || true
  done
  sleep 2
  tac "$PIDS" | while read -r pid _; do kill -9 "$pid" 2>/dev/null || true; done
  rm -f "$PIDS"
}

case "${1:-}" in
  stop) stop_all; exit 0 ;;
  status) [ -f "$PIDS" ] && while read -r pid name; do
      if kill -0 "$pid" 2>/dev/null; then echo "up   $name ($pid)"; else echo "DOWN $name ($pid)"; fi
    done < "$PIDS"; exit 0 ;;
  ""|start) ;;
  *) echo "usage: $0 [start|stop|status]" >&2; exit 2 ;;
esac
if [ -f "$PIDS" ]; then stop_all; fi
scripts/install_nginx.sh
scripts/install_cjk_font.sh  # the console's owner charts draw Chinese (console/charts.py)

# --- settings (all overridable from the environment) --------------------------
: "${PUBLIC_PORT:=8080}" "${API_PORT:=8081}" "${LISTEN:=127.0.0.1}"
: "${RASA_A_PORT:=5105}" "${RASA_B_PORT:=5106}" "${ACTIONS_A_PORT:=5155}" "${ACTIONS_B_PORT:=5156}"
: "${CONSOLE_PORT:=5102}"
: "${PG_HOST:=127.0.0.1}" "${PG_PORT:=5432}" "${PG_USER:=postgres}" "${PG_PASSWORD:=}"
: "${PG_LOGIN_DB:=postgres}" "${SHOP_DB:=shoe_shop}" "${TRACKER_DB:=shoe_tracker}"
: "${REDIS_HOST:=127.0.0.1}" "${REDIS_PORT:=6379}" "${REDIS_PASSWORD:=}"
: "${REDIS_LOCK_DB:=1}" "${REDIS_SHARED_DB:=2}"
# One message may run up to MAX_NUMBER_OF_PREDICTIONS (10) actions of at most
# SHOP_ACTION_TIMEOUT each: 10 x 10 s + NLU/policies < 120 s = the lock lifetime.
: "${SHOP_ACTION_TIMEOUT:=10}" "${TICKET_LOCK_LIFETIME:=120}" "${MAX_NUMBER_OF_PREDICTIONS:=10}"
# Off: no demo buyer tokens handed out, and SHOP_SECRET must be a real secret.
: "${SHOP_DEMO:=0}"
# nginx is the one proxy in front of the console: its cookie is Secure behind TLS.
: "${SHOP_PROXIES_COUNT:=1}"
pg_auth="$PG_USER${PG_PASSWORD:+:$PG_PASSWORD}"
: "${DATABASE_URL:=postgresql://$pg_auth@$PG_HOST:$PG_PORT/$SHOP_DB}"
: "${TRACKER_DB_URL:=postgresql://$pg_auth@$PG_HOST:$PG_PORT/$TRACKER_DB}"
: "${REDIS_URL:=redis://${REDIS_PASSWORD:+:$REDIS_PASSWORD@}$REDIS_HOST:$REDIS_PORT/$REDIS_SHARED_DB}"
export PG_HOST PG_PORT PG_USER PG_PASSWORD PG_LOGIN_DB TRACKER_DB REDIS_HOST REDIS_PORT \
  REDIS_PASSWORD REDIS_LOCK_DB SHOP_ACTION_TIMEOUT TICKET_LOCK_LIFETIME MAX_NUMBER_OF_PREDICTIONS \
  SHOP_DEMO SHOP_PROXIES_COUNT DATABASE_URL TRACKER_DB_URL REDIS_URL

# Secrets: from the environment, else generated once into var/ (never committed).
# SHOP_REST_TOKEN: what server-to-server callers of the REST channel send as X-Shop-Token.
secrets="$PROD_DIR/secrets.env"
if [ -z "${SHOP_SECRET:-}" ] || [ -z "${RASA_JWT_SECRET:-}" ]; then
  if [ ! -f "$secrets" ]; then
    umask 077
    printf 'SHOP_SECRET=%s\nRASA_JWT_SECRET=%s\n' "$(openssl rand -hex 32)" "$(openssl rand -hex 32)" > "$secrets"
  fi
  if ! grep -q '^SHOP_REST_TOKEN=' "$secrets"; then  # a file from before the REST token
    printf 'SHOP_REST_TOKEN=%s\n' "$(openssl rand -hex 32)" >> "$secrets"
  fi
  given_rest_token="${SHOP_REST_TOKEN:-}"
  # shellcheck disable=SC1090
  set -a; . "$secrets"; set +a
  SHOP_REST_TOKEN="${given_rest_token:-$SHOP_REST_TOKEN}"
fi
export SHOP_SECRET RASA_JWT_SECRET SHOP_REST_TOKEN

scripts/install.sh
.venv/bin/python - <<'PY'
import os
import psycopg2
from psycopg2 import sql
conn = psycopg2.connect(host=os.environ["PG_HOST"], port=os.environ["PG_PORT"],
                        user=os.environ["PG_USER"], password=os.environ["PG_PASSWORD"] or None,
                        dbname=os.environ["PG_LOGIN_DB"], connect_timeout=5)
conn.autocommit = True
with conn.cursor() as cur:
    for name in (os.environ.get("SHOP_DB", "shoe_shop"), os.environ["TRACKER_DB"]):
        cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,))
        if not cur.fetchone():
            cur.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            print(f"created database {name}")
PY
# Migrates the shop schema (Alembic) and loads the demo shop once.
.venv/bin/python -m shop.db.importer seed/demo_shop.json --if-empty
# MODEL: another trained model of this assistant (default: train models/shoe-shop.tar.gz if stale).
if [ -z "${MODEL:-}" ]; then scripts/train_if_stale.sh; fi
: "${MODEL:=models/shoe-shop.tar.gz}"
export RASA_TOKEN="${RASA_TOKEN:-$(.venv/bin/python -m shop.api_token --days 365)}"

mode="${1:-foreground}"
trap 'rc=$?; if [ "$mode" != start ] || [ $rc -ne 0 ]; then stop_all; fi' EXIT
trap 'exit 130' INT TERM
: > "$PIDS"
spawn() {  # spawn NAME COMMAND...: runs in the background, logs to var/prod/logs/NAME.log
  local name=$1; shift
  "$@" > "$PROD_DIR/logs/$name.log" 2>&1 &
  echo "$! $name" >> "$PIDS"
}
wait_for() {  # wait_for NAME URL
  for _ in $(seq "${WAIT_SECONDS:-600}"); do
    if curl -sf -o /dev/null "$2"; then return 0; fi
    sleep 1
  done
  echo "$1 did not come up; see $PROD_DIR/logs/$1.log" >&2; tail -20 "$PROD_DIR/logs/$1.log" >&2
  exit 1
}

# Action servers on loopback only: nothing but the Rasa replicas reaches them.
for r in a b; do
  port_var="ACTIONS_${r^^}_PORT"
  spawn "actions-$r" .venv/bin/rasa run actions --port "${!port_var}" --actions actions
done
spawn console env RASA_URL="http://127.0.0.1:$API_PORT" \
  RASA_PUBLIC_URL="http://localhost:$PUBLIC_PORT" \
  .venv/bin/python -m console --host 127.0.0.1 --port "$CONSOLE_PORT"
wait_for actions-a "http://127.0.0.1:$ACTIONS_A_PORT/health"
wait_for actions-b "http://127.0.0.1:$ACTIONS_B_PORT/health"
for r in a b; do
  port_var="RASA_${r^^}_PORT"; actions_var="ACTIONS_${r^^}_PORT"
  spawn "rasa-$r" env ACTION_SERVER_URL="http://127.0.0.1:${!actions_var}/webhook" \
    .venv/bin/rasa run --enable-api --jwt-secret "$RASA_JWT_SECRET" --jwt-method HS256 \
    --interface 127.0.0.1 --port "${!port_var}" --model "$MODEL" \
    --credentials deploy/credentials.prod.yml --endpoints deploy/endpoints.prod.yml
done
wait_for rasa-a "http://127.0.0.1:$RASA_A_PORT/"
wait_for rasa-b "http://127.0.0.1:$RASA_B_PORT/"

prefix="$(cd "$PROD_DIR/nginx" && pwd)"
sed -e "s#@PREFIX@#$prefix#g" -e "s#@LISTEN@#$LISTEN#g" -e "s#@PUBLIC_PORT@#$PUBLIC_PORT#g" \
  -e "s#@API_PORT@#$API_PORT#g" -e "s#@RASA_A_PORT@#$RASA_A_PORT#g" \
  -e "s#@RASA_B_PORT@#$RASA_B_PORT#g" -e "s#@CONSOLE_PORT@#$CONSOLE_PORT#g" \
  deploy/nginx/shop.conf.template > "$prefix/nginx.conf"
/usr/sbin/nginx -t -q -c "$prefix/nginx.conf" -p "$prefix" -g 'daemon off;'
spawn nginx /usr/sbin/nginx -c "$prefix/nginx.conf" -p "$prefix" -g 'daemon off;'
wait_for nginx "http://127.0.0.1:$PUBLIC_PORT/health"

cat <<MSG
Production set-up is up (two Rasa replicas behind nginx; logs in $PROD_DIR/logs):
  buyers (widget):        http://localhost:$PUBLIC_PORT/webhooks/socketio/webchat/demo.html
  servers (REST):         http://localhost:$PUBLIC_PORT/webhooks/rest/webhook  (X-Shop-Token: \$SHOP_REST_TOKEN)
  metrics (Prometheus):   http://127.0.0.1:$RASA_A_PORT/metrics  http://127.0.0.1:$ACTIONS_A_PORT/metrics  (and B)
  demo shop and console:  http://localhost:$PUBLIC_PORT/
  Rasa HTTP API (JWT):    http://127.0.0.1:$API_PORT  (Authorization: Bearer \$(.venv/bin/python -m shop.api_token))
Stop with: scripts/run_prod.sh stop  (or Ctrl-C in the foreground)
MSG
if [ "${1:-}" = "start" ]; then exit 0; fi
wait
