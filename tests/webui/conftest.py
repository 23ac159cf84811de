"""Web fixtures: the app on the test database, and signed-in clients for any demo user."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from cli.demo import DEMO_PASSWORD
from engine.runtime import Engine
from webui.app import create_app


@pytest.fixture
def app(engine: Engine) -> Flask:
    application = create_app(engine=engine)
    application.config["TESTING"] = True
    return application


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "the page carries no CSRF token"
    return found.group(1)


class SignedIn:
    """A test client signed in as one user, that adds the CSRF token to its POSTs."""

    def __init__(self, client: FlaskClient, username: str) -> None:
        self.client = client
        self.username = username
        page = client.post("/iniciar-sesion", data={"username": username, "password": DEMO_PASSWORD})
        assert page.status_code == 302, page.get_data(as_text=True)
        self.csrf = csrf_of(client.get("/bandeja").get_data(as_text=True))

    def get(self, url: str, **kwargs: Any) -> TestResponse:
        return self.client.get(url, **kwargs)

    def post(self, url: str, data: dict[str, Any] | None = None, **kwargs: Any) -> TestResponse:
        return self.client.post(url, data={"csrf_token": self.csrf, **(data or {})}, **kwargs)


@pytest.fixture
def sign_in(app: Flask) -> Callable[[str], SignedIn]:
    def make(username: str) -> SignedIn:
        return SignedIn(app.test_client(), username)

    return make
