"""`cauce pasarela reenviar`: resends the pending notifications, signed with the secret `cauce serve` uses."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli.main import main
from gateway.checkout import CheckoutRequest
from gateway.mount import default_gateway_secret
from gateway.signing import verify_notification
from gateway.store import open_store
from gateway.transactions import choose_bank, decide, open_transaction
from tests.gateway.conftest import Merchant, merchant  # noqa: F401 (the merchant fixture)


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

    result = runner.invoke(main, ["pasarela", "reenviar", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == {"attempted": 1, "delivered": 1, "still_pending": 0}
    sent = merchant.received[0]
    assert verify_notification(default_gateway_secret("clave-de-la-app"), sent.headers["X-Pasarela-Timestamp"],
                               sent.body, sent.headers["X-Pasarela-Signature"])
    assert json.loads(sent.body)["status"] == "rejected"
