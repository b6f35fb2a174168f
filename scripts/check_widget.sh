#!/usr/bin/env bash
# Fails when the committed widget bundle (channels/static/widget.js) is not what web/
# builds: installs Node.js and npm with apt when they are missing, installs web/'s
# packages exactly as package-lock.json pins them (npm ci; again only when the lock file
# changed, and from npm's cache when it can), then runs `npm run check`.
set -euo pipefail
cd "$(dirname "$0")/../web"
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  ../scripts/apt_install.sh nodejs npm
fi
stamp="node_modules/.installed-$(sha256sum package-lock.json | cut -c1-16)"
if [ ! -f "$stamp" ]; then
  npm ci --prefer-offline --no-audit --no-fund --loglevel=error
  touch "$stamp"
fi
npm run --silent check
