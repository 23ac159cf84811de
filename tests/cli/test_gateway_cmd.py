"""`cauce pasarela reenviar`: resends the pending notifications, signed with the secret `cauce serve` uses."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli.gateway_cmd import standalone_gateway
from cli.main import main
from engine.config import Settings
from gateway.app import gateway_config
from gateway.checkout import CheckoutRequest
from gateway.mount import default_gateway_secret
from gateway.signing import verify_notification
from gateway.store import close_store, open_store
from gateway.transactions import choose_bank, decide, open_transaction
from tests.gateway.conftest import Merchant, checkout_form, merchant  # noqa: F401 (the merchant fixture)

ROOT = Path(__file__).resolve().parent.parent.parent


def test_reenviar_delivers_what_is_pending(home: Path, merchant: Merchant,  # noqa: F811
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CAUCE_SECRET_KEY", "clave-de-la-app")
    monkeypatch.delenv("CAUCE_GATEWAY_SECRET", raising=False)
    monkeypatch.delenv("CAUCE_GATEWAY_DB_URL", raising=False)
    runner = CliRunner()
    empty = runner.invoke(main, ["pasarela", "reenviar"])
    assert empty.exit_code == 0 and "0 notificación(es) reenviada(s)" in empty.output

    now = datetime.now(UTC) - timedelta(minutes=1)
    sessions = open_store(f"sqlite:///{home / 'pasarela.sqlite'}")  # where `cauce serve` keeps the gateway's
    with sessions.begin() as session:
        tx = open_transaction(session, CheckoutRequest(
            merchant="UNIV-CAUCE", reference="OV-9", amount=Decimal("10.00"), currency="COP", vat=Decimal(0),
            vat_base=Decimal(0), description="Factura", payer_email="a@b.co", payer_document="123456",
            return_url="http://127.0.0.1/v", notify_url=merchant.notify_url(),
            expires_at=now + timedelta(hours=1)), now)
        choose_bank(session, tx.token, {"bank": "Nequi", "person_type": "natural", "document": "123456",
                                        "email": "a@b.co"}, now)
        decide(session, tx.token, approve=False, payer_ip="127.0.0.1", unique_code="1706", now=now)
    close_store(sessions)

    result = runner.invoke(main, ["pasarela", "reenviar", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == {"attempted": 1, "delivered": 1, "still_pending": 0}
    sent = merchant.received[0]
    assert verify_notification(default_gateway_secret("clave-de-la-app"), sent.headers["X-Pasarela-Timestamp"],
                               sent.body, sent.headers["X-Pasarela-Signature"])
    assert json.loads(sent.body)["status"] == "rejected"


def test_the_gateway_apart_agrees_with_the_app(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CAUCE_SECRET_KEY", "clave-de-la-app")
    monkeypatch.delenv("CAUCE_GATEWAY_SECRET", raising=False)
    monkeypatch.delenv("CAUCE_GATEWAY_DB_URL", raising=False)
    monkeypatch.delenv("CAUCE_MERCHANT_ID", raising=False)
    gateway = standalone_gateway(Settings.from_env())
    client = gateway.test_client()
    answer = client.post("/checkout", data=checkout_form(secret=default_gateway_secret("clave-de-la-app")))
    assert answer.status_code == 303
    assert client.post("/checkout", data=checkout_form(secret="otra")).status_code == 400
    with gateway.app_context():
        close_store(gateway_config().sessions)
    assert "servir" in CliRunner().invoke(main, ["pasarela", "--help"]).output


def test_serve_dev_mounts_the_gateway_too(home: Path) -> None:
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{home / 'c.db'}", "CAUCE_INSTANCE_DIR": str(home)}
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    subprocess.run([sys.executable, "-m", "cli.main", "init"], env=env, cwd=ROOT, check=True, capture_output=True)
    log = (home / "serve.log").open("wb")
    server = subprocess.Popen([sys.executable, "-m", "cli.main", "serve", "--dev", "--port", str(port)],
                              env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        page = None
        deadline = time.monotonic() + 40
        while time.monotonic() < deadline and page is None:
            try:
                with opener.open(f"http://127.0.0.1:{port}/pasarela/", timeout=2) as answer:
                    page = answer.read().decode()
            except OSError:
                assert server.poll() is None, (home / "serve.log").read_text()
                time.sleep(0.3)
        assert page is not None and "Pasarela de pagos simulada" in page
        with opener.open(f"http://127.0.0.1:{port}/iniciar-sesion", timeout=5) as answer:
            assert "Iniciar sesión" in answer.read().decode()
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        finally:
            if server.poll() is None:
                server.kill()
                server.wait(timeout=5)
            log.close()
