#!/bin/sh
# Refresh the README's pictures in docs/screenshots/ on purpose: the browser
# tests that build the demo meeting take them. The normal test run writes its
# pictures to tests/browser/screenshots/ (ignored), never to tracked files.
set -e
cd "$(dirname "$0")/.."
SINKRON_SCREENSHOTS="$PWD/docs/screenshots" exec python3 -m pytest -q tests/browser/test_screens.py "$@"
