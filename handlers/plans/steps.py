"""The steps of the plan_de_pago process: eligibility, generating the plan, activating or lapsing it.

The requester is the instance's initiator; every step checks the account is linked to them, so starting the
process from elsewhere with another person's account number yields nothing.
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import select

from handlers.context import StepContext
from handlers.errors import HandlerInputError
from handlers.ledger.journal import ZERO
from handlers.ledger.models import Account
from handlers.ledger.statement_render import format_money
from handlers.ledger.values import Audit, bogota_date
from handlers.oficina.links import NotLinked, linked_account_id
from handlers.plans.models import PaymentPlan, PlanCharge, PlanEventKind, PlanInstalment
from handlers.plans.store import find_plan, first_unpaid, live_plans, plan_number, provisional_number, record_event
from handlers.plans.terms import (
    INSTALMENT_OPTIONS,
    MIN_DEBT,
    due_dates,
    lapses_at,
    options_for,
    overdue_charges,
    split,
)

DOCUMENT = re.compile(r"[A-Za-z0-9]{4,20}")
PHONE = re.compile(r"\+?[0-9][0-9 ]{6,18}")
EMAIL = re.compile(r"[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}")


def _account_id(ctx: StepContext, cuenta: object) -> int | None:
    try:
        return linked_account_id(ctx.session, ctx.initiator or "", str(cuenta or "").strip()[:32])
    except NotLinked:
        return None


def _audit(ctx: StepContext, reason: str) -> Audit:
    return Audit(actor=ctx.actor, at=ctx.now, reason=reason, instance_ref=ctx.instance_ref)


def plan_eligibility(ctx: StepContext, cuenta: str) -> dict[str, Any]:
    """Whether the account may have a plan now, why not, its overdue debt and the options offered."""

    def refused(reason: str, debt: object = "0.00") -> dict[str, Any]:
        return {"elegible": False, "motivo": reason, "deuda": str(debt), "opciones": []}

    account_id = _account_id(ctx, cuenta)
    if account_id is None:
        return refused("La cuenta no existe o no está vinculada a su usuario.")
    live = live_plans(ctx.session, account_id)
    if live:
        return refused(f"La cuenta ya tiene el plan de pago {live[0].number} vigente.")
    charges = overdue_charges(ctx.session, account_id, bogota_date(ctx.now))
    debt = sum((c.outstanding for c in charges), ZERO)
    if debt < MIN_DEBT:
        return refused(f"Su deuda vencida es de {format_money(debt)}; un plan de pago requiere al menos "
                       f"{format_money(MIN_DEBT)} vencidos.", debt)
    return {"elegible": True, "motivo": "", "deuda": str(debt),
            "opciones": [o.as_data() for o in options_for(debt)]}


def _text(value: object, field: str, label: str, limit: int, pattern: re.Pattern[str] | None = None) -> str:
    text = str(value if value is not None else "").strip()
    if not text:
        raise HandlerInputError(f"{label} es obligatorio.", field=field)
    if len(text) > limit:
        raise HandlerInputError(f"{label} admite hasta {limit} caracteres.", field=field)
    if pattern is not None and not pattern.fullmatch(text):
        raise HandlerInputError(f"{label} no es válido: «{text}».", field=field)
    return text


def _instance_id(ctx: StepContext) -> int | None:
    tail = (ctx.instance_ref or "").rpartition("#")[2]
    return int(tail) if tail.isdigit() else None


def plan_generate(ctx: StepContext, cuenta: str, cuotas: object, titular: object, documento: object,
                  telefono: object, correo: object, direccion: object, acepta_condiciones: object) -> dict[str, Any]:
    """The plan, its instalments and the charges it refinances, from the overdue debt as it stands now."""
    if isinstance(cuotas, bool) or str(cuotas).strip() not in {str(n) for n in INSTALMENT_OPTIONS}:
        raise HandlerInputError("Elija una de las opciones de cuotas ofrecidas.", field="cuotas")
    count = int(str(cuotas).strip())
    holder = _text(titular, "titular", "El nombre del titular", 200)
    document = _text(documento, "documento", "El número de documento", 20, DOCUMENT)
    phone = _text(telefono, "telefono", "El teléfono", 20, PHONE)
    email = _text(correo, "correo", "El correo electrónico", 200, EMAIL)
    address = _text(direccion, "direccion", "La dirección", 200)
    if acepta_condiciones is not True:
        raise HandlerInputError("Debe aceptar las condiciones del plan de pago.", field="acepta_condiciones")
    account_id = _account_id(ctx, cuenta)
    if account_id is None:
        raise HandlerInputError("La cuenta no existe o no está vinculada a su usuario.", field="cuenta")
    # Two requests of the same account generating at once would both find no live plan: the account's row lock
    # (PostgreSQL; SQLite writers are serialized anyway) makes the second wait and then see the first's plan.
    ctx.session.execute(select(Account.id).where(Account.id == account_id).with_for_update())
    if live_plans(ctx.session, account_id):
        raise HandlerInputError("La cuenta ya tiene un plan de pago vigente.", field="cuenta")
    today = bogota_date(ctx.now)
    charges = overdue_charges(ctx.session, account_id, today)
    debt = sum((c.outstanding for c in charges), ZERO)
    if debt < MIN_DEBT:
        raise HandlerInputError(f"Su deuda vencida ({format_money(debt)}) ya no alcanza el mínimo de "
                                f"{format_money(MIN_DEBT)} para un plan de pago.", field="cuenta")
    audit = _audit(ctx, "Plan de pago generado por el titular de la cuenta")
    plan = PaymentPlan(number=provisional_number(), account_id=account_id, total=debt, instalments=count,
                       holder=holder, holder_document=document, phone=phone, email=email, address=address,
                       terms_accepted_at=ctx.now, instance_id=_instance_id(ctx), **audit.columns())
    ctx.session.add(plan)
    ctx.session.flush()
    number = plan.number = plan_number(plan.id)
    audit = audit.because(f"Plan de pago {number} generado por el titular de la cuenta")
    plan.reason = audit.reason
    dates = due_dates(today, count)
    for seq, (amount, due_on) in enumerate(zip(split(debt, count), dates, strict=True), start=1):
        ctx.session.add(PlanInstalment(plan_id=plan.id, seq=seq, amount=amount, due_on=due_on, **audit.columns()))
    for charge in charges:
        ctx.session.add(PlanCharge(plan_id=plan.id, charge_id=charge.charge_id, amount=charge.outstanding,
                                   **audit.columns()))
    record_event(ctx.session, plan, PlanEventKind.GENERATED, audit)
    return {"numero": number, "total": str(debt), "cuotas": count, "primera_cuota": str(split(debt, count)[0]),
            "vence_el": dates[0].isoformat(),
            "vence_primera_cuota": lapses_at(dates[0]).strftime("%Y-%m-%dT%H:%M:%SZ")}


def _plan(ctx: StepContext, numero: str) -> PaymentPlan:
    plan = find_plan(ctx.session, str(numero))
    if plan is None:
        raise HandlerInputError(f"No existe el plan de pago {numero}.", field="numero")
    return plan


def plan_activate(ctx: StepContext, numero: str) -> dict[str, Any]:
    """The first instalment was paid: the plan is in force."""
    plan = _plan(ctx, numero)
    record_event(ctx.session, plan, PlanEventKind.ACTIVATED,
                 _audit(ctx, f"Plan de pago {plan.number} activado: primera cuota pagada"))
    return {"estado": "activo"}


def plan_lapse(ctx: StepContext, numero: str) -> dict[str, Any]:
    """The first instalment's due day passed unpaid: the plan lapses and its charges are owed as before. If the
    payment was applied but its message is still on its way, the plan is activated instead (the money decides,
    not which event the process saw first)."""
    plan = _plan(ctx, numero)
    first = first_unpaid(ctx.session, plan.id)
    if first is None or first.seq > 1:
        return plan_activate(ctx, numero)
    record_event(ctx.session, plan, PlanEventKind.LAPSED,
                 _audit(ctx, f"Plan de pago {plan.number} caducado: la primera cuota no se pagó a tiempo"))
    return {"estado": "caducado"}
