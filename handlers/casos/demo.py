"""Demo ledger rows for the financial-service cases: students whose accounts make each case type's paths real.

``seed_case_demo`` adds them once (a second call adds nothing). Each area's module adds its own rows
(``demo_<area>.seed``); the students every area may use are here.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from typing import NamedTuple

from sqlalchemy.orm import Session

from handlers.ledger import charges, payments, receipts
from handlers.ledger.accounts import create_student_account, find_account
from handlers.ledger.kinds import ChargeKind, ReceiptKind
from handlers.ledger.models import Account, Charge
from handlers.ledger.values import Audit

DEMO_ACTOR = "demo"
TUITION_DUE = date(2026, 1, 31)


class CaseStudent(NamedTuple):
    code: str
    name: str
    document_id: str
    program: str
    campus: str
    tuition: str
    paid: str  # applied to the tuition by one payment
    scholarship: str | None  # granted after the payment: the account ends with a credit balance


#: 20262001 is the demo requester estudiante.camila: 1.000.000 of credit balance (a scholarship granted after
#: paying the whole tuition), so her refund up to that amount is accepted and above it refused.
CASE_STUDENTS = (
    CaseStudent("20262001", "Camila Torres Ruiz", "1090123456", "Ingeniería Industrial", "BOG", "4000000",
                "4000000", "1000000"),
    CaseStudent("20262002", "Tomás Aguirre Niño", "1091234567", "Economía", "BOG", "4200000", "2100000", None),
)


def seed_case_demo(session: Session, now: datetime) -> None:
    if find_account(session, CASE_STUDENTS[0].code) is not None:
        return
    audit = Audit(actor=DEMO_ACTOR, at=now, reason="Datos de demostración de casos", instance_ref=None)
    for number, student in enumerate(CASE_STUDENTS, start=1):
        tuition = add_student(session, student, audit)
        pay_charge(session, tuition, f"PG-2{number:03d}", student.paid, audit)
        if student.scholarship:
            charges.add_scholarship_credit(session, charge=tuition, scholarship="Beca deportiva 25%",
                                           amount=student.scholarship, granted_on=date(2026, 2, 10), audit=audit)
    for seed in AREA_SEEDS:
        seed(session, audit)


def add_student(session: Session, student: CaseStudent, audit: Audit) -> Charge:
    """The student's account with its tuition charge (Matrícula 2026A)."""
    create_student_account(session, code=student.code, name=student.name, document_id=student.document_id,
                           program=student.program, campus_code=student.campus, audit=audit)
    return charges.add_charge(session, account_code=student.code, kind=ChargeKind.TUITION,
                              description="Matrícula 2026A", amount=student.tuition, charged_on=date(2025, 12, 1),
                              due_on=TUITION_DUE, audit=audit)


def pay_charge(session: Session, charge: Charge, number: str, amount: str, audit: Audit,
               paid_on: date = date(2026, 1, 20)) -> None:
    """One identified payment applied to ``charge``, with its cash receipt in a batch of its own."""
    account = charge.account_id
    payment = payments.record_payment(session, number=number, amount=Decimal(amount), paid_on=paid_on,
                                      campus_code=None, identified=True, account_code=_code_of(session, account),
                                      audit=audit)
    payments.apply_credit(session, payment=payment, charge=charge, amount=amount, audit=audit)
    batch = receipts.open_batch(session, campus_id=None, opened_on=paid_on, audit=audit)
    receipts.issue_receipt(session, payment_id=payment.id, batch=batch, account_id=account,
                           kind=ReceiptKind.PAYMENT, issued_on=paid_on,
                           lines=[(f"Abono {charge.description}", Decimal(amount), charge.id)], audit=audit)


def _code_of(session: Session, account_id: int) -> str:
    account = session.get(Account, account_id)
    assert account is not None
    return account.code


#: Each area's extra rows: functions (session, audit) -> None, run once after the students above.
AREA_SEEDS: list[Callable[[Session, Audit], None]] = []

from handlers.casos import demo_tesoreria  # noqa: E402  (its seed imports this module's helpers)

AREA_SEEDS.append(demo_tesoreria.seed)

from handlers.casos import demo_cartera  # noqa: E402  (an area's rows use this module's helpers)

AREA_SEEDS.append(demo_cartera.seed)

from handlers.casos import demo_consultas  # noqa: E402  (its seed imports this module's helpers)

AREA_SEEDS.append(demo_consultas.seed)

from handlers.casos import demo_credito  # noqa: E402  (an area's rows use this module's helpers)

AREA_SEEDS.append(demo_credito.seed)

from handlers.casos import demo_reversa  # noqa: E402  (an area's rows use this module's helpers)

AREA_SEEDS.append(demo_reversa.seed)
