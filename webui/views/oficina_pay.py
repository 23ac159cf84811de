"""Paying: the confirmation, the order, the hand-off to the gateway, its notification, the voucher and its PDF.

Every page but the notification is the requester's: the account in the URL must be linked to them, and an order
must be theirs (404 otherwise). The notification is the gateway's, server to server, signed (no session, no CSRF).
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from flask import Blueprint, abort, current_app, jsonify, redirect, render_template, request, url_for
from sqlalchemy.orm import Session
from werkzeug.exceptions import RequestEntityTooLarge

from engine.db import utcnow
from engine.identity import User
from handlers.errors import HandlerInputError
from handlers.ledger.values import money_str
from handlers.oficina.orders import OrderNotFound, OrderView, create_order, expire_order, order_of
from handlers.oficina.pay_choices import LoanChoice, LoanNotFound, charges_choice, loan_choice
from handlers.oficina.voucher import Merchant, Voucher, voucher_of
from handlers.plans.queries import charges_in_plans
from webui.context import database, engine, roles_required, user
from webui.filters import money
from webui.payment_notifications import handle_notification
from webui.payments_config import checkout_signature, payments_config
from webui.pdf import PdfDocument, Table, pdf_response
from webui.views.oficina import REQUESTER, office_context

MAX_NOTIFICATION_BYTES = 16 * 1024  # a notification is under 1 KiB

bp = Blueprint("oficina_pay", __name__)

#: "1.752.770,00" / "150.000", "1752770" / "1752770,5", "1752770.00": what people type; nothing else.
AMOUNT_FORMS = (re.compile(r"\d{1,3}(?:\.\d{3})+(?:,\d{1,2})?"), re.compile(r"\d{1,13}(?:,\d{1,2})?"),
                re.compile(r"\d{1,13}\.\d{2}"))
NOT_FOUND = "No existe el pago o no es suyo."


def parse_amount(text: str, field: str) -> Decimal:
    """A peso amount as typed, strictly; HandlerInputError naming ``field`` otherwise."""
    value = (text or "").strip().removeprefix("$").strip()
    if AMOUNT_FORMS[2].fullmatch(value):
        return Decimal(value)
    if AMOUNT_FORMS[0].fullmatch(value) or AMOUNT_FORMS[1].fullmatch(value):
        return Decimal(value.replace(".", "").replace(",", "."))
    raise HandlerInputError("Escriba el valor en pesos, por ejemplo 1.752.770,00 o 1752770.", field=field)


def _selected() -> list[str]:
    return request.form.getlist("charge")[:100]


def _charges_page(code: str, status: int, template: str, error: HandlerInputError | None = None) -> Any:
    with database().read() as session:
        office, account_id = office_context(session, code)
        choice = None
        try:
            choice = charges_choice(session, account_id, _selected(), charges_in_plans(session, account_id))
        except HandlerInputError as exc:
            error, status = error or exc, 400
    return render_template(template, office=office, office_section="inicio", choice=choice, error=error), status


@bp.post("/oficina/cuentas/<code>/pagar")
@roles_required(REQUESTER)
def confirm_charges(code: str) -> Any:
    """The summary of the selected invoices, the total and "PAGAR" (which asks "¿Está seguro...?")."""
    return _charges_page(code, 200, "oficina/pay_confirm.html")


def _new_order(session: Session, account_id: int, items: list[Any]) -> OrderView:
    return create_order(session, username=user().username, account_id=account_id, items=items, now=utcnow(),
                        client_ip=request.remote_addr)


@bp.post("/oficina/cuentas/<code>/pagar/confirmar")
@roles_required(REQUESTER)
def create_charges_order(code: str) -> Any:
    try:
        with database().write() as session:
            _, account_id = office_context(session, code)
            choice = charges_choice(session, account_id, _selected(), charges_in_plans(session, account_id))
            order = _new_order(session, account_id, choice.items())
    except HandlerInputError as exc:
        return _charges_page(code, 400, "oficina/pay_confirm.html", exc)
    return redirect(url_for("oficina_pay.checkout", reference=order.reference), 303)


def _loan(session: Session, account_id: int, loan: str) -> LoanChoice:
    try:
        return loan_choice(session, account_id, loan)
    except LoanNotFound:
        abort(404, description="No existe el crédito en esta cuenta o ya no tiene saldo.")


@bp.route("/oficina/cuentas/<code>/creditos/<loan>/pagar", methods=["GET", "POST"])
@roles_required(REQUESTER)
def loan_amount(code: str, loan: str) -> Any:
    """Monto a pagar: Valor cuota, Saldo total u Otro valor (bounded), then PAGAR POR PSE."""
    option = request.form.get("opcion", "cuota")[:10]
    other_text = request.form.get("otro_valor", "")[:40]
    error: HandlerInputError | None = None
    if request.method == "POST":
        try:
            with database().write() as session:
                _, account_id = office_context(session, code)
                choice = _loan(session, account_id, loan)
                other = parse_amount(other_text, "otro_valor") if option == "otro" else None
                amount = choice.amount_for(option, other)
                order = _new_order(session, account_id, [choice.item(amount, option)])
            return redirect(url_for("oficina_pay.checkout", reference=order.reference), 303)
        except HandlerInputError as exc:
            error = exc
    with database().read() as session:
        office, account_id = office_context(session, code)
        choice = _loan(session, account_id, loan)
    return render_template("oficina/pay_loan.html", office=office, office_section="inicio", loan=choice,
                           option=option, other=other_text, error=error), 400 if error else 200


def _my_order(session: Session, reference: str) -> OrderView:
    try:
        order = order_of(session, user().username, reference)
    except OrderNotFound:
        abort(404, description=NOT_FOUND)
    return order


def _expired(reference: str) -> OrderView:
    """The user's order, marked "vencida" first when its 30 minutes passed without an answer."""
    with database().write() as session:
        order = _my_order(session, reference)
        return expire_order(session, order.reference, utcnow()) if order.pending else order


