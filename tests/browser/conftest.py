"""Real-browser fixtures: the app served on a free loopback port (a fresh SQLite database per
test, from tests/conftest.py's `app`), and one headless Chromium for the whole session.

Without /usr/bin/chromium the browser tests are skipped, except under CI (the `CI` environment
variable set), where they must run and so fail instead. Playwright drives Debian's Chromium:
its own browser downloads (`playwright install`) are never needed."""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright
from werkzeug.serving import WSGIRequestHandler, make_server

CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PHONE = {
    "viewport": {"width": 360, "height": 740},
    "is_mobile": True,
    "has_touch": True,
    "device_scale_factor": 1,
}
DESKTOP = {"viewport": {"width": 1280, "height": 900}}
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def _unavailable(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"{reason}; CI must run the browser tests", pytrace=False)
    pytest.skip(f"{reason}: browser tests skipped")


class _QuietHandler(WSGIRequestHandler):
    def log(self, kind: str, message: str, *args) -> None:
        if kind == "error":
            logging.getLogger("werkzeug").error(message, *args)


def _closed_before_sending(app: Flask):
    """Each response's body read whole, and its iterable (an open static file, say) closed,
    before werkzeug's development server sends it: when Chromium drops a request it no longer
    needs (the favicon, as a test navigates away), that server can fail before it closes the
    iterable, and the file's ResourceWarning then fails whichever test is running."""

    def serve(environ, start_response):
        body = app(environ, start_response)
        try:
            return [b"".join(body)]
        finally:
            if hasattr(body, "close"):
                body.close()

    return serve


@pytest.fixture
def live_server(app: Flask) -> Iterator[str]:
    """The app on 127.0.0.1:<free port>, in a thread; its base URL."""
    server = make_server(
        "127.0.0.1",
        0,
        _closed_before_sending(app),
        threaded=True,
        request_handler=_QuietHandler,
    )
    # shutdown() waits for the serving loop to look at its flag, every poll_interval: the
    # default half second was idle time at the end of every browser test.
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.02}, name="live-server", daemon=True
    )
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()


@pytest.fixture(scope="session")
def chromium() -> Iterator[Browser]:
    """One headless Chromium (Debian's) for every browser test."""
    if not CHROMIUM.exists():
        _unavailable(f"{CHROMIUM} is missing (apt-get install chromium)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield browser
        finally:
            browser.close()


@contextmanager
def _context(chromium: Browser, live_server: str, **options) -> Iterator[BrowserContext]:
    context = chromium.new_context(base_url=live_server, **options)
    context.set_default_timeout(10_000)
    try:
        yield context
    finally:
        context.close()


@pytest.fixture
def phone_context(chromium: Browser, live_server: str) -> Iterator[BrowserContext]:
    with _context(chromium, live_server, **PHONE) as context:
        yield context


@pytest.fixture
def phone(phone_context: BrowserContext) -> Page:
    """A page in a phone-sized browser (360 x 740, touch), talking to the live server."""
    return phone_context.new_page()


@pytest.fixture
def desktop(chromium: Browser, live_server: str) -> Iterator[Page]:
    """A page in a desktop-sized browser."""
    with _context(chromium, live_server, **DESKTOP) as context:
        yield context.new_page()


@pytest.fixture
def new_context(chromium: Browser, live_server: str):
    """Open more browser contexts (another browser, no shared cookies); closed after the test."""
    opened: list[BrowserContext] = []

    def open_context(**options) -> BrowserContext:
        context = chromium.new_context(base_url=live_server, **{**PHONE, **options})
        context.set_default_timeout(10_000)
        opened.append(context)
        return context

    yield open_context
    for context in opened:
        context.close()


@pytest.fixture
def screenshot():
    """Save a full-page PNG to docs/screenshots/ when SAVE_SCREENSHOTS=1; otherwise nothing."""
    save = os.environ.get("SAVE_SCREENSHOTS") == "1"

    def take(page: Page, name: str) -> None:
        if save:
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)

    return take
