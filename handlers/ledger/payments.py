"""Payments (pagos), the credits (abonos) they apply to charges, and their release for an adjustment."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from handlers.errors import HandlerInputError
from handlers.ledger.accounts import get_account, get_campus
from handlers.ledger.journal import post_counter_entry, post_entry, unreversed_entries
from handlers.ledger.kinds import Adjustment, EntryKind
from handlers.ledger.models import Charge, Credit, Entry, Payment, PaymentRelease
from handlers.ledger.values import Audit, positive_money


def find_payment(session: Session, number: str) -> Payment | None:
    return session.scalars(select(Payment).where(Payment.number == number)).one_or_none()


def get_payment(session: Session, number: str, *, field: str = "payment") -> Payment:
    if not isinstance(number, str) or not number.strip():
        raise HandlerInputError("El número del pago es obligatorio.", field=field)
    payment = find_payment(session, number.strip())
    if payment is None:
        raise HandlerInputError(f"No existe el pago «{number}».", field=field)
    return payment


def record_payment(
    session: Session,
    *,
    number: str,
    amount: Decimal | str,
    paid_on: date,
    campus_code: str | None,
    identified: bool,
    account_code: str | None,
    audit: Audit,
) -> Payment:
    """A payment as received; ``account_code`` is the account it was applied to (if any)."""
    if find_payment(session, number) is not None:
        raise HandlerInputError(f"Ya existe el pago «{number}».", field="number")
    campus = get_campus(session, campus_code) if campus_code is not None else None
    account = get_account(session, account_code) if account_code is not None else None
    payment = Payment(
        number=number,
        amount=positive_money(amount),
        paid_on=paid_on,
        campus_id=campus.id if campus else None,
        identified=identified,
        account_id=account.id if account else None,
        **audit.columns(),
    )
    session.add(payment)
    session.flush()
    return payment


def apply_credit(
    session: Session, *, payment: Payment, charge: Charge, amount: Decimal | str, audit: Audit
) -> Credit:
    """An abono: part of ``payment`` applied to ``charge`` of the payment's account."""
    if payment.account_id is None or payment.account_id != charge.account_id:
        raise HandlerInputError("El cargo no pertenece a la cuenta a la que se aplicó el pago.", field="charge")
    value = positive_money(amount)
    applied = sum(session.scalars(select(Credit.amount).where(Credit.payment_id == payment.id)).all())
    if applied + value > payment.amount:
        raise HandlerInputError("Los abonos superarían el valor del pago.", field="amount")
    credit = Credit(payment_id=payment.id, charge_id=charge.id, amount=value, **audit.columns())
    session.add(credit)
    session.flush()
    post_entry(
        session,
        account_id=charge.account_id,
        kind=EntryKind.CREDIT,
        entry_on=payment.paid_on,
        amount=-value,
        description=f"Abono a {charge.description}",
        reference=payment.number,
        charge_id=charge.id,
        payment_id=payment.id,
        credit_id=credit.id,
        audit=audit,
    )
    return credit


def has_credits(session: Session, payment: Payment) -> bool:
    return (
        session.scalars(select(Credit.id).where(Credit.payment_id == payment.id).limit(1)).first() is not None
    )


def active_credit_entries(session: Session, payment: Payment) -> Sequence[Entry]:
    """The journal entries of the payment's abonos that are not annulled yet."""
    return unreversed_entries(session, kind=EntryKind.CREDIT, payment_id=payment.id)


def annul_credits(session: Session, payment: Payment, *, entry_on: date, audit: Audit) -> list[Entry]:
    """Counter-entries for every active abono of the payment (Cobro – Opciones – Cobro a Personas)."""
    entries = active_credit_entries(session, payment)
    if not entries:
        raise HandlerInputError(f"El pago {payment.number} no tiene abonos vigentes para anular.", field="payment")
    return [
        post_counter_entry(
            session, entry, entry_on=entry_on, description=f"Anulación de abono {payment.number}", audit=audit
        )
        for entry in entries
    ]


def release_of(session: Session, payment: Payment) -> PaymentRelease | None:
    return session.scalars(
        select(PaymentRelease).where(PaymentRelease.payment_id == payment.id)
    ).one_or_none()


def release_payment(session: Session, payment: Payment, *, adjustment: str, audit: Audit) -> PaymentRelease:
    """TIC releases the payment to make the adjustment (step 5); a payment is released once."""
    try:
        kind = Adjustment(adjustment)
    except ValueError as exc:
        allowed = ", ".join(a.value for a in Adjustment)
        raise HandlerInputError(
            f"No existe el ajuste «{adjustment}» (los valores posibles son: {allowed}).", field="adjustment"
        ) from exc
    if release_of(session, payment) is not None:
        raise HandlerInputError(f"El pago {payment.number} ya fue liberado.", field="payment")
    release = PaymentRelease(payment_id=payment.id, adjustment=kind, **audit.columns())
    session.add(release)
    session.flush()
    return release
