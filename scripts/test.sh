#!/bin/sh
# Install what the tests need, then run them all. Used by the README and CI.
set -e
cd "$(dirname "$0")/.."
python3 -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
# Debian packages, each installed when missing: Chromium for the browser
# tests (Playwright cannot download browsers here); nginx and openssl for the
# reverse-proxy test; a fallback font for what DejaVu lacks (emoji) in the
# PDF minutes.
MISSING=""
[ -x /usr/bin/chromium ] || MISSING="$MISSING chromium"
[ -x /usr/sbin/nginx ] || MISSING="$MISSING nginx"
command -v openssl >/dev/null 2>&1 || MISSING="$MISSING openssl"
[ -f /usr/share/fonts/truetype/ancient-scripts/Symbola_hint.ttf ] || MISSING="$MISSING fonts-symbola"
if [ -n "$MISSING" ] && command -v apt-get >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
    # shellcheck disable=SC2086 # one word per package
    $SUDO apt-get update -qq && $SUDO apt-get install -y -qq --no-install-recommends $MISSING >/dev/null
fi
# axe-core for the accessibility checks, pinned by its lock file.
if [ -f tests/browser/package-lock.json ] && command -v npm >/dev/null 2>&1; then
    npm ci --prefix tests/browser --silent --no-audit --no-fund
fi
exec python3 -m pytest "$@"
