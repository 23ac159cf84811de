"""What an account still owes, charge by charge: the pending invoices (facturas pendientes, volantes de pago).

A charge's outstanding amount is the sum of the journal entries that carry its id: the charge itself, minus its
abonos and scholarships, plus any counter-entry that undid one of those. Summed in Python so SQLite and
PostgreSQL agree to the cent.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from handlers.ledger.journal import ZERO
from handlers.ledger.models import Charge, Entry


@dataclass(frozen=True)
class PendingCharge:
    charge_id: int
    kind: str
    description: str
    charged_on: date
    due_on: date
    amount: Decimal  # the charge as billed
    paid: Decimal  # abonos and scholarships applied to it
    outstanding: Decimal  # what is still owed (> 0)

    def overdue_on(self, today: date) -> bool:
        return self.due_on < today


def owed_by_charge(session: Session, account_id: int) -> dict[int, Decimal]:
    """Each charge of the account with what is still owed on it (zero or negative when settled)."""
    owed: dict[int, Decimal] = defaultdict(lambda: ZERO)
    rows = session.execute(select(Entry.charge_id, Entry.amount)
                           .where(Entry.account_id == account_id, Entry.charge_id.is_not(None)))
    for charge_id, amount in rows:
        if charge_id is not None:
            owed[charge_id] += amount
    return dict(owed)


def pending_charges(session: Session, account_id: int) -> list[PendingCharge]:
    """The account's charges with something still owed, oldest due date first."""
    owed = owed_by_charge(session, account_id)
    charges = session.scalars(select(Charge).where(Charge.account_id == account_id)
                              .order_by(Charge.due_on, Charge.id)).all()
    return [PendingCharge(charge_id=c.id, kind=c.kind, description=c.description, charged_on=c.charged_on,
                          due_on=c.due_on, amount=c.amount, paid=c.amount - owed.get(c.id, c.amount),
                          outstanding=owed.get(c.id, c.amount))
            for c in charges if owed.get(c.id, c.amount) > ZERO]
