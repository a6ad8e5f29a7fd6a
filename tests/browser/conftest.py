"""Playwright (Python) driving Debian's Chromium against pytest-django's live server.

Playwright's own browser download is never used: the browser is /usr/bin/chromium
(installed by `make system-deps`). Screenshots go to <var dir>/screenshots/<backend>/
(the var dir is var/test-<backend>/ under make test).
"""

import os
import shutil
from pathlib import Path

import pytest
from django.conf import settings

# Playwright's sync API runs an event loop in this thread; the test code's ORM calls are
# still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def chromium_path() -> str:
    for candidate in (os.environ.get("CHROMIUM"), "/usr/bin/chromium", shutil.which("chromium")):
        if candidate and Path(candidate).exists():
            return candidate
    pytest.fail("Chromium is not installed: run `make system-deps` (apt-get install chromium)")


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    """A fresh browser context that records console errors and requests leaving this host."""
    context = browser.new_context(locale="vi-VN", viewport={"width": 1366, "height": 800})
    page = context.new_page()
    page.console_errors = []
    page.foreign_requests = []
    page.failed_requests = []
    page.on("console", lambda m: m.type == "error" and page.console_errors.append(m.text))
    page.on("pageerror", lambda e: page.console_errors.append(str(e)))

    def note_failure(request):
        # A request the browser cancelled because the page went elsewhere (a form that
        # submits itself, a link followed while the favicon loads) is not a broken one.
        if request.failure != "net::ERR_ABORTED":
            page.failed_requests.append(f"{request.url} ({request.failure})")

    page.on("requestfailed", note_failure)

    def note_request(request):
        if not request.url.startswith((live_server.url, "data:", "blob:")):
            page.foreign_requests.append(request.url)

    page.on("request", note_request)
    yield page
    context.close()


@pytest.fixture
def screenshot_dir() -> Path:
    backend = os.environ.get("DIEUHANH_TEST_BACKEND", "sqlite")
    path = Path(settings.VAR_DIR) / "screenshots" / backend
    path.mkdir(parents=True, exist_ok=True)
    return path
