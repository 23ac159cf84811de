"""Small ledgers for the Oficina's handler tests: a campus, student accounts, charges, payments and loans."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from sqlalchemy.orm import Session

from handlers.ledger import charges, payments
from handlers.ledger.accounts import create_campus, create_student_account, find_campus
from handlers.ledger.kinds import ChargeKind
from handlers.ledger.models import Account, Charge, Payment
from handlers.ledger.values import Audit

NOW = datetime(2026, 11, 23, 15, 30, tzinfo=UTC)
TODAY = date(2026, 11, 23)
AUDIT = Audit(actor="nacer.admin", at=NOW, reason="Prueba de la Oficina virtual")


def student(session: Session, code: str = "30001", document: str = "1011121314", name: str = "Lina Prueba") -> Account:
    if find_campus(session, "BOG") is None:
        create_campus(session, code="BOG", name="Bogotá", audit=AUDIT)
    return create_student_account(session, code=code, name=name, document_id=document, program="Derecho",
                                  campus_code="BOG", audit=AUDIT)


def charge(session: Session, account: Account, amount: str, due_in_days: int, description: str = "Matrícula",
           kind: ChargeKind = ChargeKind.TUITION) -> Charge:
    return charges.add_charge(session, account_code=account.code, kind=kind, description=description, amount=amount,
                              charged_on=TODAY - timedelta(days=60), due_on=TODAY + timedelta(days=due_in_days),
                              audit=AUDIT)


def pay(session: Session, account: Account, number: str, applied: list[tuple[Charge, str]],
        paid_on: date = TODAY - timedelta(days=10), amount: str | None = None) -> Payment:
    """A payment of the account applied to charges, one abono per (charge, amount); by default of their sum."""
    total = Decimal(amount) if amount else sum((Decimal(a) for _, a in applied), Decimal(0))
    payment = payments.record_payment(session, number=number, amount=total, paid_on=paid_on, campus_code="BOG",
                                      identified=True, account_code=account.code, audit=AUDIT)
    for target, amount in applied:
        payments.apply_credit(session, payment=payment, charge=target, amount=amount, audit=AUDIT)
    return payment
