"""Consulta de volantes de pago: the pending fee slips of the student account(s) holding an ID number, for anyone
who knows that number (a parent at the jardín's counter). Only the student's name and the slips: no document,
address or payment history."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from handlers.ledger.kinds import AccountKind
from handlers.ledger.models import Account
from handlers.oficina.pending import pending_charges


@dataclass(frozen=True)
class FeeSlip:
    """A row of the look-up: #, Dcto, Alumno, Concepto, Vigencia, Valor."""

    position: int
    document: str  # the charge's number (Dcto)
    student: str
    concept: str
    year: int  # vigencia: the year of the due date
    amount: Decimal  # what is still owed on it


def fee_slips_by_document(session: Session, document_id: str) -> list[FeeSlip]:
    """Every pending charge of the student accounts with this ID number, oldest due date first."""
    accounts = session.execute(select(Account.id, Account.name).where(
        Account.document_id == document_id, Account.kind == AccountKind.STUDENT).order_by(Account.code)).all()
    found = [(charge, name) for account_id, name in accounts for charge in pending_charges(session, account_id)]
    found.sort(key=lambda pair: (pair[0].due_on, pair[0].charge_id))
    return [FeeSlip(n, str(charge.charge_id), name, charge.description, charge.due_on.year, charge.outstanding)
            for n, (charge, name) in enumerate(found, start=1)]
