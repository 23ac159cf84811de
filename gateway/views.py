"""The gateway's pages: checkout, "Seleccione su banco", the bank's page, the decision, the admin's list.

Views stay thin: read the form, call one function of gateway.transactions or gateway.delivery, render.
Its own forms carry a token bound to the transaction (HMAC with the shared secret): no cookie is needed.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from typing import Any

from flask import Blueprint, abort, redirect, render_template, request, url_for
from sqlalchemy import select

from gateway.admin_rows import notification_rows
from gateway.app import gateway_config
from gateway.checkout import GatewayInputError, parse_checkout
from gateway.models import Notification
from gateway.store import utcnow
from gateway.transactions import (
    ALWAYS_REJECTS,
    BANKS,
    PERSON_TYPES,
    TransactionView,
    choose_bank,
    decide,
    find_transaction,
    open_transaction,
)

bp = Blueprint("pasarela", __name__)
TOKEN = re.compile(r"[A-Za-z0-9_-]{16,64}")
ADMIN_ROWS = 200


def _form_token(purpose: str) -> str:
    return hmac.new(gateway_config().secret.encode(), f"csrf:{purpose}".encode(), hashlib.sha256).hexdigest()


def _check_form_token(purpose: str) -> None:
    given = request.form.get("csrf_token", "")
    if not given.isascii() or not hmac.compare_digest(_form_token(purpose), given):
        raise GatewayInputError("csrf_token", "El formulario venció o no viene de esta página: vuelva a abrirla.")


def _transaction(token: str) -> TransactionView:
    if not TOKEN.fullmatch(token):
        abort(404)
    with gateway_config().sessions.begin() as session:
        found = find_transaction(session, token)
    if found is None:
        abort(404)
    return found


def _expired_page(tx: TransactionView) -> Any:
    return render_template("pasarela/error.html", status=410, title="Pago vencido", field=None, tx=tx,
                           message="El tiempo para completar este pago terminó: regrese al comercio e inicie el "
                                   "pago de nuevo."), 410


@bp.get("/")
def index() -> Any:
    return render_template("pasarela/index.html")


@bp.post("/checkout")
def checkout() -> Any:
    # Posted by the merchant's page from another site: the merchant's signature, not a form token, vouches for it.
    config = gateway_config()
    now = utcnow()
    request_ = parse_checkout(request.form, secret=config.secret, merchant_id=config.merchant_id, now=now)
    with config.sessions.begin() as session:
        tx = open_transaction(session, request_, now)
    return redirect(url_for("pasarela.choose", token=tx.token), 303)


@bp.get("/t/<token>")
def choose(token: str) -> Any:
    tx = _transaction(token)
    if tx.decided:
        return render_template("pasarela/result.html", tx=tx)
    if tx.expired(utcnow()):
        return _expired_page(tx)
    return render_template("pasarela/banks.html", tx=tx, banks=BANKS, person_types=PERSON_TYPES, values={},
                           csrf_token=_form_token(token))


@bp.post("/t/<token>")
def chosen(token: str) -> Any:
    tx = _transaction(token)
    if tx.decided:
        return render_template("pasarela/result.html", tx=tx)
    _check_form_token(token)
    try:
        with gateway_config().sessions.begin() as session:
            choose_bank(session, token, request.form, utcnow())
    except GatewayInputError as exc:
        if exc.field == "expires_at":
            return _expired_page(tx)
        # Shown again with what was typed and the field named, so the payer corrects only that.
        return render_template("pasarela/banks.html", tx=tx, banks=BANKS, person_types=PERSON_TYPES,
                               values=request.form, error=exc, csrf_token=_form_token(token)), 400
    return redirect(url_for("pasarela.bank", token=token), 303)


@bp.get("/t/<token>/banco")
def bank(token: str) -> Any:
    tx = _transaction(token)
    if tx.decided:
        return render_template("pasarela/result.html", tx=tx)
    if tx.expired(utcnow()):
        return _expired_page(tx)
    if tx.bank is None:
        return redirect(url_for("pasarela.choose", token=token), 303)
    return render_template("pasarela/bank.html", tx=tx, csrf_token=_form_token(token), always_rejects=ALWAYS_REJECTS)


@bp.post("/t/<token>/decision")
def decision(token: str) -> Any:
    tx = _transaction(token)
    if tx.decided:
        return render_template("pasarela/result.html", tx=tx)  # deciding twice: the first result, nothing sent
    _check_form_token(token)
    choice = request.form.get("decision", "")
    if choice not in ("aprobar", "rechazar"):
        raise GatewayInputError("decision", "Elija «Aprobar pago» o «Rechazar pago».")
    if tx.expired(utcnow()):
        return _expired_page(tx)
    config = gateway_config()
    with config.sessions.begin() as session:
        result = decide(session, token, approve=choice == "aprobar", payer_ip=request.remote_addr or "",
                        unique_code=config.unique_code, now=utcnow())
    if result.notification_id is None:
        return render_template("pasarela/result.html", tx=result.transaction)
    # After the commit: the merchant learns the result from the notification, never from this redirect.
    config.deliverer.dispatch(result.notification_id)
    return redirect(result.transaction.return_url, 303)


@bp.get("/admin")
def admin() -> Any:
    with gateway_config().sessions.begin() as session:
        rows = notification_rows(session, ADMIN_ROWS)
    return render_template("pasarela/admin.html", notifications=rows, csrf_token=_form_token("admin"))


@bp.post("/admin/reenviar")
def resend_pending() -> Any:
    _check_form_token("admin")
    gateway_config().deliverer.deliver_pending()
    return redirect(url_for("pasarela.admin"), 303)


@bp.post("/admin/notificaciones/<notification_id>/reenviar")
def resend_one(notification_id: str) -> Any:
    _check_form_token("admin")
    with gateway_config().sessions.begin() as session:
        known = session.scalars(select(Notification.id).where(
            Notification.notification_id == notification_id[:36])).one_or_none()
    if known is None:
        abort(404)
    gateway_config().deliverer.resend(notification_id)
    return redirect(url_for("pasarela.admin"), 303)
