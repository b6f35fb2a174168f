#!/usr/bin/env bash
# Installs Debian's nginx for the production set-up (scripts/run_prod.sh) and its
# replica fault test. Idempotent: does nothing when /usr/sbin/nginx is there.
# Debian's package may start a default server on :80; it is stopped again (the
# shop's nginx runs from its own config under var/prod/nginx).
set -euo pipefail
[ -x /usr/sbin/nginx ] && exit 0
"$(dirname "$0")/apt_install.sh" nginx
/usr/sbin/nginx -s stop 2>/dev/null || true
