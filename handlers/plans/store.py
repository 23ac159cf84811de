"""Reading and writing plan rows: numbers, statuses (from the event rows), instalments and what is paid."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from uuid import uuid4

from sqlalchemy import select
from sqlalchemy.orm import Session

from handlers.ledger.journal import ZERO
from handlers.ledger.values import Audit
from handlers.plans.models import (
    PaymentPlan,
    PaymentPlanEvent,
    PlanCharge,
    PlanEventKind,
    PlanInstalment,
    PlanInstalmentPayment,
)

PLAN_PREFIX = "PP-"
GENERATED, ACTIVE, LAPSED = "generado", "activo", "caducado"


def provisional_number() -> str:
    """A unique placeholder until the row has its id."""
    return f"{PLAN_PREFIX}N{uuid4().hex[:12]}"


def plan_number(plan_id: int) -> str:
    """ "PP-0001" from the row's id: unique by construction, so two plans generated at once never collide."""
    return f"{PLAN_PREFIX}{plan_id:04d}"


def find_plan(session: Session, number: str) -> PaymentPlan | None:
    if not number or len(number) > 16:
        return None
    return session.scalars(select(PaymentPlan).where(PaymentPlan.number == number)).one_or_none()


def events_of(session: Session, plan_id: int) -> set[str]:
    return set(session.scalars(select(PaymentPlanEvent.kind).where(PaymentPlanEvent.plan_id == plan_id)))


def status_of(session: Session, plan_id: int) -> str:
    kinds = events_of(session, plan_id)
    if PlanEventKind.LAPSED in kinds:
        return LAPSED
    if PlanEventKind.ACTIVATED in kinds:
        return ACTIVE
    return GENERATED


def record_event(session: Session, plan: PaymentPlan, kind: PlanEventKind, audit: Audit) -> bool:
    """Adds the event once; False when the plan already had it."""
    if kind in events_of(session, plan.id):
        return False
    session.add(PaymentPlanEvent(plan_id=plan.id, kind=kind.value, **audit.columns()))
    session.flush()
    return True


def instalments_of(session: Session, plan_id: int) -> Sequence[PlanInstalment]:
    return session.scalars(select(PlanInstalment).where(PlanInstalment.plan_id == plan_id)
                           .order_by(PlanInstalment.seq)).all()


def paid_instalment_ids(session: Session, plan_id: int) -> set[int]:
    return set(session.scalars(select(PlanInstalmentPayment.instalment_id)
                               .join(PlanInstalment, PlanInstalment.id == PlanInstalmentPayment.instalment_id)
                               .where(PlanInstalment.plan_id == plan_id)))


def first_unpaid(session: Session, plan_id: int) -> PlanInstalment | None:
    paid = paid_instalment_ids(session, plan_id)
    return next((i for i in instalments_of(session, plan_id) if i.id not in paid), None)


def is_live(session: Session, plan: PaymentPlan) -> bool:
    """Generated and waiting for its first instalment, or active with instalments still to pay."""
    status = status_of(session, plan.id)
    if status == GENERATED:
        return True
    return status == ACTIVE and first_unpaid(session, plan.id) is not None


def plans_of_account(session: Session, account_id: int) -> Sequence[PaymentPlan]:
    """Newest first."""
    return session.scalars(select(PaymentPlan).where(PaymentPlan.account_id == account_id)
                           .order_by(PaymentPlan.id.desc())).all()


def live_plans(session: Session, account_id: int) -> list[PaymentPlan]:
    return [p for p in plans_of_account(session, account_id) if is_live(session, p)]


def plan_charges(session: Session, plan_id: int) -> Sequence[PlanCharge]:
    return session.scalars(select(PlanCharge).where(PlanCharge.plan_id == plan_id)
                           .order_by(PlanCharge.id)).all()


def paid_total(session: Session, plan_id: int) -> Decimal:
    rows = session.scalars(select(PlanInstalmentPayment.amount)
                           .join(PlanInstalment, PlanInstalment.id == PlanInstalmentPayment.instalment_id)
                           .where(PlanInstalment.plan_id == plan_id))
    return sum(rows, ZERO)
