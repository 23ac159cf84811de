"""What the Oficina shows of an account's payment plans: its plans, and the offer of a new one."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy.orm import Session


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


def plans_of(session: Session, account_id: int) -> list[PlanSummary]:
    """The account's plans, newest first. (Filled in by the payment-plans work.)"""
    return []


def plan_offer(session: Session, account_id: int) -> PlanOffer | None:
    """The offer of a new plan, or None when the account may not have one. (Filled in by the payment-plans work.)"""
    return None


def charges_in_plans(session: Session, account_id: int) -> dict[int, str]:
    """The account's charges a live plan (generado or activo) refinances, each with the plan's number: they are
    paid through the plan's instalments, not one by one. (Filled in by the payment-plans work.)"""
    return {}
