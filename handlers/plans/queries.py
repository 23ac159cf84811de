"""What the Oficina shows of an account's payment plans: its plans, and the offer of a new one."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

from sqlalchemy.orm import Session

from handlers.ledger.models import Charge
from handlers.ledger.values import bogota_date
from handlers.plans.models import PaymentPlan
from handlers.plans.store import (
    ACTIVE,
    GENERATED,
    find_plan,
    instalments_of,
    live_plans,
    paid_instalment_ids,
    paid_total,
    plan_charges,
    plans_of_account,
    status_of,
)
from handlers.plans.terms import MIN_DEBT, overdue_debt


@dataclass(frozen=True)
class PlanInstalmentView:
    seq: int
    amount: Decimal
    due_on: date
    paid: bool


@dataclass(frozen=True)
class PlanSummary:
    number: str
    status: str  # "generado" | "activo" | "caducado"
    total: Decimal
    instalments: int
    first_due_on: date
    next_instalment: PlanInstalmentView | None
    instance_id: int | None


@dataclass(frozen=True)
class PlanOffer:
    debt: Decimal  # what a plan would refinance


def _summary(session: Session, plan: PaymentPlan) -> PlanSummary:
    rows = instalments_of(session, plan.id)
    paid = paid_instalment_ids(session, plan.id)
    status = status_of(session, plan.id)
    nxt = next((i for i in rows if i.id not in paid), None) if status in (GENERATED, ACTIVE) else None
    return PlanSummary(number=plan.number, status=status, total=plan.total, instalments=plan.instalments,
                       first_due_on=rows[0].due_on if rows else plan.recorded_at.date(),
                       next_instalment=None if nxt is None else PlanInstalmentView(nxt.seq, nxt.amount, nxt.due_on,
                                                                                   False),
                       instance_id=plan.instance_id)


def plans_of(session: Session, account_id: int) -> list[PlanSummary]:
    """The account's plans, newest first."""
    return [_summary(session, plan) for plan in plans_of_account(session, account_id)]


def plan_offer(session: Session, account_id: int, today: date | None = None) -> PlanOffer | None:
    """The offer of a new plan, or None when the account may not have one: it has a live plan, or its overdue
    debt is below the minimum."""
    if live_plans(session, account_id):
        return None
    debt = overdue_debt(session, account_id, today or bogota_date(datetime.now(UTC)))
    return PlanOffer(debt=debt) if debt >= MIN_DEBT else None


def charges_in_plans(session: Session, account_id: int) -> dict[int, str]:
    """The account's charges a live plan (generado or activo) refinances, each with the plan's number: they are
    paid through the plan's instalments, not one by one."""
    found: dict[int, str] = {}
    for plan in live_plans(session, account_id):
        for row in plan_charges(session, plan.id):
            found.setdefault(row.charge_id, plan.number)
    return found


@dataclass(frozen=True)
class PlanDetail:
    """One plan as its page shows it."""

    summary: PlanSummary
    account_id: int
    holder: str
    holder_document: str
    phone: str
    email: str
    address: str
    generated_at: datetime
    paid: Decimal
    instalments: tuple[PlanInstalmentView, ...]
    charges: tuple[tuple[int, str, Decimal], ...]  # (charge id, description, amount refinanced)


def plan_detail(session: Session, account_id: int, number: str) -> PlanDetail | None:
    """The plan ``number`` of the account, or None (not found, or another account's)."""
    plan = find_plan(session, number)
    if plan is None or plan.account_id != account_id:
        return None
    paid = paid_instalment_ids(session, plan.id)
    rows = tuple(PlanInstalmentView(i.seq, i.amount, i.due_on, i.id in paid) for i in instalments_of(session, plan.id))
    charges = tuple((pc.charge_id, charge.description if charge else "", pc.amount)
                    for pc in plan_charges(session, plan.id) for charge in [session.get(Charge, pc.charge_id)])
    return PlanDetail(summary=_summary(session, plan), account_id=plan.account_id, holder=plan.holder,
                      holder_document=plan.holder_document, phone=plan.phone, email=plan.email,
                      address=plan.address, generated_at=plan.recorded_at, paid=paid_total(session, plan.id),
                      instalments=rows, charges=charges)
