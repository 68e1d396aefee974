"""Real headless Chromium (Debian's package) driven by Playwright, for UI tests.

Playwright's own browser download is not used: the tests launch /usr/bin/chromium.
On a machine without it the tests skip, unless YINGSHANG_REQUIRE_BROWSER is set
(CI sets it, after installing the package), in which case they fail.
"""

import os
import shutil
from contextlib import contextmanager
from pathlib import Path

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = Path(os.environ.get("YINGSHANG_ARTIFACTS", Path(__file__).resolve().parent.parent / "test-artifacts"))
# Without these, Chromium tries to reach Google's services, which this network refuses.
ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


def require_chromium() -> None:
    if not Path(CHROMIUM).exists():
        if os.environ.get("YINGSHANG_REQUIRE_BROWSER"):
            pytest.fail(f"chromium not found at {CHROMIUM} (apt-get install chromium)")
        pytest.skip("chromium is not installed (apt-get install chromium)")


@contextmanager
def browser_page(width: int = 1600, height: int = 1000):
    require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            yield browser.new_page(viewport={"width": width, "height": height})
        finally:
            browser.close()
