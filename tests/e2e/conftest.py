"""Browser fixtures of the e2e tier: Debian's Chromium, driven by Playwright against the running
stack. Playwright never downloads a browser here; `make test` installs Debian's chromium."""
from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--no-first-run", "--disable-sync", "--disable-quic",
]
SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"  # git-ignored


@pytest.fixture(scope="module")
def browser():
    """One headless Chromium per test module. Module scope, because Playwright's sync API cannot
    run inside another one, so no two modules' browsers may overlap."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def screenshots() -> Path:
    SCREENSHOTS.mkdir(exist_ok=True)
    return SCREENSHOTS
