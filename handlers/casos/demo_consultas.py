"""Demo students of the advice case types (activation, collections, statement questions, payment problems).

Dates are relative to the day the demo is seeded, so that "paid", "pending" and "overdue" mean the same thing
whenever the demo is loaded: the term's tuition falls due 20 days after seeding, the old one 60 days before.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import NamedTuple

from sqlalchemy.orm import Session

from handlers.casos.demo import pay_charge
from handlers.ledger import charges, payments
from handlers.ledger.accounts import create_student_account, find_account
from handlers.ledger.kinds import ChargeKind
from handlers.ledger.values import Audit, bogota_date


class AdviceStudent(NamedTuple):
    code: str
    name: str
    document_id: str
    program: str
    tuition: str | None  # None: an applicant with nothing on the statement yet
    paid: str | None
    scholarship: str | None
    overdue: bool  # the tuition of last term, already due


#: 20266001 paid the whole term (activation yes; her 3.800.000 payment is found); 20266002 owes 1.500.000 of it
#: (activation no); 20266003 is covered half by a scholarship; 20266004 owes 2.000.000 overdue (collections);
#: 20266005 has no movements. PG-6690 is an unidentified 850.000 payment waiting for the generic bag.
ADVICE_STUDENTS = (
    AdviceStudent("20266001", "Valentina Ríos Cárdenas", "1093456701", "Comunicación Social", "3800000", "3800000",
                  None, False),
    AdviceStudent("20266002", "Andrés Felipe Mora Díaz", "1093456702", "Ingeniería Mecánica", "4100000",
                  "2600000", None, False),
    AdviceStudent("20266003", "Mariana López Quintero", "1093456703", "Derecho", "5000000", "2500000", "2500000",
                  False),
    AdviceStudent("20266004", "Sebastián Vargas Peña", "1093456704", "Mercadeo", "3000000", "1000000", None, True),
    AdviceStudent("20266005", "Isabella Cruz Montoya", "1093456705", "Diseño Industrial", None, None, None, False),
)
UNIDENTIFIED_PAYMENT = ("PG-6690", "850000.00", 2)  # number, amount, days before seeding


def term_label(day: date) -> str:
    return f"{day.year}-{1 if day.month <= 6 else 2}"


def seed(session: Session, audit: Audit) -> None:
    if find_account(session, ADVICE_STUDENTS[0].code) is not None:
        return
    today = bogota_date(audit.at)
    for number, student in enumerate(ADVICE_STUDENTS, start=1):
        create_student_account(session, code=student.code, name=student.name, document_id=student.document_id,
                               program=student.program, campus_code="BOG", audit=audit)
        if student.tuition is None:
            continue
        charged = today - timedelta(days=90 if student.overdue else 40)
        due = today - timedelta(days=60) if student.overdue else today + timedelta(days=20)
        label = term_label(charged)
        tuition = charges.add_charge(session, account_code=student.code, kind=ChargeKind.TUITION,
                                     description=f"Matrícula {label}", amount=student.tuition, charged_on=charged,
                                     due_on=due, audit=audit)
        if student.scholarship:
            charges.add_scholarship_credit(session, charge=tuition, scholarship="Beca Talento 50%",
                                           amount=student.scholarship, granted_on=charged + timedelta(days=10),
                                           audit=audit)
        if student.paid:
            pay_charge(session, tuition, f"PG-66{number:02d}", student.paid, audit,
                       paid_on=charged + timedelta(days=20 if student.overdue else 30))
    payment_number, value, days_before = UNIDENTIFIED_PAYMENT
    payments.record_payment(session, number=payment_number, amount=value, paid_on=today - timedelta(days=days_before),
                            campus_code="BOG", identified=False, account_code=None, audit=audit)
