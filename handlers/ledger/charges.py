"""Charges (matrícula financiera, derechos pecuniarios) and the scholarship credits on them."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy.orm import Session

from handlers.errors import HandlerInputError
from handlers.ledger.accounts import get_account
from handlers.ledger.journal import post_entry
from handlers.ledger.kinds import ChargeKind, EntryKind
from handlers.ledger.models import Charge, ScholarshipCredit
from handlers.ledger.values import Audit, positive_money

CHARGE_LABELS = {ChargeKind.TUITION: "Matrícula financiera", ChargeKind.FEE: "Derecho pecuniario"}


def add_charge(
    session: Session,
    *,
    account_code: str,
    kind: ChargeKind,
    description: str,
    amount: Decimal | str,
    charged_on: date,
    due_on: date,
    audit: Audit,
) -> Charge:
    account = get_account(session, account_code)
    value = positive_money(amount)
    if due_on < charged_on:
        raise HandlerInputError("La fecha de vencimiento es anterior a la fecha del cargo.", field="due_on")
    charge = Charge(
        account_id=account.id,
        kind=ChargeKind(kind),
        description=description,
        amount=value,
        charged_on=charged_on,
        due_on=due_on,
        **audit.columns(),
    )
    session.add(charge)
    session.flush()
    post_entry(
        session,
        account_id=account.id,
        kind=EntryKind.CHARGE,
        entry_on=charged_on,
        amount=value,
        description=f"{CHARGE_LABELS[ChargeKind(kind)]}: {description}",
        reference=None,
        charge_id=charge.id,
        audit=audit,
    )
    return charge


def add_scholarship_credit(
    session: Session,
    *,
    charge: Charge,
    scholarship: str,
    amount: Decimal | str,
    granted_on: date,
    audit: Audit,
) -> ScholarshipCredit:
    value = positive_money(amount)
    if value > charge.amount:
        raise HandlerInputError("La beca no puede superar el valor del cargo al que se abona.", field="amount")
    credit = ScholarshipCredit(
        charge_id=charge.id, scholarship=scholarship, amount=value, granted_on=granted_on, **audit.columns()
    )
    session.add(credit)
    session.flush()
    post_entry(
        session,
        account_id=charge.account_id,
        kind=EntryKind.SCHOLARSHIP,
        entry_on=granted_on,
        amount=-value,
        description=f"Beca: {scholarship}",
        reference=None,
        charge_id=charge.id,
        scholarship_credit_id=credit.id,
        audit=audit,
    )
    return credit
