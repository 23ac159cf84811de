"""Cash receipts (recibos de caja) in batches (lotes), with their transaction detail lines."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from handlers.errors import HandlerInputError
from handlers.ledger.kinds import ReceiptKind
from handlers.ledger.models import Batch, Receipt, ReceiptAnnulment, ReceiptLine
from handlers.ledger.numbering import BATCH_PREFIX, RECEIPT_PREFIX, next_number
from handlers.ledger.values import Audit, money


def open_batch(
    session: Session, *, campus_id: int | None, opened_on: date, audit: Audit, number: str | None = None
) -> Batch:
    batch = Batch(
        number=number or next_number(session, Batch.number, BATCH_PREFIX, start=301),
        campus_id=campus_id,
        opened_on=opened_on,
        **audit.columns(),
    )
    session.add(batch)
    session.flush()
    return batch


def issue_receipt(
    session: Session,
    *,
    payment_id: int,
    batch: Batch,
    account_id: int | None,
    kind: ReceiptKind,
    issued_on: date,
    lines: Sequence[tuple[str, Decimal, int | None]],
    audit: Audit,
    number: str | None = None,
) -> Receipt:
    """A receipt with its detail lines ``(description, amount, charge_id)``."""
    if not lines:
        raise ValueError("El recibo necesita al menos una línea de detalle.")
    receipt = Receipt(
        number=number or next_number(session, Receipt.number, RECEIPT_PREFIX, start=2001),
        batch_id=batch.id,
        payment_id=payment_id,
        account_id=account_id,
        kind=kind,
        issued_on=issued_on,
        **audit.columns(),
    )
    session.add(receipt)
    session.flush()
    for description, amount, charge_id in lines:
        session.add(
            ReceiptLine(
                receipt_id=receipt.id,
                description=description,
                amount=money(amount),
                charge_id=charge_id,
                **audit.columns(),
            )
        )
    session.flush()
    return receipt


def receipt_of(session: Session, payment_id: int, kind: ReceiptKind = ReceiptKind.PAYMENT) -> Receipt | None:
    return session.scalars(
        select(Receipt).where(Receipt.payment_id == payment_id, Receipt.kind == kind)
    ).one_or_none()


def lines_of(session: Session, receipt: Receipt) -> Sequence[ReceiptLine]:
    return session.scalars(
        select(ReceiptLine).where(ReceiptLine.receipt_id == receipt.id).order_by(ReceiptLine.id)
    ).all()


def is_annulled(session: Session, receipt: Receipt) -> bool:
    found = session.scalars(select(ReceiptAnnulment.id).where(ReceiptAnnulment.receipt_id == receipt.id))
    return found.first() is not None


def batch_of(session: Session, receipt: Receipt) -> Batch:
    return session.get_one(Batch, receipt.batch_id)


def annul_receipt(session: Session, receipt: Receipt, *, audit: Audit) -> list[ReceiptLine]:
    """Counter-lines on the transaction detail and the annulment of the receipt; refused twice."""
    if is_annulled(session, receipt):
        raise HandlerInputError(f"El recibo {receipt.number} ya está anulado.", field="payment")
    counters = [
        ReceiptLine(
            receipt_id=receipt.id,
            description=f"Anulación: {line.description}",
            amount=-line.amount,
            charge_id=line.charge_id,
            reverses_id=line.id,
            **audit.columns(),
        )
        for line in lines_of(session, receipt)
        if line.reverses_id is None
    ]
    session.add_all(counters)
    session.add(ReceiptAnnulment(receipt_id=receipt.id, **audit.columns()))
    session.flush()
    return counters
