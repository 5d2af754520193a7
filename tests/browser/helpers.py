"""What the browser tests share: where things are, screen sizes, opening a
page in its own context, joining, and running axe-core."""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
AXE = HERE / "node_modules" / "axe-core" / "axe.min.js"
# Tests never rewrite tracked files: their pictures go to an ignored folder.
# scripts/update_screenshots.sh points this at docs/screenshots/ on purpose.
SCREENSHOTS = Path(os.environ.get("SINKRON_SCREENSHOTS") or HERE / "screenshots").resolve()

PHONE = {"width": 360, "height": 640}
LAPTOP = {"width": 1440, "height": 900}
PROJECTOR = {"width": 1920, "height": 1080}
PROJECTOR_SMALL = {"width": 1280, "height": 720}
# Generous: latency belongs to the benchmark, not here.
WAIT_MS = 10_000


def require(condition: bool, reason: str) -> None:
    """Skip when something outside Python is missing; fail on CI."""
    if condition:
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason} (CI=true: not skipping)")
    pytest.skip(reason)


@dataclass
class Screen:
    """A page in its own browser context, with the errors and dialogs it saw."""
    page: object
    errors: list[str] = field(default_factory=list)
    alerts: list[str] = field(default_factory=list)

    def close(self) -> None:
        self.page.context.close()


def open_screen(browser, url: str, viewport: dict, **context_options) -> Screen:
    ctx = browser.new_context(viewport=viewport, **context_options)
    page = ctx.new_page()
    screen = Screen(page)
    page.on("pageerror", lambda exc: screen.errors.append(str(exc)))

    def on_dialog(dialog):
        if dialog.type == "confirm":  # revoke asks first
            dialog.accept()
        else:  # an alert would be injected script running
            screen.alerts.append(dialog.message)
            dialog.dismiss()
    page.on("dialog", on_dialog)
    page.goto(url)
    return screen


def join(screen: Screen, name: str, category: str, organisation: str = "") -> None:
    page = screen.page
    page.get_by_label("Nama Anda").fill(name)
    page.get_by_label("Unsur").select_option(category)
    if organisation:
        page.get_by_label("Lembaga / instansi (boleh kosong)").fill(organisation)
    page.get_by_role("button", name="Bergabung").click()
    page.locator("#now").wait_for(timeout=WAIT_MS)


def run_axe(page) -> list[dict]:
    """Serious and critical accessibility violations on the page, per axe-core."""
    require(AXE.exists(), f"{AXE} is missing: npm ci --prefix tests/browser")
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("""async () => {
        const r = await axe.run(document, {resultTypes: ["violations"]});
        return r.violations.filter(v => v.impact === "serious" || v.impact === "critical")
          .map(v => ({id: v.id, impact: v.impact, help: v.help,
                      nodes: v.nodes.slice(0, 5).map(n => n.target.join(" ") + " :: " + n.failureSummary)}));
    }""")
    return result
