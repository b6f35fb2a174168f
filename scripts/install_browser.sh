#!/usr/bin/env bash
# Installs Debian's Chromium, CJK and emoji fonts for the browser tests (tests/browser/).
# Idempotent and quiet: does nothing when /usr/bin/chromium and the Noto CJK fonts
# are already there. Never downloads Playwright's own browser builds.
set -euo pipefail
need=()
[ -x /usr/bin/chromium ] || need+=(chromium)
[ -d /usr/share/fonts/opentype/noto ] && ls /usr/share/fonts/opentype/noto/NotoSansCJK* >/dev/null 2>&1 \
  || need+=(fonts-noto-cjk)
# Bot replies use emoji; without a colour emoji font screenshots show boxes.
[ -f /usr/share/fonts/truetype/noto/NotoColorEmoji.ttf ] || need+=(fonts-noto-color-emoji)
exec "$(dirname "$0")/apt_install.sh" "${need[@]}"
