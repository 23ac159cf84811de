"""The gateway's fixtures: the gateway app on a SQLite file of its own, a merchant that is a REAL HTTP server on
127.0.0.1 (a tiny http.server in a thread), and a signed checkout form."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.message import Message
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from gateway.app import create_gateway_app, gateway_config
from gateway.signing import sign_checkout
from gateway.store import close_store
from tests.http_stub import post_server

SECRET = "prueba-secreto-compartido"
MERCHANT = "UNIV-CAUCE"


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Merchant:
    """Records every notification; answers each with the next status of ``answers`` (200 once they run out)."""

    url: str = ""
    received: list[Received] = field(default_factory=list)
    answers: list[int] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def notify_url(self) -> str:
        return f"{self.url}/pagos/notificacion"


@pytest.fixture
def merchant() -> Iterator[Merchant]:
    state = Merchant()

    def answer(path: str, headers: Message, body: bytes) -> tuple[int, bytes]:
        with state.lock:
            state.received.append(Received(path, dict(headers.items()), body))
            status = state.answers.pop(0) if state.answers else 200
        return status, b'{"status": "applied"}' if status == 200 else b'{"error": "no disponible"}'

    with post_server(answer) as port:
        state.url = f"http://127.0.0.1:{port}"
        yield state


@pytest.fixture
def gateway_db(database_url: str) -> str:
    """An empty database of the gateway's own: SQLite, and PostgreSQL too when CAUCE_TEST_PG_URL is set."""
    return database_url


@pytest.fixture
def gateway(gateway_db: str) -> Iterator[Flask]:
    """Delivers synchronously: the decision has POSTed the notification before it redirects."""
    app = create_gateway_app(secret=SECRET, database_url=gateway_db, synchronous_delivery=True)
    yield app
    with app.app_context():
        close_store(gateway_config().sessions)


@pytest.fixture
def client(gateway: Flask) -> FlaskClient:
    return gateway.test_client()


def checkout_form(merchant: Merchant | None = None, secret: str = SECRET, **overrides: str) -> dict[str, str]:
    """A checkout as the app's page posts it, signed; ``overrides`` change fields AFTER signing (tampering)."""
    notify = merchant.notify_url() if merchant else "http://127.0.0.1:9/pagos/notificacion"
    fields = {
        "merchant": MERCHANT, "reference": "OV-000123", "amount": "175277.00", "currency": "COP", "vat": "0.00",
        "vat_base": "0.00", "return_url": "http://127.0.0.1:5000/oficina/pagos/OV-000123",
        "notify_url": notify,
        "expires_at": (datetime.now(UTC) + timedelta(minutes=30)).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "description": "Factura 2026-000123", "payer_email": "camila@example.co", "payer_document": "1090123456",
    }
    fields["signature"] = sign_checkout(secret, fields)
    fields.update(overrides)
    return fields


def signed(**fields: str) -> dict[str, str]:
    """A checkout whose changed fields are signed too (a well-formed request from the merchant)."""
    base = checkout_form()
    base.update(fields)
    base["signature"] = sign_checkout(SECRET, base)
    return base


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([0-9a-f]+)"', html)
    assert found, html
    return found.group(1)


def open_checkout(client: FlaskClient, form: dict[str, str]) -> str:
    """Posts the checkout and returns the transaction's token."""
    answer = client.post("/checkout", data=form)
    assert answer.status_code == 303, answer.get_data(as_text=True)
    token = answer.headers["Location"].rsplit("/t/", 1)[1]
    return token


def choose(client: FlaskClient, token: str, bank: str = "Banco de Bogotá") -> None:
    page = client.get(f"/t/{token}").get_data(as_text=True)
    answer = client.post(f"/t/{token}", data={"csrf_token": csrf_of(page), "bank": bank, "person_type": "natural",
                                              "document": "1090123456", "email": "camila@example.co"})
    assert answer.status_code == 303, answer.get_data(as_text=True)
    assert answer.headers["Location"].endswith(f"/t/{token}/banco")


def decide(client: FlaskClient, token: str, decision: str) -> Any:
    page = client.get(f"/t/{token}/banco").get_data(as_text=True)
    return client.post(f"/t/{token}/decision", data={"csrf_token": csrf_of(page), "decision": decision})
