"""Debian's Chromium, which Playwright drives in the browser tests (nothing is downloaded)."""

import os
import shutil

# /usr/bin/chromium is Debian's wrapper script; Playwright starts the binary behind it.
CHROMIUM = ("/usr/lib/chromium/chromium", "/usr/lib/chromium-browser/chromium-browser")


def chromium_executable() -> str:
    for path in CHROMIUM:
        if os.access(path, os.X_OK):
            return path
    wrapper = shutil.which("chromium")
    assert wrapper, "make test installs Debian's chromium (make browser)"
    return wrapper
