"""Headless Chromium for the hosted pages' browser tests: Debian's Chromium driven by Playwright
(Playwright's own browser download is not used). Without Chromium or Playwright the tests are
skipped, saying how to enable them; under CI (`CI=true`) they must run, so that is a failure."""

from __future__ import annotations

import importlib.util
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "pages"
ENABLE = ("the hosted pages' browser tests need Chromium and Playwright: `apt-get install -y chromium` "
          "(Debian/Ubuntu) and `make test` (which installs Playwright from requirements-dev.txt); "
          "with CI=true they always run")
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]


def chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


def require_browser() -> None:
    """Skip the calling test module (at import, before any server starts) when there is no
    browser to drive; under CI, fail instead."""
    reason = None
    if importlib.util.find_spec("playwright") is None or importlib.util.find_spec("axe_playwright_python") is None:
        reason = "Playwright or axe-playwright-python is not installed"
    elif chromium() is None:
        reason = "no Chromium on PATH"
    if reason is None:
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI=true but {reason}: {ENABLE}", pytrace=False)
    pytest.skip(f"{reason}: {ENABLE}", allow_module_level=True)


@contextmanager
def launched() -> Iterator[Any]:
    """One headless Chromium (for a whole test module)."""
    from playwright.sync_api import sync_playwright

    executable = chromium()
    assert executable is not None, "call require_browser() first"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=LAUNCH_ARGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()


def screenshot(page: Any, name: str) -> None:
    """The page at 360 px (a small phone) and at 1280 px wide, under test-artifacts/pages/; at 360 px
    nothing may need a horizontal scroll."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for width in (360, 1280):
        page.set_viewport_size({"width": width, "height": 800})
        page.screenshot(path=str(ARTIFACTS / f"{name}-{width}.png"), full_page=True)
        if width == 360:
            overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
            assert overflow <= 0, f"{name} scrolls sideways at 360 px by {overflow} px"


def serious_violations(page: Any) -> list[str]:
    """axe-core's serious and critical findings on the page, one line each."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [f"{violation['id']} ({violation['impact']}): {violation['help']} at "
            f"{[node['target'] for node in violation['nodes']]}"
            for violation in results.response["violations"] if violation["impact"] in ("serious", "critical")]
