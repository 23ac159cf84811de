"""Long-term credits (Pilos, profesionalización, largo plazo, Icetex): their balance, payments and payoffs.

A loan's balance is its principal minus the sum of its movements; a payoff ("liquidación") is one more
movement, so a settled loan simply has nothing left. Movements are never edited: a counter-movement
(``reverses_id``) undoes one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session

from handlers.errors import HandlerInputError
from handlers.ledger.accounts import get_account
from handlers.ledger.journal import ZERO
from handlers.ledger.models import Account, Document, Loan, LoanMovement
from handlers.ledger.numbering import next_number
from handlers.ledger.statement_render import format_money
from handlers.ledger.values import Audit, positive_money

LOAN_PREFIX = "CR-"
PAYOFF_PREFIX = "LQ-"
PAYOFF_DOCUMENT = "liquidacion_credito"


class LoanProgram(StrEnum):
    PILOS = "pilos"
    PROFESSIONALIZATION = "profesionalizacion"
    LONG_TERM = "largo_plazo"
    ICETEX = "icetex"  # Icetex's own credit: the university certifies, Icetex settles


PROGRAM_LABELS = {
    LoanProgram.PILOS: "Pilos",
    LoanProgram.PROFESSIONALIZATION: "Profesionalización",
    LoanProgram.LONG_TERM: "Crédito a largo plazo",
    LoanProgram.ICETEX: "Icetex",
}

#: The programs the university itself lends, and so the only ones it can liquidate.
UNIVERSITY_PROGRAMS = frozenset({LoanProgram.PILOS, LoanProgram.PROFESSIONALIZATION, LoanProgram.LONG_TERM})


class MovementKind(StrEnum):
    PAYMENT = "pago"  # an instalment paid
    PAYOFF = "liquidacion"  # a partial, total or graduation payoff


@dataclass(frozen=True)
class LoanStanding:
    number: str
    program: str
    principal: Decimal
    paid: Decimal
    balance: Decimal


def find_loan(session: Session, number: str) -> Loan | None:
    return session.scalars(select(Loan).where(Loan.number == str(number).strip())).one_or_none()


def get_loan(session: Session, number: str, *, field: str = "loan") -> Loan:
    loan = find_loan(session, number)
    if loan is None:
        raise HandlerInputError(f"No existe el crédito «{number}».", field=field)
    return loan


def loans_of(session: Session, account: Account, program: str | None = None) -> Sequence[Loan]:
    query = select(Loan).where(Loan.account_id == account.id)
    if program is not None:
        query = query.where(Loan.program == program)
    return session.scalars(query.order_by(Loan.id)).all()


def movements_of(session: Session, loan: Loan) -> Sequence[LoanMovement]:
    return session.scalars(select(LoanMovement).where(LoanMovement.loan_id == loan.id)
                           .order_by(LoanMovement.moved_on, LoanMovement.id)).all()


def standing_of(session: Session, loan: Loan) -> LoanStanding:
    """Principal, what has been paid (instalments and payoffs, net of counter-movements) and the balance."""
    paid = sum((m.amount for m in movements_of(session, loan)), ZERO)
    return LoanStanding(number=loan.number, program=loan.program, principal=loan.principal, paid=paid,
                        balance=loan.principal - paid)


def open_loan(session: Session, *, account_code: str, program: LoanProgram | str, principal: Decimal | str,
              instalment: Decimal | str, opened_on: date, audit: Audit, number: str | None = None) -> Loan:
    try:
        kind = LoanProgram(program)
    except ValueError as exc:
        raise HandlerInputError(f"No existe el programa de crédito «{program}».", field="program") from exc
    account = get_account(session, account_code)
    loan = Loan(number=number or next_number(session, Loan.number, LOAN_PREFIX, start=5001),
                account_id=account.id, program=kind, principal=positive_money(principal, field="principal"),
                instalment=positive_money(instalment, field="instalment"), opened_on=opened_on, **audit.columns())
    session.add(loan)
    session.flush()
    return loan


def record_loan_movement(session: Session, loan: Loan, *, kind: MovementKind, amount: Decimal | str,
                         moved_on: date, audit: Audit, field: str = "amount") -> LoanMovement:
    """A payment or payoff; never more than the balance, so a loan is never overpaid."""
    value = positive_money(amount, field=field)
    balance = standing_of(session, loan).balance
    if value > balance:
        raise HandlerInputError(f"El valor {value} supera el saldo del crédito {loan.number}, {balance}.",
                                field=field)
    movement = LoanMovement(loan_id=loan.id, kind=MovementKind(kind), amount=value, moved_on=moved_on,
                            **audit.columns())
    session.add(movement)
    session.flush()
    return movement


def issue_document(session: Session, *, prefix: str, kind: str, account_id: int | None, amount: Decimal | None,
                   issued_on: date, body: str, audit: Audit) -> Document:
    """A generated document numbered ``<prefix><n>`` (e.g. "LQ-1") in its own series."""
    document = Document(number=next_number(session, Document.number, prefix), kind=kind, account_id=account_id,
                        amount=amount, issued_on=issued_on, body=body, **audit.columns())
    session.add(document)
    session.flush()
    return document


@dataclass(frozen=True)
class Payoff:
    document: Document
    movement: LoanMovement
    before: LoanStanding
    after: LoanStanding


def settle_loan(session: Session, loan: Loan, *, amount: Decimal | str, payoff_label: str, issued_on: date,
                valid_until: date, audit: Audit, field: str = "valor") -> Payoff:
    """A payoff: the ``liquidacion`` movement for ``amount`` and its payoff statement (principal, paid, balance,
    amount to pay and until when the statement is valid), both written or neither."""
    if valid_until < issued_on:
        raise HandlerInputError("La fecha de vigencia es anterior a la fecha de expedición.", field="vigente_hasta")
    before = standing_of(session, loan)
    movement = record_loan_movement(session, loan, kind=MovementKind.PAYOFF, amount=amount, moved_on=issued_on,
                                    audit=audit, field=field)
    after = standing_of(session, loan)
    account = session.get(Account, loan.account_id)
    assert account is not None  # guarded by the foreign key
    body = payoff_text(account, loan, payoff_label, before, movement.amount, after.balance, issued_on, valid_until)
    document = issue_document(session, prefix=PAYOFF_PREFIX, kind=PAYOFF_DOCUMENT, account_id=account.id,
                              amount=movement.amount, issued_on=issued_on, body=body, audit=audit)
    return Payoff(document=document, movement=movement, before=before, after=after)


def payoff_text(account: Account, loan: Loan, payoff_label: str, before: LoanStanding, to_pay: Decimal,
                remaining: Decimal, issued_on: date, valid_until: date) -> str:
    program = PROGRAM_LABELS.get(LoanProgram(loan.program), loan.program)
    lines = [
        "LIQUIDACIÓN DE CRÉDITO A LARGO PLAZO",
        f"Estudiante: {account.name} ({account.code})",
        f"Crédito: {loan.number} ({program}), desembolsado el {loan.opened_on:%d/%m/%Y}",
        f"Tipo de liquidación: {payoff_label}",
        f"Capital: {format_money(before.principal)}",
        f"Pagado: {format_money(before.paid)}",
        f"Saldo: {format_money(before.balance)}",
        f"Valor a pagar: {format_money(to_pay)}",
        f"Saldo después del pago: {format_money(remaining)}",
        f"Expedida el {issued_on:%d/%m/%Y}; válida hasta el {valid_until:%d/%m/%Y}.",
    ]
    return "\n".join(lines)
