"""Browser tests: the app served on 127.0.0.1 by a real HTTP server, driven in Debian's Chromium by Playwright.

The browser is never downloaded: Playwright launches /usr/bin/chromium (scripts/test.sh installs it).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from werkzeug.serving import make_server

from engine.config import Settings
from engine.runtime import Engine
from gateway.app import create_gateway_app
from gateway.mount import with_gateway
from webui.app import create_app
from webui.payments_config import payments_config

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                  "--no-first-run", "--disable-sync"]
SCREENSHOTS = Path(__file__).resolve().parent.parent.parent / "docs" / "screenshots"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # The browser exercises the web layer; one database backend is enough for it.
    for item in items:
        if "e2e" in str(item.path) and "[postgresql]" in item.nodeid:
            item.add_marker(pytest.mark.skip(reason="browser tests run on SQLite only"))


@contextmanager
def _served(wsgi: Any, app: Flask) -> Iterator[str]:
    """``wsgi`` on a threaded HTTP server on 127.0.0.1 (its base URL), stopped with ``app``'s embedded worker."""
    server = make_server("127.0.0.1", 0, wsgi, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        app.extensions["cauce_worker"].shutdown()


@pytest.fixture
def live_server(engine: Engine) -> Iterator[str]:
    # As `cauce serve` on SQLite: the app runs its embedded worker (polling fast, for the test's sake).
    settings = replace(Settings.from_env({}), worker_poll_seconds=0.1)
    app = create_app(settings, engine=engine, embedded_worker=True)
    with _served(app, app) as url:
        yield url


@pytest.fixture
def paying_server(engine: Engine, tmp_path: Path) -> Iterator[str]:
    """As `cauce serve` mounts them: the app and the REAL gateway simulator at /pasarela, one threaded server.
    The gateway POSTs its notification to this same server before redirecting the browser back."""
    settings = replace(Settings.from_env({}), secret_key="e2e-pagos", instance_dir=tmp_path, worker_poll_seconds=0.1)
    app = create_app(settings, engine=engine, embedded_worker=True)
    gateway = create_gateway_app(secret=payments_config(app).secret, database_url=f"sqlite:///{tmp_path / 'pse.db'}",
                                 synchronous_delivery=True)
    with _served(with_gateway(app, gateway), app) as url:
        yield url


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
