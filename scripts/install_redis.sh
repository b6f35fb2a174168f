#!/usr/bin/env bash
# Makes Redis answer at 127.0.0.1:6379, as the lock-store and shared-state tests expect
# (tests/channels): installs Debian's redis-server with apt when it is missing, starts it
# when it is installed but stopped (no persistence: it serves tests), and fails when it
# still does not answer. The production tests start throwaway servers of their own.
# REDIS_TEST_PORT (default 6379) checks the script itself on another port.
set -euo pipefail
cd "$(dirname "$0")/.."
port="${REDIS_TEST_PORT:-6379}"
answers() { [ "$(redis-cli -h 127.0.0.1 -p "$port" ping 2>/dev/null)" = PONG ]; }
if ! command -v redis-server >/dev/null || ! command -v redis-cli >/dev/null; then
  scripts/apt_install.sh redis-server
fi
if ! answers; then
  echo "Starting Redis..."
  mkdir -p /var/lib/redis /var/log/redis
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port "$port" --save "" --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/ci.log
  for _ in $(seq 20); do answers && break; sleep 0.5; done
fi
if ! answers; then
  echo "error: Redis does not answer at 127.0.0.1:$port (log: /var/log/redis/ci.log)" >&2
  exit 1
fi
