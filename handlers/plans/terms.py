"""The terms of a payment plan: who may have one, the options offered, instalment amounts and due dates.

No financing rate is applied: a plan splits the overdue debt as it stands, without interest.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_DOWN, Decimal

from sqlalchemy.orm import Session

from handlers.casos.collections_advice import add_months
from handlers.ledger.journal import ZERO
from handlers.ledger.values import BOGOTA
from handlers.oficina.pending import PendingCharge, pending_charges

#: Below this overdue debt a plan costs more to run than it helps; pay the invoices instead.
MIN_DEBT = Decimal("100000.00")
#: Numbers of monthly instalments offered.
INSTALMENT_OPTIONS = (2, 3, 6, 12)
#: The first instalment falls due this many days after the plan is generated; it activates the plan.
FIRST_DUE_DAYS = 5
PESO = Decimal("1")


@dataclass(frozen=True)
class PlanOption:
    instalments: int
    instalment: Decimal  # each instalment but the last
    last: Decimal  # the last one absorbs what rounding to the peso left over
    total: Decimal

    def as_data(self) -> dict[str, object]:
        return {"cuotas": self.instalments, "valor_cuota": str(self.instalment), "ultima_cuota": str(self.last),
                "total": str(self.total)}


def overdue_charges(session: Session, account_id: int, today: date) -> list[PendingCharge]:
    """The account's charges past their due date with something still owed, oldest first."""
    return [c for c in pending_charges(session, account_id) if c.overdue_on(today)]


def overdue_debt(session: Session, account_id: int, today: date) -> Decimal:
    return sum((c.outstanding for c in overdue_charges(session, account_id, today)), ZERO)


def split(total: Decimal, count: int) -> list[Decimal]:
    """``total`` in ``count`` instalments rounded down to the peso; the last takes the remainder (and any
    cents), so they add up exactly."""
    if count < 1:
        raise ValueError("count must be positive")
    regular = (total / count).quantize(PESO, rounding=ROUND_DOWN)
    return [regular] * (count - 1) + [total - regular * (count - 1)]


def options_for(debt: Decimal) -> list[PlanOption]:
    options = []
    for count in INSTALMENT_OPTIONS:
        amounts = split(debt, count)
        options.append(PlanOption(count, amounts[0], amounts[-1], debt))
    return options


def due_dates(generated_on: date, count: int) -> list[date]:
    """The first instalment FIRST_DUE_DAYS after ``generated_on``; then monthly on the same day."""
    first = generated_on + timedelta(days=FIRST_DUE_DAYS)
    return [add_months(first, i) for i in range(count)]


def lapses_at(first_due_on: date) -> datetime:
    """When an unpaid first instalment lapses the plan: the end of its due day in Bogotá, in UTC."""
    return datetime.combine(first_due_on + timedelta(days=1), time(0, 0), tzinfo=BOGOTA).astimezone(UTC)
