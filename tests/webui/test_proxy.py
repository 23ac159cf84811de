"""Behind a reverse proxy (CAUCE_PROXY_HOPS): the sign-in throttle counts each client, not the proxy."""

from __future__ import annotations

from dataclasses import replace

from flask import Flask

from cli.demo import DEMO_PASSWORD
from engine.config import Settings
from engine.runtime import Engine
from webui.app import create_app
from webui.security import THROTTLE_MAX_ADDRESS_FAILURES


def _app(engine: Engine, hops: int) -> Flask:
    settings = replace(Settings.from_env({}), proxy_hops=hops)
    app = create_app(settings, engine=engine)
    app.config["TESTING"] = True
    return app


def _fail_from_many_clients(app: Flask) -> None:
    client = app.test_client()
    for n in range(THROTTLE_MAX_ADDRESS_FAILURES + 1):
        answer = client.post("/iniciar-sesion", data={"username": f"nadie{n}", "password": "x"},
                             headers={"X-Forwarded-For": f"10.0.0.{n + 1}"}, environ_base={"REMOTE_ADDR": "127.0.0.9"})
        assert answer.status_code in (401, 429)


def test_behind_a_trusted_proxy_each_client_has_its_own_count(engine: Engine) -> None:
    app = _app(engine, hops=1)
    _fail_from_many_clients(app)
    answer = app.test_client().post("/iniciar-sesion", data={"username": "tic.ana", "password": DEMO_PASSWORD},
                                    headers={"X-Forwarded-For": "10.0.1.1", "X-Forwarded-Proto": "https"},
                                    environ_base={"REMOTE_ADDR": "127.0.0.9"})
    assert answer.status_code == 302


def test_without_the_setting_forwarded_headers_are_not_trusted(engine: Engine) -> None:
    app = _app(engine, hops=0)
    _fail_from_many_clients(app)  # a client cannot escape the count by inventing X-Forwarded-For
    answer = app.test_client().post("/iniciar-sesion", data={"username": "tic.ana", "password": DEMO_PASSWORD},
                                    headers={"X-Forwarded-For": "10.0.1.1"}, environ_base={"REMOTE_ADDR": "127.0.0.9"})
    assert answer.status_code == 429