def _checkout_fields(order: OrderView, payer_document: str, payer_email: str) -> dict[str, str]:
    config = payments_config(current_app)
    fields = {
        "merchant": config.merchant_id, "reference": order.reference, "amount": money_str(order.amount),
        "currency": order.currency, "vat": money_str(order.vat), "vat_base": money_str(order.vat_base),
        "return_url": url_for("oficina_pay.returned", reference=order.reference, _external=True),
        "notify_url": url_for("oficina_pay.notify", _external=True),
        "expires_at": order.expires_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
    }
    fields["signature"] = checkout_signature(config.secret, fields)
    fields.update(description=order.description, payer_email=payer_email, payer_document=payer_document)
    return fields


@bp.get("/oficina/pagos/<reference>/pasarela")
@roles_required(REQUESTER)
def checkout(reference: str) -> Any:
    """The order's summary and the signed form that takes the requester to the payment platform."""
    order = _expired(reference)
    if not order.pending:
        return redirect(url_for("oficina_pay.returned", reference=order.reference))
    with database().read() as session:
        office, _ = office_context(session, order.account_code)
        me = session.get(User, user().username)
        email = (me.email or "") if me else ""
    fields = _checkout_fields(order, (office.current.document_id or "")[:20], email[:254])
    action = f"{payments_config(current_app).gateway_url}/checkout"
    return render_template("oficina/pay_checkout.html", office=office, office_section="inicio", order=order,
                           fields=fields, action=action)


@bp.post("/pagos/notificacion")
def notify() -> Any:
    # Anyone can reach this address: a body far larger than any notification is refused before it is read.
    request.max_content_length = MAX_NOTIFICATION_BYTES
    try:
        raw = request.get_data()
    except RequestEntityTooLarge:
        return jsonify({"error": f"la notificación supera {MAX_NOTIFICATION_BYTES // 1024} KiB"}), 413
    status, body = handle_notification(
        engine=engine(), config=payments_config(current_app), body=raw, now=utcnow(),
        timestamp=request.headers.get("X-Pasarela-Timestamp"), signature=request.headers.get("X-Pasarela-Signature"),
        remote_addr=request.remote_addr)
    return jsonify(body), status


def _merchant() -> Merchant:
    config = payments_config(current_app)
    return Merchant(name=config.merchant_name, nit=config.merchant_nit)


def _voucher(reference: str) -> tuple[OrderView, Voucher | None]:
    order = _expired(reference)
    with database().read() as session:
        return order, voucher_of(session, user().username, order.reference, _merchant())


@bp.get("/oficina/pagos/<reference>")
@roles_required(REQUESTER)
def returned(reference: str) -> Any:
    """Back from the gateway: the voucher; "Estamos confirmando su pago" while the bank's answer is on its way."""
    order, voucher = _voucher(reference)
    with database().read() as session:
        office, _ = office_context(session, order.account_code)
    retry = (url_for("oficina_pay.loan_amount", code=order.account_code, loan=order.items[0].ref)
             if order.items and order.items[0].kind == "loan"
             else url_for("oficina.account_home", code=order.account_code))
    return render_template("oficina/pay_result.html", office=office, office_section="inicio", order=order,
                           voucher=voucher, retry=retry)


@bp.get("/oficina/pagos/<reference>/comprobante.pdf")
@roles_required(REQUESTER)
def voucher_pdf(reference: str) -> Any:
    order, voucher = _voucher(reference)
    with database().read() as session:
        office_context(session, order.account_code)
    if voucher is None:
        abort(404, description="El pago aún no tiene comprobante: el banco no ha respondido.")
    document = (PdfDocument("Comprobante de pago", f"Resultado de la transacción: {voucher.result_label}")
                .pairs(voucher.lines())
                .heading("Conceptos pagados")
                .table(Table(["Concepto", "Valor"], [[i.description, money(i.amount)] for i in voucher.items],
                             widths=[4, 1], align_right=frozenset({1})))
                .paragraph("Venta no presencial. Transacción procesada por la pasarela de pagos (PSE simulado)."))
    return pdf_response(document.render(), f"comprobante-{voucher.reference}.pdf")
