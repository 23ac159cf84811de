"""Paying a plan's instalments online: the order item "plan_instalment" (ref "PP-0001#1"), checked when ordered
and applied when the bank approves.

An instalment's money goes to the plan's charges, oldest first, as ordinary abonos; the instalment is marked
paid by a row of its own. Paying the first one activates the plan through the process's message.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from handlers.errors import HandlerInputError
from handlers.ledger.journal import ZERO, post_entry
from handlers.ledger.kinds import EntryKind
from handlers.ledger.models import Charge, Payment
from handlers.ledger.payments import apply_credit
from handlers.ledger.statement_render import format_money
from handlers.ledger.values import Audit
from handlers.oficina.pending import owed_by_charge
from handlers.plans.models import PaymentPlan, PlanInstalment, PlanInstalmentPayment
from handlers.plans.store import ACTIVE, GENERATED, find_plan, first_unpaid, plan_charges, status_of

if TYPE_CHECKING:  # appliers.py imports this module to register it: only the types are needed up front
    from handlers.oficina.appliers import LedgerMessage, OrderItemRow

KIND = "plan_instalment"
FIRST_PAID = "cuota_inicial_pagada"


def instalment_ref(plan_number: str, seq: int) -> str:
    return f"{plan_number}#{seq}"


def _parse(ref: str) -> tuple[str, int] | None:
    number, sep, seq = (ref or "").partition("#")
    if not sep or not seq.isdigit() or len(seq) > 4:
        return None
    return number, int(seq)


def _instalment(session: Session, account_id: int, ref: str) -> tuple[PaymentPlan, PlanInstalment] | None:
    parsed = _parse(ref)
    if parsed is None:
        return None
    plan = find_plan(session, parsed[0])
    if plan is None or plan.account_id != account_id:
        return None
    instalment = session.scalars(select(PlanInstalment).where(PlanInstalment.plan_id == plan.id,
                                                              PlanInstalment.seq == parsed[1])).one_or_none()
    return None if instalment is None else (plan, instalment)


def check_plan_instalment(session: Session, account_id: int, ref: str, amount: Decimal) -> None:
    """The next unpaid instalment of a live plan of the account, for exactly its amount."""
    found = _instalment(session, account_id, ref)
    if found is None:
        raise HandlerInputError("La cuota seleccionada no es de un plan de pago de esta cuenta.", field="cuota")
    plan, instalment = found
    status = status_of(session, plan.id)
    if status not in (GENERATED, ACTIVE):
        raise HandlerInputError(f"El plan de pago {plan.number} está {status}: sus cuotas ya no se pagan.",
                                field="cuota")
    if status == GENERATED and instalment.seq != 1:
        raise HandlerInputError(f"El plan {plan.number} se activa pagando primero la cuota 1.", field="cuota")
    nxt = first_unpaid(session, plan.id)
    if nxt is None or nxt.id != instalment.id:
        what = "ya está pagada" if nxt is None or nxt.seq > instalment.seq else f"sigue la cuota {nxt.seq}"
        raise HandlerInputError(f"La cuota {instalment.seq} del plan {plan.number} no es la siguiente por pagar "
                                f"({what}).", field="cuota")
    if amount != instalment.amount:
        raise HandlerInputError(f"El valor de la cuota {instalment.seq} del plan {plan.number} es "
                                f"{format_money(instalment.amount)}.", field="valor")


def _credit_charges(session: Session, payment: Payment, plan: PaymentPlan, amount: Decimal, audit: Audit) -> None:
    """``amount`` as abonos to the plan's charges, oldest first, each up to what it still owes; what is left (the
    charges settled meanwhile elsewhere) stays on the account as saldo a favor."""
    assert payment.account_id is not None
    owed = owed_by_charge(session, payment.account_id)
    rest = amount
    charges = [session.get(Charge, pc.charge_id) for pc in plan_charges(session, plan.id)]
    for charge in sorted((c for c in charges if c is not None), key=lambda c: (c.due_on, c.id)):
        part = min(rest, owed.get(charge.id, ZERO))
        if part > ZERO:
            apply_credit(session, payment=payment, charge=charge, amount=part, audit=audit)
            rest -= part
    if rest > ZERO:
        post_entry(session, account_id=payment.account_id, kind=EntryKind.UNAPPLIED_PAYMENT,
                   entry_on=payment.paid_on, amount=-rest,
                   description=f"Excedente del pago al plan {plan.number} (saldo a favor)",
                   reference=payment.number, payment_id=payment.id, audit=audit)


def apply_plan_instalment(session: Session, payment: Payment, item: OrderItemRow,
                          audit: Audit) -> list[LedgerMessage]:
    """Credits the plan's charges and marks the instalment paid; for the first, the message that activates the
    plan. The money is credited even when the plan lapsed or the instalment got paid meanwhile (it was received):
    then nothing is marked and no message is sent."""
    assert payment.account_id is not None
    found = _instalment(session, payment.account_id, item.ref)
    if found is None:
        raise HandlerInputError("La cuota del pago no es de un plan de pago de esta cuenta.", field="cuota")
    plan, instalment = found
    _credit_charges(session, payment, plan, item.amount, audit)
    nxt = first_unpaid(session, plan.id)
    payable = status_of(session, plan.id) in (GENERATED, ACTIVE) and nxt is not None and nxt.id == instalment.id
    if not payable:
        return []
    session.add(PlanInstalmentPayment(instalment_id=instalment.id, payment_id=payment.id, amount=item.amount,
                                      **audit.columns()))
    session.flush()
    if instalment.seq != 1:
        return []
    from handlers.oficina.appliers import LedgerMessage

    return [LedgerMessage(FIRST_PAID, plan.number, f"{plan.number}-cuota-1",
                          {"plan": plan.number, "pago": payment.number, "valor": str(item.amount)})]
