"""Debian's Chromium, which Playwright drives in the browser tests (nothing is downloaded)."""

import contextlib
import os
import shutil
from collections.abc import Iterator

# /usr/bin/chromium is Debian's wrapper script; Playwright starts the binary behind it.
CHROMIUM = ("/usr/lib/chromium/chromium", "/usr/lib/chromium-browser/chromium-browser")


def chromium_executable() -> str:
    for path in CHROMIUM:
        if os.access(path, os.X_OK):
            return path
    wrapper = shutil.which("chromium")
    assert wrapper, "make test installs Debian's chromium (make browser)"
    return wrapper


@contextlib.contextmanager
def launched_chromium() -> Iterator:
    """Debian's Chromium, headless, started by Playwright and closed afterwards."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_executable())
        try:
            yield browser
        finally:
            browser.close()
