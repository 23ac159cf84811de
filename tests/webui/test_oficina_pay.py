"""Paying from the Oficina: selected invoices -> confirmation -> order -> signed checkout; the gateway's
notification (signature, freshness, amount, exactly once); the voucher and its PDF; a credit's "Monto a pagar"."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from engine.db import Database
from handlers.errors import HandlerInputError
from handlers.ledger.accounts import find_account
from handlers.ledger.models import Credit, Payment
from handlers.oficina.appliers import APPLIERS, LedgerMessage
from handlers.oficina.order_models import GatewayNotice, PaymentOrder
from handlers.oficina.pending import pending_charges
from tests.pdf_text import pdf_text
from tests.webui.conftest import SignedIn
from tests.webui.pay_helpers import notification_body, post_notification
from webui.payment_notifications import MAX_REFUSALS_RECORDED
from webui.payments_config import checkout_signature, payments_config

ACCOUNT = "20268101"  # Valentina, one of acudiente.jorge's children (demo)
PARENT = "acudiente.jorge"


@pytest.fixture
def jorge(sign_in: Callable[[str], SignedIn]) -> SignedIn:
    return sign_in(PARENT)


def _pending(db: Database, code: str = ACCOUNT) -> list[tuple[int, Decimal]]:
    with db.read() as session:
        account = find_account(session, code)
        assert account is not None
        return [(c.charge_id, c.outstanding) for c in pending_charges(session, account.id)]


def _order(jorge: SignedIn, charge_ids: list[int]) -> str:
    answer = jorge.post(f"/oficina/cuentas/{ACCOUNT}/pagar/confirmar", data={"charge": [str(i) for i in charge_ids]})
    assert answer.status_code == 303, answer.get_data(as_text=True)
    found = re.fullmatch(r".*/oficina/pagos/(OP-\d{6})/pasarela", answer.headers["Location"])
    assert found
    return found.group(1)


def _count(db: Database, model: type) -> int:
    with db.read() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def test_the_summary_asks_before_paying_and_names_a_bad_selection(jorge: SignedIn, db: Database) -> None:
    pending = _pending(db)
    page = jorge.post(f"/oficina/cuentas/{ACCOUNT}/pagar", data={"charge": [str(i) for i, _ in pending]})
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "¿Está seguro de realizar el pago?" in html and "PAGAR" in html and "Sí, pagar" in html
    total = sum((amount for _, amount in pending), Decimal(0))
    assert f"{total:,.2f}".replace(",", "X").replace(".", ",").replace("X", ".") in html
    for data in ({}, {"charge": "abc"}, {"charge": "999999"}):
        refused = jorge.post(f"/oficina/cuentas/{ACCOUNT}/pagar", data=data)
        assert refused.status_code == 400 and "Facturas:" in refused.get_data(as_text=True), data
    # Camila's account is not linked to Jorge: 404, whether the account exists or not.
    assert jorge.post("/oficina/cuentas/20262001/pagar", data={"charge": "1"}).status_code == 404
    assert jorge.post("/oficina/cuentas/20262001/pagar/confirmar", data={"charge": "1"}).status_code == 404


def test_an_order_leads_to_a_signed_checkout_form(jorge: SignedIn, app: Flask, db: Database) -> None:
    (charge_id, outstanding), *_ = _pending(db)
    reference = _order(jorge, [charge_id])
    page = jorge.get(f"/oficina/pagos/{reference}/pasarela")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and 'action="/pasarela/checkout"' in html and "Ir a la plataforma de pago" in html
    fields = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)">', html))
    assert fields["reference"] == reference and fields["amount"] == f"{outstanding:.2f}"
    assert fields["merchant"] == "UNIV-CAUCE" and fields["currency"] == "COP" and fields["vat"] == "0.00"
    assert fields["return_url"] == f"http://localhost/oficina/pagos/{reference}"
    assert fields["notify_url"] == "http://localhost/pagos/notificacion"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", fields["expires_at"])
    assert fields["signature"] == checkout_signature(payments_config(app).secret, fields)
    assert fields["payer_document"] == "1098765001"
    # The same selection again resumes the same order (the gateway resumes its transaction).
    assert _order(jorge, [charge_id]) == reference


def test_an_approved_notification_is_applied_once_and_shows_the_voucher(jorge: SignedIn, app: Flask,
                                                                       db: Database) -> None:
    pending = _pending(db)
    reference = _order(jorge, [pending[0][0]])
    waiting = jorge.get(f"/oficina/pagos/{reference}").get_data(as_text=True)
    assert "Estamos confirmando su pago con el banco" in waiting and 'http-equiv="refresh" content="2"' in waiting
    payments_before, credits_before = _count(db, Payment), _count(db, Credit)
    body = notification_body(reference, f"{pending[0][1]:.2f}")
    first = post_notification(app, body)
    assert (first.status_code, first.get_json()) == (200, {"status": "applied"})
    for _ in range(2):  # the gateway's retries of the same notification
        again = post_notification(app, body)
        assert (again.status_code, again.get_json()) == (200, {"status": "already_applied"})
    assert _count(db, Payment) == payments_before + 1 and _count(db, Credit) == credits_before + 1
    assert [i for i, _ in _pending(db)] == [i for i, _ in pending[1:]]
    html = jorge.get(f"/oficina/pagos/{reference}").get_data(as_text=True)
    assert "Resultado de la transacción - Comprobante" in html and "refresh" not in html
    for words in ("Universidad — Servicios Financieros", "860.000.123-4", "Código único", "1706", "# Transacción",
                  "Aprobada", "Base devolución IVA", "Número de cuotas", "001", "IP usuario", reference, "Imprimir",
                  "Regresar"):
        assert words in html, words
    pdf = jorge.get(f"/oficina/pagos/{reference}/comprobante.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    text = pdf_text(pdf.get_data())
    amount = f"{pending[0][1]:,.2f}".replace(",", "X").replace(".", ",").replace("X", ".")
    for words in ("Comprobante de pago", "Universidad - Servicios Financieros", "860.000.123-4", "# Transacción",
                  "83", amount, "Aprobada", reference):
        assert words in text, words
    # Mis pagos lists it as an online payment with its voucher.
    assert reference in jorge.get(f"/oficina/cuentas/{ACCOUNT}/pagos").get_data(as_text=True)


def test_forged_replayed_tampered_and_malformed_notifications_are_refused(jorge: SignedIn, app: Flask,
                                                                         db: Database) -> None:
    (charge_id, outstanding), *_ = _pending(db)
    reference = _order(jorge, [charge_id])
    body = notification_body(reference, f"{outstanding:.2f}")
    forged = post_notification(app, body, secret="otra-clave")
    assert (forged.status_code, forged.get_json()) == (401, {"error": "firma inválida"})
    unsigned = app.test_client().post("/pagos/notificacion", json=body)
    assert unsigned.status_code == 401
    replayed = post_notification(app, body, age=301)
    assert (replayed.status_code, replayed.get_json()) == (401, {"error": "notificación vencida"})
    ahead = post_notification(app, body, age=-120)
    assert ahead.status_code == 401
    tampered = post_notification(app, {**body, "amount": "1.00"})
    assert (tampered.status_code, tampered.get_json()) == (409, {"error": "el valor no coincide con la orden"})
    malformed = post_notification(app, {**body, "amount": 1500})
    assert malformed.status_code == 400 and malformed.get_json()["field"] == "amount"
    assert post_notification(app, b"{no es json").status_code == 400
    missing = {k: v for k, v in body.items() if k != "transaction_id"}
    assert post_notification(app, missing).get_json()["field"] == "transaction_id"
    other = post_notification(app, {**body, "merchant": "OTRO"})
    assert other.status_code == 400 and other.get_json()["field"] == "merchant"
    unknown = post_notification(app, {**body, "reference": "OP-999999"})
    assert unknown.status_code == 404
    oversized = post_notification(app, {**body, "description": "x" * 20_000})
    assert oversized.status_code == 413 and "KiB" in oversized.get_json()["error"]
    with db.read() as session:
        order = session.scalars(select(PaymentOrder).where(PaymentOrder.reference == reference)).one()
        assert order.status == "pendiente" and order.payment_id is None
        outcomes = list(session.scalars(select(GatewayNotice.outcome).order_by(GatewayNotice.id)))
    assert outcomes == ["refused_signature", "refused_signature", "refused_replay", "refused_replay",
                        "refused_amount", "refused_malformed", "refused_malformed", "refused_malformed",
                        "refused_unknown", "refused_unknown"]


def test_a_rejection_shows_the_banks_reason_and_a_later_approval_conflicts(jorge: SignedIn, app: Flask,
                                                                          db: Database) -> None:
    (charge_id, outstanding), *_ = _pending(db)
    reference = _order(jorge, [charge_id])
    body = notification_body(reference, f"{outstanding:.2f}", status="rejected", authorization_code="",
                             response_code="51", description="Rechazada por la entidad financiera")
    answer = post_notification(app, body)
    assert (answer.status_code, answer.get_json()) == (200, {"status": "rejected"})
    contradiction = post_notification(app, {**body, "status": "approved"})
    assert contradiction.status_code == 409
    html = jorge.get(f"/oficina/pagos/{reference}").get_data(as_text=True)
    assert "Rechazada por la entidad financiera" in html and "Intentar de nuevo" in html
    assert charge_id in [i for i, _ in _pending(db)]
    # Trying again makes a new order for the same invoice.
    assert _order(jorge, [charge_id]) != reference


def test_another_requesters_order_is_404(jorge: SignedIn, sign_in: Callable[[str], SignedIn], db: Database) -> None:
    (charge_id, _), *_ = _pending(db)
    reference = _order(jorge, [charge_id])
    camila = sign_in("estudiante.camila")
    for url in (f"/oficina/pagos/{reference}", f"/oficina/pagos/{reference}/pasarela",
                f"/oficina/pagos/{reference}/comprobante.pdf"):
        assert camila.get(url).status_code == 404, url
    assert jorge.get(f"/oficina/pagos/{reference}/comprobante.pdf").status_code == 404  # no answer yet


def test_monto_a_pagar_of_a_credit(jorge: SignedIn) -> None:
    url = "/oficina/cuentas/20268102/creditos/CR-5811/pagar"
    page = jorge.get(url).get_data(as_text=True)
    for words in ("Monto a pagar", "Valor cuota", "Saldo total", "Otro valor", "PAGAR POR PSE", "$ 500.000,00",
                  "$ 5.500.000,00"):
        assert words in page, words
    for value in ("12abc", "1.5.5", "0", "5.500.000,01", "-3", ""):
        refused = jorge.post(url, data={"opcion": "otro", "otro_valor": value})
        assert refused.status_code == 400 and "Otro valor:" in refused.get_data(as_text=True), value
    assert jorge.post(url, data={"opcion": "todo"}).status_code == 400
    answer = jorge.post(url, data={"opcion": "otro", "otro_valor": "1.250.000,50"})
    assert answer.status_code == 303 and "/pasarela" in answer.headers["Location"]
    checkout = jorge.get(answer.headers["Location"]).get_data(as_text=True)
    assert 'name="amount" value="1250000.50"' in checkout
    assert jorge.get("/oficina/cuentas/20268102/creditos/CR-0000/pagar").status_code == 404
    assert jorge.get("/oficina/cuentas/20268101/creditos/CR-5811/pagar").status_code == 404  # another account's


def test_process_messages_are_resent_until_delivered_and_a_failed_applier_applies_nothing(
        jorge: SignedIn, app: Flask, db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    (tuition, tuition_owed), (fee, fee_owed) = _pending(db)[:2]
    sent: list[tuple[Any, ...]] = []

    def applier(session: Any, payment: Payment, item: Any, audit: Any) -> list[LedgerMessage]:
        return [LedgerMessage("pago_aplicado", item.ref, f"pago:{payment.number}", {"pago": payment.number})]

    def down(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("motor caído")

    monkeypatch.setitem(APPLIERS, "charge", applier)
    engine = app.extensions["cauce_engine"]
    reference = _order(jorge, [tuition])
    body = notification_body(reference, f"{tuition_owed:.2f}")
    monkeypatch.setattr(engine, "send_message", down)
    failed = post_notification(app, body)
    assert failed.status_code == 503  # the gateway retries
    monkeypatch.setattr(engine, "send_message", lambda *a, **k: sent.append((*a, k["message_key"])))
    retried = post_notification(app, body)
    assert (retried.status_code, retried.get_json()) == (200, {"status": "already_applied"})
    assert sent == [("pago_aplicado", str(tuition), {"pago": "PL-00001"}, "pago:PL-00001")]

    def broken(session: Any, payment: Payment, item: Any, audit: Any) -> list[LedgerMessage]:
        raise HandlerInputError("El cargo ya no existe.", field="charge")

    monkeypatch.setitem(APPLIERS, "charge", broken)
    second = _order(jorge, [fee])
    payments = _count(db, Payment)
    refused = post_notification(app, notification_body(second, f"{fee_owed:.2f}", transaction_id="84",
                                                       notification_id="n-84"))
    assert refused.status_code == 409 and _count(db, Payment) == payments
    with db.read() as session:
        notice = session.scalars(select(GatewayNotice).order_by(GatewayNotice.id.desc())).first()
        assert notice is not None and notice.outcome == "refused_conflict" and "ya no existe" in notice.detail
        assert session.scalars(select(PaymentOrder.status).where(PaymentOrder.reference == second)).one() \
            == "pendiente"


def test_an_order_left_at_the_gateway_lapses_after_30_minutes(jorge: SignedIn, db: Database) -> None:
    (charge_id, _), *_ = _pending(db)
    reference = _order(jorge, [charge_id])
    waiting = jorge.get(f"/oficina/pagos/{reference}").get_data(as_text=True)
    assert "Volver a la plataforma de pago" in waiting
    with db.write() as session:
        order = session.scalars(select(PaymentOrder).where(PaymentOrder.reference == reference)).one()
        order.expires_at = order.created_at - timedelta(seconds=1)
    back = jorge.get(f"/oficina/pagos/{reference}/pasarela")
    assert back.status_code == 302 and back.headers["Location"].endswith(f"/oficina/pagos/{reference}")
    html = jorge.get(f"/oficina/pagos/{reference}").get_data(as_text=True)
    assert "venció sin respuesta del banco" in html and "Intentar de nuevo" in html and "refresh" not in html
    assert _order(jorge, [charge_id]) != reference  # a new order for the same invoice


def test_a_transaction_already_on_another_order_is_a_conflict(jorge: SignedIn, app: Flask, db: Database) -> None:
    (tuition, tuition_owed), (fee, fee_owed) = _pending(db)[:2]
    first, second = _order(jorge, [tuition]), _order(jorge, [fee])
    assert post_notification(app, notification_body(first, f"{tuition_owed:.2f}")).status_code == 200
    payments = _count(db, Payment)
    reused = post_notification(app, notification_body(second, f"{fee_owed:.2f}", notification_id="otra"))
    assert reused.status_code == 409 and _count(db, Payment) == payments
    with db.read() as session:
        assert session.scalars(select(PaymentOrder.status).where(PaymentOrder.reference == second)).one() \
            == "pendiente"
        assert session.scalars(select(GatewayNotice.detail).order_by(GatewayNotice.id.desc())).first() \
            == "El pago no se pudo aplicar a la cuenta: La transacción 83 ya está registrada en otra orden."


def test_a_flood_of_unsigned_notifications_is_cut_off_without_filling_the_table(app: Flask, db: Database) -> None:
    body = notification_body("OP-000001", "100.00")
    answers = [post_notification(app, body, secret="adivinada").status_code for _ in range(MAX_REFUSALS_RECORDED + 2)]
    assert answers == [401] * MAX_REFUSALS_RECORDED + [429, 429]
    with db.read() as session:
        assert session.scalar(select(func.count()).select_from(GatewayNotice)) == MAX_REFUSALS_RECORDED
