#!/usr/bin/env bash
# Installs Debian's nginx for the production set-up (scripts/run_prod.sh) and its
# replica fault test. Idempotent: does nothing when /usr/sbin/nginx is there.
# Debian's package may start a default server on :80; it is stopped again (the
# shop's nginx runs from its own config under var/prod/nginx).
set -euo pipefail
[ -x /usr/sbin/nginx ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
  echo "install_nginx.sh: need root to apt-get install nginx (or install it yourself)" >&2
  exit 1
fi
echo "Installing nginx with apt-get..."
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null
apt-get install -y -qq --no-install-recommends nginx >/dev/null
/usr/sbin/nginx -s stop 2>/dev/null || true
