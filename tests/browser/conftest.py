"""Shared fixtures of the browser tests: Debian's Chromium, headless, driven by Playwright (one browser per module).

The tests skip with a clear reason when /usr/bin/chromium is missing; `make setup` (and so `make test`) installs it.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, ViewportSize, sync_playwright

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
PHONE: ViewportSize = {"width": 390, "height": 844}
SCALE = 2


@pytest.fixture(scope="module")
def chromium() -> Path:
    """The browser binary (skips the module when it is not installed)."""
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing: install Debian's chromium (the Makefile's browser setup does)")
    return CHROMIUM


@pytest.fixture(scope="module")
def browser(chromium: Path) -> Iterator[Browser]:
    """A headless Chromium for the module's tests."""
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(chromium), args=CHROMIUM_ARGS)
        yield launched
        launched.close()
