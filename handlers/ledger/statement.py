"""The account statement ("Estado de cuenta por alumno"): the journal of one account with its totals."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from handlers.ledger.accounts import get_account
from handlers.ledger.journal import ZERO, entries_of
from handlers.ledger.kinds import EntryKind
from handlers.ledger.models import Campus, Charge
from handlers.ledger.values import bogota_date


@dataclass(frozen=True)
class StatementAccount:
    code: str
    name: str
    kind: str
    document_id: str | None
    program: str | None
    campus_code: str | None
    campus_name: str | None


@dataclass(frozen=True)
class StatementEntry:
    entry_id: int
    date: date
    kind: EntryKind
    description: str
    reference: str | None
    amount: Decimal  # positive = a charge, negative = a credit
    balance: Decimal  # running balance after this entry
    reverses_entry_id: int | None  # for a counter-entry, the entry it reverses


@dataclass(frozen=True)
class Statement:
    account: StatementAccount
    as_of: date  # cut-off date (Colombia) used for the overdue balance
    entries: tuple[StatementEntry, ...]
    balance: Decimal  # sum of the entries; positive = the account owes
    credit_balance: Decimal  # saldo a favor
    overdue_balance: Decimal  # saldo vencido: what is still owed on charges due before ``as_of``


def account_statement(
    session: Session, account_code: str, *, as_of: date | None = None, now: datetime | None = None
) -> Statement:
    """The statement of ``account_code``; an unknown account raises HandlerInputError(field="account").

    ``as_of`` defaults to today's date in America/Bogota (of ``now``, default the current time).
    """
    account = get_account(session, account_code)
    cutoff = as_of or bogota_date(now or datetime.now(UTC))
    campus = session.get(Campus, account.campus_id) if account.campus_id is not None else None
    running = ZERO
    entries: list[StatementEntry] = []
    owed_by_charge: dict[int, Decimal] = {}
    for row in entries_of(session, account.id):
        running += row.amount
        if row.charge_id is not None:
            owed_by_charge[row.charge_id] = owed_by_charge.get(row.charge_id, ZERO) + row.amount
        entries.append(
            StatementEntry(
                entry_id=row.id,
                date=row.entry_on,
                kind=EntryKind(row.kind),
                description=row.description,
                reference=row.reference,
                amount=row.amount,
                balance=running,
                reverses_entry_id=row.reverses_id,
            )
        )
    overdue_charges = set(
        session.scalars(select(Charge.id).where(Charge.account_id == account.id, Charge.due_on < cutoff))
    )
    overdue = sum(
        (max(owed, ZERO) for charge_id, owed in owed_by_charge.items() if charge_id in overdue_charges), ZERO
    )
    return Statement(
        account=StatementAccount(
            code=account.code,
            name=account.name,
            kind=account.kind,
            document_id=account.document_id,
            program=account.program,
            campus_code=campus.code if campus else None,
            campus_name=campus.name if campus else None,
        ),
        as_of=cutoff,
        entries=tuple(entries),
        balance=running,
        credit_balance=max(-running, ZERO),
        overdue_balance=min(overdue, max(running, ZERO)),
    )
