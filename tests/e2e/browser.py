"""The browser the e2e tests drive: Debian's Chromium through Playwright, never a download.

Test modules import Playwright's names from here: when Playwright is missing
they are None, and the `browser` fixture skips (or, under CI, fails) with one
line that says how to get the browser tests.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path

from tests.servers import Server

try:
    from playwright.sync_api import Browser, BrowserContext, Error, Page, expect, sync_playwright
except ImportError:  # reported by missing_browser()
    Browser = BrowserContext = Error = Page = expect = sync_playwright = None

try:
    from axe_playwright_python.sync_playwright import Axe
except ImportError:
    Axe = None

NewPage = Callable[..., "Page"]  # the new_page fixture: a page in a fresh browser context
StartService = Callable[..., Server]  # the start_service fixture

CHROMIUM = Path(os.environ.get("KURIER_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
HOW_TO_GET = (
    "install Debian's Chromium (`sudo apt-get install chromium`) and the Python "
    "packages (`.venv/bin/pip install playwright axe-playwright-python`); "
    "Playwright's own browser download is not used"
)


def missing_browser() -> str | None:
    """Why the browser tests cannot run here, or None when they can."""
    if sync_playwright is None or Axe is None:
        return f"Playwright or axe-playwright-python is not installed: {HOW_TO_GET}"
    if not (CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK)) and not shutil.which(CHROMIUM):
        return f"no Chromium at {CHROMIUM}: {HOW_TO_GET}"
    return None


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("true", "1", "yes")


def open_article(page: Page, path: str):
    """Go to an article and wait until the widget has drawn its thread; the widget's locator."""
    page.goto(path)
    widget = page.locator("#comments")
    expect(widget.locator(".k-total")).to_be_visible()
    return widget


def serious_violations(page: Page) -> list[str]:
    """What axe finds serious or critical on the page, one line each with its first elements."""
    results = Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — "
        + "; ".join(node["target"][0] for node in v["nodes"][:5])
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def tab_to(page: Page, selector: str, back: bool = False, limit: int = 250) -> None:
    """Press Tab (Shift+Tab with `back`) until the focused element matches `selector`."""
    for _ in range(limit):
        page.keyboard.press("Shift+Tab" if back else "Tab")
        if page.evaluate("s => document.activeElement?.matches(s)", selector):
            return
    raise AssertionError(f"{limit} presses of Tab never reached {selector}")
