"""Mis pagos: an account's payment history and its paid invoices (facturas pagadas), read from the ledger.

A payment is "Anulado" once every abono it made was annulled by a counter-entry, "Aplicado" otherwise. A charge
is paid when the journal owes nothing more on it; it was paid on the date of the last abono or scholarship
that still stands.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from handlers.ledger.journal import ZERO
from handlers.ledger.kinds import EntryKind
from handlers.ledger.models import Charge, Credit, Entry, Payment
from handlers.oficina.orders import online_orders_of
from handlers.oficina.pending import owed_by_charge

ONLINE, CASHIER = "En línea", "Caja"
APPLIED, ANNULLED = "Aplicado", "Anulado"


@dataclass(frozen=True)
class PaidItem:
    description: str
    amount: Decimal


@dataclass(frozen=True)
class OnlinePayment:
    """What the payment's online order says: its reference (the voucher's) and the items it paid."""

    reference: str
    items: tuple[PaidItem, ...]


@dataclass(frozen=True)
class PaymentRow:
    number: str
    paid_on: date
    channel: str  # "En línea" (through the gateway: it has an order) or "Caja"
    amount: Decimal
    status: str  # "Aplicado" | "Anulado"
    order_reference: str | None  # the online order, whose voucher prints
    items: tuple[PaidItem, ...]  # what the payment's abonos went to


@dataclass(frozen=True)
class PaidInvoiceRow:
    charge_id: int
    description: str
    due_on: date
    amount: Decimal
    paid_on: date | None
    payments: tuple[str, ...]  # the payment numbers (and scholarships) that settled it


def _standing_entries(session: Session, account_id: int, kinds: tuple[EntryKind, ...]) -> list[Entry]:
    """The account's entries of ``kinds`` that no counter-entry undid."""
    counter = aliased(Entry)
    return list(session.scalars(
        select(Entry).outerjoin(counter, counter.reverses_id == Entry.id)
        .where(Entry.account_id == account_id, Entry.kind.in_(kinds), counter.id.is_(None))
        .order_by(Entry.entry_on, Entry.id)))


def online_payments(session: Session, account_id: int) -> dict[int, OnlinePayment]:
    """The account's payments made through the gateway, by ledger payment id."""
    return {payment_id: OnlinePayment(order.reference, tuple(PaidItem(i.description, i.amount) for i in order.items))
            for payment_id, order in online_orders_of(session, account_id).items()}


def payment_history(session: Session, account_id: int,
                    online: Mapping[int, OnlinePayment] | None = None) -> list[PaymentRow]:
    """Every payment of the account, newest first; ``online`` defaults to the account's online orders."""
    if online is None:
        online = online_payments(session, account_id)
    payments = session.scalars(select(Payment).where(Payment.account_id == account_id)
                               .order_by(Payment.paid_on.desc(), Payment.id.desc())).all()
    ids = [p.id for p in payments]
    charged = dict(session.execute(select(Charge.id, Charge.description).where(Charge.account_id == account_id)).all())
    made: dict[int, int] = defaultdict(int)
    for credit in session.scalars(select(Credit).where(Credit.payment_id.in_(ids))):
        made[credit.payment_id] += 1
    standing: dict[int, list[PaidItem]] = defaultdict(list)
    for entry in _standing_entries(session, account_id, (EntryKind.CREDIT,)):
        if entry.payment_id is not None:
            standing[entry.payment_id].append(PaidItem(charged.get(entry.charge_id or 0, entry.description),
                                                       -entry.amount))
    rows = []
    for payment in payments:
        annulled = made[payment.id] > 0 and not standing[payment.id]
        order = online.get(payment.id)
        # A credit's instalment has no abono on a charge: the order says what it paid.
        items = tuple(standing[payment.id]) or (order.items if order and not annulled else ())
        rows.append(PaymentRow(number=payment.number, paid_on=payment.paid_on,
                               channel=ONLINE if order else CASHIER, amount=payment.amount,
                               status=ANNULLED if annulled else APPLIED,
                               order_reference=order.reference if order else None, items=items))
    return rows


def payment_of(session: Session, account_id: int, number: str) -> PaymentRow | None:
    """One payment of the account by its number; None when the account has no such payment."""
    return next((p for p in payment_history(session, account_id) if p.number == number), None)


def paid_invoices(session: Session, account_id: int) -> list[PaidInvoiceRow]:
    """The account's charges nothing more is owed on, most recently paid first."""
    owed = owed_by_charge(session, account_id)
    settled = [c for c in session.scalars(select(Charge).where(Charge.account_id == account_id)
                                          .order_by(Charge.due_on, Charge.id))
               if owed.get(c.id, c.amount) <= ZERO]
    numbers = dict(session.execute(select(Payment.id, Payment.number).where(Payment.account_id == account_id)).all())
    last_on: dict[int, date] = {}
    sources: dict[int, list[str]] = defaultdict(list)
    for entry in _standing_entries(session, account_id, (EntryKind.CREDIT, EntryKind.SCHOLARSHIP)):
        if entry.charge_id is None:
            continue
        last_on[entry.charge_id] = max(entry.entry_on, last_on.get(entry.charge_id, entry.entry_on))
        source = numbers.get(entry.payment_id or 0) if entry.kind == EntryKind.CREDIT else "Beca o descuento"
        if source and source not in sources[entry.charge_id]:
            sources[entry.charge_id].append(source)
    rows = [PaidInvoiceRow(charge_id=c.id, description=c.description, due_on=c.due_on, amount=c.amount,
                           paid_on=last_on.get(c.id), payments=tuple(sources[c.id])) for c in settled]
    return sorted(rows, key=lambda r: (r.paid_on or date.min, r.charge_id), reverse=True)


def paid_invoice_of(session: Session, account_id: int, charge_id: int) -> PaidInvoiceRow | None:
    return next((r for r in paid_invoices(session, account_id) if r.charge_id == charge_id), None)
