"""The Oficina virtual's home (estado de cuenta): the general state of the account, its pending invoices and its
credits, as one frozen value for the page."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Self

from sqlalchemy.orm import Session

from handlers.ledger.journal import ZERO, balance_of
from handlers.ledger.loans import PROGRAM_LABELS, LoanProgram, LoanStanding, loans_of, standing_of
from handlers.ledger.models import Account, Loan
from handlers.oficina.adhesions import adhesions_of
from handlers.oficina.link_models import AdhesionService
from handlers.oficina.pending import PendingCharge, pending_charges

NEXT_DUES = 3


@dataclass(frozen=True)
class PendingRow:
    """A row of "Facturas pendientes"."""

    charge_id: int
    description: str
    due_on: date
    overdue: bool
    amount: Decimal
    paid: Decimal
    outstanding: Decimal


@dataclass(frozen=True)
class LoanRow:
    """A row of "Créditos", as the document shows it: #, Dcto, Concepto, Deuda, Pagado, Saldo, Cuota."""

    number: str
    concept: str
    principal: Decimal
    paid: Decimal
    balance: Decimal
    instalment: Decimal  # the instalment, or the balance when less is left

    @classmethod
    def of(cls, loan: Loan, standing: LoanStanding) -> Self:
        return cls(number=loan.number, concept=_concept(loan.program), principal=standing.principal,
                   paid=standing.paid, balance=standing.balance, instalment=min(loan.instalment, standing.balance))


@dataclass(frozen=True)
class AccountHome:
    today: date
    overdue_debt: Decimal  # deuda vencida
    next_dues: tuple[PendingRow, ...]  # próximos vencimientos: pending charges due from today, the next few
    credit_balance: Decimal  # saldo a favor
    digital_invoice: bool
    direct_debit: bool
    pending: tuple[PendingRow, ...]
    pending_total: Decimal
    loans: tuple[LoanRow, ...]


def _row(charge: PendingCharge, today: date) -> PendingRow:
    return PendingRow(charge_id=charge.charge_id, description=charge.description, due_on=charge.due_on,
                      overdue=charge.overdue_on(today), amount=charge.amount, paid=charge.paid,
                      outstanding=charge.outstanding)


def _concept(program: str) -> str:
    try:
        return PROGRAM_LABELS[LoanProgram(program)]
    except ValueError:
        return program


def loan_rows(session: Session, account: Account) -> list[LoanRow]:
    """The account's credits with a balance left (a settled credit is no longer owed, so not listed)."""
    rows = []
    for loan in loans_of(session, account):
        standing = standing_of(session, loan)
        if standing.balance <= ZERO:
            continue
        rows.append(LoanRow.of(loan, standing))
    return rows


def account_home(session: Session, account_id: int, today: date) -> AccountHome:
    account = session.get(Account, account_id)
    if account is None:
        raise LookupError(f"No existe la cuenta con id {account_id}.")
    pending = [_row(c, today) for c in pending_charges(session, account_id)]
    adhered = adhesions_of(session, account_id)
    return AccountHome(
        today=today,
        overdue_debt=sum((r.outstanding for r in pending if r.overdue), ZERO),
        next_dues=tuple([r for r in pending if not r.overdue][:NEXT_DUES]),
        credit_balance=max(-balance_of(session, account_id), ZERO),
        digital_invoice=adhered[AdhesionService.DIGITAL_INVOICE],
        direct_debit=adhered[AdhesionService.DIRECT_DEBIT],
        pending=tuple(pending),
        pending_total=sum((r.outstanding for r in pending), ZERO),
        loans=tuple(loan_rows(session, account)),
    )
