"""The gateway beside the app in one WSGI application (as ``cauce serve`` runs them), the secret both derive, and
the rule that the gateway imports nothing of the app."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from werkzeug.test import Client

from cli.gateway_cmd import gateway_beside
from engine.config import Settings
from gateway.app import gateway_config
from gateway.mount import default_gateway_secret, gateway_database_url, with_gateway
from gateway.store import close_store
from tests.gateway.conftest import checkout_form
from webui.app import create_app
from webui.payments_config import default_secret, payments_config

ROOT = Path(__file__).resolve().parent.parent.parent


@pytest.fixture
def settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.delenv("CAUCE_GATEWAY_SECRET", raising=False)
    monkeypatch.delenv("CAUCE_GATEWAY_DB_URL", raising=False)
    monkeypatch.delenv("CAUCE_MERCHANT_ID", raising=False)
    return Settings.from_env({"DATABASE_URL": f"sqlite:///{tmp_path / 'c.db'}", "CAUCE_INSTANCE_DIR": str(tmp_path),
                              "CAUCE_SECRET_KEY": "clave-de-la-app"})


def test_the_gateway_answers_beside_the_app(settings: Settings, tmp_path: Path) -> None:
    app = create_app(settings)
    gateway = gateway_beside(app, settings)
    client = Client(with_gateway(app, gateway))
    index = client.get("/pasarela/")
    assert index.status_code == 200 and "Pasarela de pagos simulada" in index.get_data(as_text=True)
    assert "Iniciar sesión" in client.get("/iniciar-sesion").get_data(as_text=True)
    assert (tmp_path / "pasarela.sqlite").exists()  # its own database, in the instance folder

    # Both sides hold the same secret: a checkout signed with the app's configuration is accepted, and the
    # gateway's own links carry the mount's prefix.
    secret = payments_config(app).secret
    assert secret == default_gateway_secret("clave-de-la-app")
    answer = client.post("/pasarela/checkout", data=checkout_form(secret=secret))
    assert answer.status_code == 303 and answer.headers["Location"].startswith("/pasarela/t/")
    page = client.get(answer.headers["Location"]).get_data(as_text=True)
    assert "Seleccione su banco" in page and 'href="/pasarela/static/gateway.css"' in page
    with gateway.app_context():
        close_store(gateway_config().sessions)


def test_secret_from_the_settings_and_the_database_from_the_environment(tmp_path: Path) -> None:
    assert default_secret("k") == default_gateway_secret("k")  # the app's derivation and the gateway's agree
    settings = Settings.from_env({"CAUCE_GATEWAY_SECRET": " s3creto ", "CAUCE_INSTANCE_DIR": str(tmp_path),
                                  "CAUCE_SECRET_KEY": "k"})
    app = create_app(settings)
    gateway = gateway_beside(app, settings)
    assert payments_config(app).secret == "s3creto"
    with gateway.app_context():
        assert gateway_config().secret == "s3creto"
        close_store(gateway_config().sessions)
    assert gateway_database_url(tmp_path, {"CAUCE_GATEWAY_DB_URL": "sqlite:///x.db"}) == "sqlite:///x.db"
    assert gateway_database_url(tmp_path / "i", {}) == f"sqlite:///{tmp_path / 'i' / 'pasarela.sqlite'}"


def test_the_gateway_imports_nothing_of_the_app() -> None:
    code = ("import sys, gateway, gateway.app, gateway.views, gateway.mount, gateway.delivery\n"
            "from gateway.app import create_gateway_app\n"
            "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('webui', 'engine', 'handlers', 'cli'))\n"
            "assert not bad, bad\n")
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True, capture_output=True)


def test_serve_leaves_the_simulator_out_when_the_gateway_is_a_real_banks(tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    from cli.serve_cmd import _app

    monkeypatch.setenv("CAUCE_INSTANCE_DIR", str(tmp_path))
    monkeypatch.setenv("CAUCE_EMBEDDED_WORKER", "0")
    monkeypatch.setenv("CAUCE_GATEWAY_URL", "https://pse.banco.example/pagos")
    assert Client(_app()).get("/pasarela/").status_code == 404
    assert not (tmp_path / "pasarela.sqlite").exists()
