#!/usr/bin/env bash
# Installs Debian's Noto CJK fonts (fonts-noto-cjk), which the owner's charts need
# to draw Chinese (console/charts.py refuses to draw boxes without them).
# Idempotent and quiet: does nothing when the fonts are already there.
set -euo pipefail
ls /usr/share/fonts/opentype/noto/NotoSansCJK* >/dev/null 2>&1 && exit 0
"$(dirname "$0")/apt_install.sh" fonts-noto-cjk
