# Sourced by scripts/run.sh: credentials for a Rasa server that other machines can reach.
#
# `make run` binds the Rasa server (REST channel, socket.io, and Rasa's HTTP API, which
# can read and change every conversation) to 127.0.0.1. When RASA_INTERFACE lets other
# machines in (a phone on the LAN), both doors get a lock first:
#   RASA_JWT_SECRET  `rasa run --jwt-secret`: every HTTP API call needs a Bearer JWT;
#                    the console gets one in RASA_TOKEN (python -m shop.api_token)
#   SHOP_REST_TOKEN  the REST channel answers only callers sending X-Shop-Token
# Each is generated once into $SHOP_VAR_DIR/lan-secrets.env (mode 600) unless set.
# Sets RASA_API_AUTH, the extra `rasa run` arguments (empty on loopback).
RASA_API_AUTH=()
case "${RASA_INTERFACE:-127.0.0.1}" in
  127.0.0.1 | localhost | ::1) ;;
  *)
    lan_secrets="${SHOP_VAR_DIR:-var}/lan-secrets.env"
    if [ ! -f "$lan_secrets" ]; then
      mkdir -p "$(dirname "$lan_secrets")"
      (umask 077 && printf 'RASA_JWT_SECRET=%s\nSHOP_REST_TOKEN=%s\n' \
        "$(openssl rand -hex 32)" "$(openssl rand -hex 32)" > "$lan_secrets")
    fi
    while IFS='=' read -r key value; do  # the file fills what the environment leaves unset
      if [ -n "$key" ] && [ -z "${!key:-}" ]; then export "$key=$value"; fi
    done < "$lan_secrets"
    RASA_TOKEN="$(.venv/bin/python -m shop.api_token --days 30)"
    export RASA_TOKEN
    RASA_API_AUTH=(--jwt-secret "$RASA_JWT_SECRET" --jwt-method HS256)
    echo "RASA_INTERFACE=${RASA_INTERFACE}: the HTTP API needs a Bearer JWT" \
      "(python -m shop.api_token) and the REST channel the X-Shop-Token header;" \
      "both secrets are in $lan_secrets (set -a; . $lan_secrets; set +a)." >&2
    ;;
esac
