"""Demo data of the Oficina virtual.

- estudiante.camila has her own account (20262001, with the Pilos credit CR-5010) linked, and is adhered to
  Factura digital.
- acudiente.jorge (Jorge Rojas) pays for his two children: 20268101 Valentina and 20268102 Samuel, each with a
  pending invoice already overdue and one due later (dated from the day of seeding, so they stay so), a part
  paid at the cashier's (Mis pagos has a row) and, for Samuel, a long-term credit with one instalment paid.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy.orm import Session

from handlers.casos.demo import pay_charge
from handlers.ledger import charges
from handlers.ledger.accounts import create_student_account, find_account
from handlers.ledger.kinds import ChargeKind
from handlers.ledger.loans import LoanProgram, MovementKind, open_loan, record_loan_movement
from handlers.ledger.values import Audit, bogota_date
from handlers.oficina.adhesions import adhere_digital_invoice
from handlers.oficina.links import link_account, linked_account_id

DEMO_ACTOR = "nacer.admin"
CAMILA = ("estudiante.camila", "20262001", "1090123456")
PARENT = "acudiente.jorge"
CHILDREN = (
    # code, name, document, program, tuition, tuition paid at the cashier's, payment number, fee
    ("20268101", "Valentina Rojas Mesa", "1098765001", "Medicina", "6200000", "2000000", "PG-8101",
     ("Derechos de grado", "420000")),
    ("20268102", "Samuel Rojas Mesa", "1098765002", "Ingeniería Civil", "4700000", "1500000", "PG-8102",
     ("Certificado de notas", "38500")),
)
SAMUEL_LOAN = "CR-5811"


def _own(session: Session, username: str, code: str, document: str, now: datetime) -> None:
    audit = Audit(actor=username, at=now, reason="Datos de demostración: vinculó la cuenta")
    link_account(session, username, code, document, audit)


def seed_oficina_demo(session: Session, now: datetime) -> None:
    """Adds the rows once (a second call adds nothing); runs after the ledger and case demos. Flushes only."""
    if find_account(session, CHILDREN[0][0]) is not None:
        return
    audit = Audit(actor=DEMO_ACTOR, at=now, reason="Datos de demostración de la Oficina virtual")
    today = bogota_date(now)
    for code, name, document, program, tuition, paid, payment, (fee, fee_amount) in CHILDREN:
        create_student_account(session, code=code, name=name, document_id=document, program=program,
                               campus_code="BOG", audit=audit)
        overdue = charges.add_charge(session, account_code=code, kind=ChargeKind.TUITION,
                                     description="Matrícula 2026-2", amount=tuition,
                                     charged_on=today - timedelta(days=45), due_on=today - timedelta(days=15),
                                     audit=audit)
        charges.add_charge(session, account_code=code, kind=ChargeKind.FEE, description=fee, amount=fee_amount,
                           charged_on=today - timedelta(days=5), due_on=today + timedelta(days=25), audit=audit)
        pay_charge(session, overdue, payment, paid, audit, paid_on=today - timedelta(days=30))
        _own(session, PARENT, code, document, now)
    samuel = find_account(session, CHILDREN[1][0])
    assert samuel is not None
    loan = open_loan(session, account_code=samuel.code, program=LoanProgram.LONG_TERM, principal=Decimal("6000000"),
                     instalment=Decimal("500000"), opened_on=date(2025, 7, 15), audit=audit, number=SAMUEL_LOAN)
    record_loan_movement(session, loan, kind=MovementKind.PAYMENT, amount=Decimal("500000"),
                         moved_on=today - timedelta(days=20), audit=audit)
    username, code, document = CAMILA
    if find_account(session, code) is not None:
        _own(session, username, code, document, now)
        adhere_digital_invoice(session, linked_account_id(session, username, code),
                               email=f"{username}@universidad.edu.co", terms_accepted=True,
                               audit=Audit(actor=username, at=now, reason="Datos de demostración: factura digital"))
