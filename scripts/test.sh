#!/bin/sh
# Install what the tests need, then run them all. Used by the README and CI.
set -e
cd "$(dirname "$0")/.."
python3 -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
# Browser tests drive Debian's Chromium (Playwright cannot download browsers here).
if [ ! -x /usr/bin/chromium ] && command -v apt-get >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
    $SUDO apt-get update -qq && $SUDO apt-get install -y -qq chromium >/dev/null
fi
# A fallback font for what DejaVu lacks (emoji) in the PDF minutes.
if [ ! -f /usr/share/fonts/truetype/ancient-scripts/Symbola_hint.ttf ] && command -v apt-get >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
    $SUDO apt-get update -qq && $SUDO apt-get install -y -qq fonts-symbola >/dev/null
fi
# axe-core for the accessibility checks, pinned by its lock file.
if [ -f tests/browser/package-lock.json ] && command -v npm >/dev/null 2>&1; then
    npm ci --prefix tests/browser --silent --no-audit --no-fund
fi
exec python3 -m pytest "$@"
