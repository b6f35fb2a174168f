#!/usr/bin/env bash
# Installs Debian packages quietly with apt-get (needs root): scripts/apt_install.sh PKG...
set -euo pipefail
[ $# -gt 0 ] || exit 0
if [ "$(id -u)" -ne 0 ]; then
  echo "need root to apt-get install $* (or install them yourself)" >&2
  exit 1
fi
echo "Installing $* with apt-get..."
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null
apt-get install -y -qq --no-install-recommends "$@" >/dev/null
