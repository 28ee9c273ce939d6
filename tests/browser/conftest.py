"""A real browser (Debian's Chromium driven by Playwright) against the app served on loopback."""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from werkzeug.serving import make_server

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-quic",
    "--no-first-run",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not shutil.which("chromium"):
        pytest.fail(
            "Chromium is not installed: apt-get install -y chromium (the Makefile's test target does)"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def live_url(app: Flask, committed: None) -> Iterator[str]:
    """Serve the app on a free loopback port for the duration of one test."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)


@pytest.fixture(params=[True, False], ids=["with-javascript", "without-javascript"])
def page(request: pytest.FixtureRequest, browser: Any) -> Iterator[Any]:
    """A fresh Swedish browser tab, with JavaScript on and off: the pages must work both ways."""
    context = browser.new_context(
        locale="sv-SE", timezone_id="Europe/Stockholm", java_script_enabled=request.param
    )
    context.set_default_timeout(10_000)
    tab = context.new_page()
    tab.javascript_enabled = request.param
    yield tab
    context.close()
