"""Browser tests: Playwright for Python driving Debian's Chromium against the
real eventlet server (tests/server.py).

Without /usr/bin/chromium (or axe-core for the accessibility check) the tests
skip with the reason; with CI=true they fail instead, so CI cannot pass by
skipping. Install: `apt-get install -y chromium` and `npm ci --prefix tests/browser`."""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser.helpers import CHROMIUM, CHROMIUM_ARGS, HERE, require
from tests.server import Server


def pytest_collection_modifyitems(config, items):
    for item in items:
        if HERE in Path(str(item.fspath)).resolve().parents:
            item.add_marker(pytest.mark.browser)
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def browser():
    require(CHROMIUM.exists(), f"{CHROMIUM} is missing: apt-get install -y chromium")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - it is in requirements-dev.txt
        require(False, "playwright for Python is not installed")
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture(scope="session")
def server(tmp_path_factory):
    """One server for the browser tests that do not stop it; the demo meeting."""
    s = Server(tmp_path_factory.mktemp("browser-server")).start()
    yield s
    s.stop()


@pytest.fixture(scope="session")
def links(server):
    """Fresh private links of the demo meeting (issuing them replaces older ones)."""
    return server.demo_links()


