"""Browser tests: the app served on 127.0.0.1 by a real HTTP server, driven in Debian's Chromium by Playwright.

The browser is never downloaded: Playwright launches /usr/bin/chromium (scripts/test.sh installs it).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from engine.config import Settings
from engine.runtime import Engine
from webui.app import create_app

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                  "--no-first-run", "--disable-sync"]
SCREENSHOTS = Path(__file__).resolve().parent.parent.parent / "docs" / "screenshots"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # The browser exercises the web layer; one database backend is enough for it.
    for item in items:
        if "e2e" in str(item.path) and "[postgresql]" in item.nodeid:
            item.add_marker(pytest.mark.skip(reason="browser tests run on SQLite only"))


@pytest.fixture
def live_server(engine: Engine) -> Iterator[str]:
    # As `cauce serve` on SQLite: the app runs its embedded worker (polling fast, for the test's sake).
    settings = replace(Settings.from_env({}), worker_poll_seconds=0.1)
    app = create_app(settings, engine=engine, embedded_worker=True)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        app.extensions["cauce_worker"].shutdown()


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: scripts/test.sh installs Debian's chromium package")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS, headless=True)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page(browser: object) -> Iterator[object]:
    context = browser.new_context(locale="es-CO", timezone_id="America/Bogota",  # type: ignore[attr-defined]
                                  viewport={"width": 1280, "height": 860})
    context.set_default_timeout(15_000)
    try:
        yield context.new_page()
    finally:
        context.close()


def screenshot(page: object, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)  # type: ignore[attr-defined]
