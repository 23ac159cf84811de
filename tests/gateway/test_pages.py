"""The gateway's pages, good and bad paths: checkout, "Seleccione su banco", the bank, the decision."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import update
from werkzeug.test import TestResponse

from gateway.app import GatewayConfig, gateway_config
from gateway.models import Transaction
from gateway.signing import verify_notification
from tests.gateway.conftest import (
    SECRET,
    Merchant,
    checkout_form,
    choose,
    csrf_of,
    decide,
    open_checkout,
    signed,
)

CONTRACT_KEYS = {"notification_id", "merchant", "reference", "transaction_id", "status", "amount", "currency", "vat",
                 "vat_base", "instalments", "bank", "unique_code", "terminal", "authorization_code",
                 "response_code", "error_code", "description", "processed_at", "payer_ip"}


def _text(answer: TestResponse) -> str:
    return answer.get_data(as_text=True)


def test_approving_notifies_the_merchant_then_returns_to_it(client: FlaskClient, merchant: Merchant) -> None:
    form = checkout_form(merchant)
    token = open_checkout(client, form)
    page = _text(client.get(f"/t/{token}"))
    for words in ("Pagos PSE", "Seleccione su banco", "Banco de Bogotá", "Bancolombia", "Davivienda",
                  "Banco de Occidente", "Nequi", "Persona natural", "Persona jurídica", "Continuar",
                  "$ 175.277,00", "OV-000123", "Regresar al comercio"):
        assert words in page, words
    choose(client, token)
    bank = _text(client.get(f"/t/{token}/banco"))
    assert "Banco de Bogotá" in bank and "Aprobar pago" in bank and "Rechazar pago" in bank
    assert "Universidad — Servicios Financieros (UNIV-CAUCE)" in bank and "$ 175.277,00" in bank

    answer = decide(client, token, "aprobar")
    assert answer.status_code == 303 and answer.headers["Location"] == form["return_url"]
    assert len(merchant.received) == 1  # synchronous delivery: sent before the redirect
    sent = merchant.received[0]
    assert sent.path == "/pagos/notificacion"
    assert sent.headers["Content-Type"].startswith("application/json")
    assert verify_notification(SECRET, sent.headers["X-Pasarela-Timestamp"], sent.body,
                               sent.headers["X-Pasarela-Signature"])
    assert abs(int(sent.headers["X-Pasarela-Timestamp"]) - datetime.now(UTC).timestamp()) < 300
    body = json.loads(sent.body)
    assert set(body) == CONTRACT_KEYS
    assert body["status"] == "approved" and body["reference"] == "OV-000123" and body["amount"] == "175277.00"
    assert (body["currency"], body["vat"], body["vat_base"], body["instalments"]) == ("COP", "0.00", "0.00", 1)
    assert (body["response_code"], body["error_code"], body["description"]) == ("00", "2300", "Aprobada")
    assert len(body["authorization_code"]) == 6 and body["bank"] == "Banco de Bogotá"
    assert (body["unique_code"], body["terminal"], body["payer_ip"]) == ("1706", "000", "127.0.0.1")
    assert body["transaction_id"].isdigit() and body["processed_at"].endswith("Z")

    answer = client.get(f"/t/{token}")
    assert answer.headers["Referrer-Policy"] == "no-referrer" and answer.headers["Cache-Control"] == "no-store"
    assert answer.headers["X-Frame-Options"] == "DENY"
    result = _text(answer)
    assert "Pago aprobado" in result and "Regresar al comercio" in result and body["transaction_id"] in result


def test_rejecting_and_the_rejecting_bank(client: FlaskClient, merchant: Merchant) -> None:
    token = open_checkout(client, checkout_form(merchant))
    choose(client, token)
    assert decide(client, token, "rechazar").status_code == 303
    token2 = open_checkout(client, signed(reference="OV-000124", notify_url=merchant.notify_url()))
    choose(client, token2, bank="Banco Rechazos (pruebas)")
    assert "rechaza todos los pagos" in _text(client.get(f"/t/{token2}/banco"))
    assert decide(client, token2, "aprobar").status_code == 303  # approving at this bank still rejects
    bodies = [json.loads(r.body) for r in merchant.received]
    assert [b["status"] for b in bodies] == ["rejected", "rejected"]
    assert bodies[0]["response_code"] == "51" and bodies[0]["authorization_code"] == ""
    assert bodies[0]["description"] == "Rechazada por la entidad financiera"
    assert "Pago rechazado" in _text(client.get(f"/t/{token2}"))


def test_deciding_twice_shows_the_result_and_sends_nothing_more(client: FlaskClient, merchant: Merchant) -> None:
    token = open_checkout(client, checkout_form(merchant))
    choose(client, token)
    page = _text(client.get(f"/t/{token}/banco"))
    assert client.post(f"/t/{token}/decision", data={"csrf_token": csrf_of(page), "decision": "aprobar"}
                       ).status_code == 303
    again = client.post(f"/t/{token}/decision", data={"csrf_token": csrf_of(page), "decision": "rechazar"})
    assert again.status_code == 200 and "Pago aprobado" in _text(again)
    assert len(merchant.received) == 1
    # The bank page and the bank form of a decided transaction only show the result too.
    assert "Pago aprobado" in _text(client.get(f"/t/{token}/banco"))
    assert "Pago aprobado" in _text(client.post(f"/t/{token}", data={}))


def test_the_same_reference_reuses_its_transaction(client: FlaskClient, merchant: Merchant) -> None:
    form = checkout_form(merchant)
    token = open_checkout(client, form)
    assert open_checkout(client, form) == token  # pending: the same transaction
    assert open_checkout(client, signed(notify_url=merchant.notify_url())) == token  # re-signed: still the same
    choose(client, token)
    decide(client, token, "aprobar")
    assert open_checkout(client, form) == token  # decided: its result, not a second payment
    assert "Pago aprobado" in _text(client.get(f"/t/{token}"))
    other_amount = client.post("/checkout", data=signed(amount="1000.00"))
    assert other_amount.status_code == 400 and "ya se usó con otro valor" in _text(other_amount)
    assert len(merchant.received) == 1


def test_checkout_refusals_name_the_field(client: FlaskClient) -> None:
    past = (datetime.now(UTC) - timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    cases = {
        "signature": [checkout_form(amount="1.00"), checkout_form(signature=""), checkout_form(signature="zz"),
                      checkout_form(signature="a" * 64)],
        "expires_at": [signed(expires_at=past), signed(expires_at="mañana")],
        "merchant": [signed(merchant="OTRO-COMERCIO")],
        "amount": [signed(amount="175.277,00"), signed(amount="0.00"), signed(amount="-5.00"),
                   signed(amount="0175277.00"), signed(amount="175277")],
        "currency": [signed(currency="USD")],
        "vat": [signed(vat="200000.00")],
        "vat_base": [signed(vat_base="200000.00"), signed(vat_base="1")],
        "return_url": [signed(return_url="/oficina/pagos/OV-000123")],
        "notify_url": [signed(notify_url="javascript:alert(1)")],
        "reference": [signed(reference="OV 1;DROP")],
        "description": [signed(description="a\x00b")],
    }
    for field, forms in cases.items():
        for form in forms:
            answer = client.post("/checkout", data=form)
            assert answer.status_code == 400, (field, form)
            assert f"<strong>{field}</strong>" in _text(answer), (field, _text(answer))
    tampered = _text(client.post("/checkout", data=checkout_form(amount="1.00")))
    assert "La firma de la solicitud no es válida" in tampered
    for missing in ("notify_url", "amount", "merchant"):
        form = checkout_form()
        del form[missing]
        answer = client.post("/checkout", data=form)
        assert answer.status_code == 400 and f"<strong>{missing}</strong>" in _text(answer)
    assert client.get("/checkout").status_code == 405


def test_long_payer_data_does_not_stop_a_payment(client: FlaskClient) -> None:
    token = open_checkout(client, checkout_form(description="Factura " * 60, payer_email="x" * 300 + "@a.co",
                                                payer_document="9" * 30))
    page = _text(client.get(f"/t/{token}"))
    assert "Factura Factura" in page and "…" in page and "x" * 300 not in page and "9" * 30 not in page


def test_unknown_token_is_404(client: FlaskClient) -> None:
    for path in ("/t/no-existe-este-token-123", "/t/x", "/t/no-existe-este-token-123/banco"):
        answer = client.get(path)
        assert answer.status_code == 404 and "No existe esa transacción" in _text(answer)
    assert client.post("/t/no-existe-este-token-123/decision", data={"decision": "aprobar"}).status_code == 404


def test_bank_form_refusals_keep_what_was_typed(client: FlaskClient) -> None:
    token = open_checkout(client, checkout_form())
    csrf = csrf_of(_text(client.get(f"/t/{token}")))
    good = {"csrf_token": csrf, "bank": "Nequi", "person_type": "juridica", "document": "900123456",
            "email": "pagos@empresa.co"}
    for field, value in (("bank", "Banco Inventado"), ("person_type", "otra"), ("document", "12"),
                         ("email", "sin-arroba"), ("csrf_token", "0" * 64)):
        answer = client.post(f"/t/{token}", data={**good, field: value})
        assert answer.status_code == 400 and f"<strong>{field}</strong>" in _text(answer), field
    answer = client.post(f"/t/{token}", data={**good, "email": "sin-arroba"})
    assert 'value="900123456"' in _text(answer)
    # The bank page needs a bank first; deciding without one is refused.
    assert client.get(f"/t/{token}/banco").headers["Location"].endswith(f"/t/{token}")
    no_bank = client.post(f"/t/{token}/decision", data={"csrf_token": csrf, "decision": "aprobar"})
    assert no_bank.status_code == 400 and "<strong>bank</strong>" in _text(no_bank)
    assert client.post(f"/t/{token}", data=good).status_code == 303
    for field, data in (("decision", {"csrf_token": csrf, "decision": "quizá"}),
                        ("csrf_token", {"decision": "aprobar"})):
        answer = client.post(f"/t/{token}/decision", data=data)
        assert answer.status_code == 400 and f"<strong>{field}</strong>" in _text(answer)


def test_an_expired_transaction_cannot_be_decided(gateway: Flask, client: FlaskClient, merchant: Merchant) -> None:
    token = open_checkout(client, checkout_form(merchant))
    choose(client, token)
    csrf = csrf_of(_text(client.get(f"/t/{token}/banco")))
    with gateway_config_of(gateway).sessions.begin() as session:
        session.execute(update(Transaction).values(expires_at=datetime.now(UTC) - timedelta(seconds=1)))
    for answer in (client.get(f"/t/{token}"), client.get(f"/t/{token}/banco"),
                   client.post(f"/t/{token}/decision", data={"csrf_token": csrf, "decision": "aprobar"})):
        assert answer.status_code == 410 and "Pago vencido" in _text(answer)
        assert "Regresar al comercio" in _text(answer)
    assert merchant.received == []


def gateway_config_of(app: Flask) -> GatewayConfig:
    with app.app_context():
        return gateway_config()


def test_index_and_admin_pages(client: FlaskClient, merchant: Merchant) -> None:
    assert "Pasarela de pagos simulada" in _text(client.get("/"))
    assert "Aún no hay notificaciones" in _text(client.get("/admin"))
    token = open_checkout(client, checkout_form(merchant))
    choose(client, token)
    decide(client, token, "aprobar")
    admin = _text(client.get("/admin"))
    assert "OV-000123" in admin and "entregada" in admin and "Aprobada" in admin
    with client.get("/static/gateway.css") as css:
        assert css.status_code == 200
    assert client.post("/admin/reenviar", data={}).status_code == 400  # without the form's token
    assert client.post("/admin/reenviar", data={"csrf_token": csrf_of(admin)}).status_code == 303
    assert len(merchant.received) == 1  # delivered already: nothing to resend
