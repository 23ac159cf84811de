"""The Oficina virtual's home (estado de cuenta), Mis cuentas (link, unlink, switch) and the adhesions.

Every page of an account answers 404 unless the account is linked to the signed-in requester: an account
number says nothing about whether it exists.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from sqlalchemy.orm import Session

from engine.db import utcnow
from engine.identity import User
from handlers.errors import HandlerInputError
from handlers.ledger.values import Audit, bogota_date
from handlers.oficina.adhesions import (
    ACCOUNT_TYPE_LABELS,
    BANKS,
    SERVICE_LABELS,
    DirectDebitData,
    adhere_digital_invoice,
    adhere_direct_debit,
    adhesion_history,
    adhesion_state,
    cancel_adhesion,
)
from handlers.oficina.home import account_home as home_of
from handlers.oficina.link_models import AdhesionService
from handlers.oficina.links import (
    NotLinked,
    OfficeHeader,
    StateConflict,
    TooManyAttempts,
    find_account_to_link,
    link_account,
    linked_account_id,
    linked_accounts,
    office_header,
    unlink_account,
)
from handlers.plans.queries import charges_in_plans, plan_offer, plans_of
from webui.context import database, roles_required, user

bp = Blueprint("oficina", __name__)

REQUESTER = "solicitante"
MAX_QUERY = 32
TOO_MANY = ("Demasiados intentos con un número de cuenta y un documento que no coinciden. "
            "Espere 15 minutos e inténtelo de nuevo.")


def office_context(session: Session, code: str) -> tuple[OfficeHeader, int]:
    """The layout's header and the ledger account id of ``code``; 404 unless it is the requester's."""
    try:
        return office_header(session, user().username, code), linked_account_id(session, user().username, code)
    except NotLinked:
        abort(404, description="No existe la cuenta o no está vinculada a su usuario.")


def _audit(reason: str) -> Audit:
    return Audit(actor=user().username, at=utcnow(), reason=reason)


@bp.get("/oficina")
@roles_required(REQUESTER)
def home() -> Any:
    with database().read() as session:
        accounts = linked_accounts(session, user().username)
    if not accounts:
        return redirect(url_for("oficina.accounts"))
    return redirect(url_for("oficina.account_home", code=accounts[0].code))


def _accounts_page(status: int = 200, *, found: Any = None, values: dict[str, str] | None = None,
                   error: HandlerInputError | None = None) -> Any:
    query = (request.args.get("q") or "").strip()[:MAX_QUERY]
    with database().read() as session:
        accounts = linked_accounts(session, user().username, containing=query)
    return render_template("oficina/accounts.html", office=None, office_section="cuentas", accounts=accounts,
                           query=query, found=found, values=values or {}, error=error), status


@bp.get("/oficina/cuentas")
@roles_required(REQUESTER)
def accounts() -> Any:
    return _accounts_page()


def _link_values() -> dict[str, str]:
    return {"cuenta": request.form.get("cuenta", "")[:64], "documento": request.form.get("documento", "")[:64]}


@bp.post("/oficina/cuentas/buscar")
@roles_required(REQUESTER)
def find_to_link() -> Any:
    values = _link_values()
    error: HandlerInputError | None = None
    with database().write() as session:  # written: a pair that did not match is counted (see links.py)
        try:
            found = find_account_to_link(session, values["cuenta"], values["documento"], username=user().username,
                                         now=utcnow())
        except TooManyAttempts:
            abort(429, description=TOO_MANY)
        except HandlerInputError as exc:
            error = exc
    if error is not None:
        return _accounts_page(400, values=values, error=error)
    return _accounts_page(found=found, values=values)


@bp.post("/oficina/cuentas/vincular")
@roles_required(REQUESTER)
def link() -> Any:
    values = _link_values()
    error: HandlerInputError | None = None
    with database().write() as session:  # nothing but the counted attempt is written when it fails
        try:
            linked = link_account(session, user().username, values["cuenta"], values["documento"],
                                  _audit("Oficina virtual: vinculó la cuenta"))
        except TooManyAttempts:
            abort(429, description=TOO_MANY)
        except HandlerInputError as exc:
            error = exc
    if error is not None:
        return _accounts_page(409 if isinstance(error, StateConflict) else 400, values=values, error=error)
    flash(f"La cuenta {linked.code} ({linked.name}) quedó vinculada a su usuario.", "success")
    return redirect(url_for("oficina.accounts"))


@bp.post("/oficina/cuentas/<code>/desvincular")
@roles_required(REQUESTER)
def unlink(code: str) -> Any:
    try:
        with database().write() as session:
            unlink_account(session, user().username, code, _audit("Oficina virtual: desvinculó la cuenta"))
    except NotLinked:
        abort(404, description="No existe la cuenta o no está vinculada a su usuario.")
    flash(f"La cuenta {code} quedó desvinculada de su usuario.", "success")
    return redirect(url_for("oficina.accounts"))


@bp.get("/oficina/cuentas/<code>")
@roles_required(REQUESTER)
def account_home(code: str) -> Any:
    with database().read() as session:
        office, account_id = office_context(session, code)
        page = home_of(session, account_id, bogota_date(utcnow()))
        in_plans = charges_in_plans(session, account_id)
        plans = plans_of(session, account_id)
        offer = plan_offer(session, account_id)
    return render_template("oficina/home.html", office=office, office_section="inicio", page=page,
                           in_plans=in_plans, plans=plans, plan_offer=offer,
                           can_pay_charges="oficina_pay.confirm_charges" in current_app.view_functions,
                           can_pay_loans="oficina_pay.loan_amount" in current_app.view_functions)


def _adhesion_page(code: str, service: AdhesionService, template: str, section: str, status: int = 200,
                   error: HandlerInputError | None = None, values: dict[str, str] | None = None) -> Any:
    with database().read() as session:
        office, account_id = office_context(session, code)
        state = adhesion_state(session, account_id, service)
        history = adhesion_history(session, account_id, service)
        me = session.get(User, user().username)
        email = me.email if me and me.email else ""
    return render_template(template, office=office, office_section=section, state=state, history=history,
                           error=error, values=values or {}, banks=BANKS, account_types=ACCOUNT_TYPE_LABELS,
                           default_email=email), status


def _change_adhesion(code: str, service: AdhesionService, template: str, section: str) -> Any:
    action = request.form.get("accion", "")
    values = {k: v[:200] for k, v in request.form.items() if k != "csrf_token"}
    try:
        with database().write() as session:
            _, account_id = office_context(session, code)
            if action == "cancelar":
                cancel_adhesion(session, account_id, service, _audit(f"Oficina virtual: canceló {service.value}"))
                message = "Su cuenta ya no está adherida a {}."
            elif action == "adherir":
                _adhere(session, account_id, service, values)
                message = "Su cuenta quedó adherida a {}."
            else:
                raise HandlerInputError("Acción desconocida: adherir o cancelar.", field="accion")
    except StateConflict as exc:
        return _adhesion_page(code, service, template, section, 409, exc, values)
    except HandlerInputError as exc:
        return _adhesion_page(code, service, template, section, 400, exc, values)
    flash(message.format(SERVICE_LABELS[service]), "success")
    return redirect(url_for(request.endpoint or "oficina.account_home", code=code))


def _adhere(session: Session, account_id: int, service: AdhesionService, values: dict[str, str]) -> None:
    accepted = values.get("terminos") == "si"
    audit = _audit(f"Oficina virtual: adhirió a {service.value}")
    if service == AdhesionService.DIGITAL_INVOICE:
        adhere_digital_invoice(session, account_id, email=values.get("correo", ""), terms_accepted=accepted,
                               audit=audit)
        return
    data = DirectDebitData(bank=values.get("banco", ""), account_type=values.get("tipo_cuenta", ""),
                           account_number=values.get("numero_cuenta", ""), holder=values.get("titular", ""),
                           holder_document=values.get("documento_titular", ""))
    adhere_direct_debit(session, account_id, data=data, terms_accepted=accepted, audit=audit)


@bp.route("/oficina/cuentas/<code>/factura-digital", methods=["GET", "POST"])
@roles_required(REQUESTER)
def digital_invoice(code: str) -> Any:
    args = (code, AdhesionService.DIGITAL_INVOICE, "oficina/digital_invoice.html", "factura_digital")
    return _adhesion_page(*args) if request.method == "GET" else _change_adhesion(*args)


@bp.route("/oficina/cuentas/<code>/debito-automatico", methods=["GET", "POST"])
@roles_required(REQUESTER)
def direct_debit(code: str) -> Any:
    args = (code, AdhesionService.DIRECT_DEBIT, "oficina/direct_debit.html", "debito")
    return _adhesion_page(*args) if request.method == "GET" else _change_adhesion(*args)
