"""The journal of account entries: what the statement shows. The balance is the sum of the entries."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from handlers.errors import HandlerInputError
from handlers.ledger.kinds import EntryKind
from handlers.ledger.models import Entry
from handlers.ledger.values import Audit, money

ZERO = Decimal("0.00")


def post_entry(
    session: Session,
    *,
    account_id: int,
    kind: EntryKind,
    entry_on: date,
    amount: Decimal,
    description: str,
    reference: str | None,
    audit: Audit,
    charge_id: int | None = None,
    payment_id: int | None = None,
    credit_id: int | None = None,
    scholarship_credit_id: int | None = None,
) -> Entry:
    if kind is EntryKind.COUNTER_ENTRY:
        raise ValueError("Las contrapartidas se registran con post_counter_entry.")
    entry = Entry(
        account_id=account_id,
        kind=kind,
        entry_on=entry_on,
        amount=money(amount),
        description=description,
        reference=reference,
        charge_id=charge_id,
        payment_id=payment_id,
        credit_id=credit_id,
        scholarship_credit_id=scholarship_credit_id,
        **audit.columns(),
    )
    session.add(entry)
    session.flush()
    return entry


def counter_entry_of(session: Session, entry: Entry) -> Entry | None:
    return session.scalars(select(Entry).where(Entry.reverses_id == entry.id)).one_or_none()


def post_counter_entry(
    session: Session, original: Entry, *, entry_on: date, description: str, audit: Audit
) -> Entry:
    """The opposite of ``original`` on the same account; refuses to reverse an entry twice."""
    if original.kind == EntryKind.COUNTER_ENTRY:
        raise HandlerInputError(f"El movimiento {original.id} ya es una contrapartida.", field=None)
    if counter_entry_of(session, original) is not None:
        raise HandlerInputError(f"El movimiento {original.id} ({original.reference}) ya fue reversado.", field=None)
    counter = Entry(
        account_id=original.account_id,
        kind=EntryKind.COUNTER_ENTRY,
        entry_on=entry_on,
        amount=-original.amount,
        description=description,
        reference=original.reference,
        charge_id=original.charge_id,
        payment_id=original.payment_id,
        credit_id=original.credit_id,
        scholarship_credit_id=original.scholarship_credit_id,
        reverses_id=original.id,
        **audit.columns(),
    )
    session.add(counter)
    session.flush()
    return counter


def entries_of(session: Session, account_id: int) -> Sequence[Entry]:
    """An account's entries in statement order: by date, then in the order they were posted."""
    return session.scalars(
        select(Entry).where(Entry.account_id == account_id).order_by(Entry.entry_on, Entry.id)
    ).all()


def unreversed_entries(session: Session, *, kind: EntryKind, payment_id: int) -> Sequence[Entry]:
    """A payment's entries of ``kind`` that no counter-entry reverses yet."""
    counter = aliased(Entry)
    return session.scalars(
        select(Entry)
        .outerjoin(counter, counter.reverses_id == Entry.id)
        .where(Entry.kind == kind, Entry.payment_id == payment_id, counter.id.is_(None))
        .order_by(Entry.id)
    ).all()


def balance_of(session: Session, account_id: int) -> Decimal:
    """Sum of the account's entries (summed exactly in Python): positive means the account owes."""
    amounts = session.scalars(select(Entry.amount).where(Entry.account_id == account_id)).all()
    return sum(amounts, ZERO)
