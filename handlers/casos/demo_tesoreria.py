"""Demo rows for Tesorería's case types (codes 20263001-20263099).

- 20263001 Daniel Torres Ruiz, Camila's brother, owes 3.000.000 of his tuition: the destination of her
  "Traslado de saldos" (she has 1.000.000 of credit balance).
- 20263002 Isabella Moreno Díaz owes her whole tuition (5.200.000) and a fee (Derechos de grado, 412.300): a
  cheque with cents for the tuition gets a personalised receipt, one above the fee is refused; a payment from
  abroad of up to 1.403,07 USD at the reference rate fits what she owes.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from handlers.ledger import charges
from handlers.ledger.kinds import ChargeKind
from handlers.ledger.values import Audit

DANIEL_CODE, ISABELLA_CODE = "20263001", "20263002"
GRADUATION_FEE = "412300.00"


def seed(session: Session, audit: Audit) -> None:
    # Imported here: demo.py imports this module at its end to register ``seed``.
    from handlers.casos.demo import CaseStudent, add_student, pay_charge

    daniel = CaseStudent(DANIEL_CODE, "Daniel Torres Ruiz", "1090765432", "Derecho", "BOG", "4500000", "1500000",
                         None)
    isabella = CaseStudent(ISABELLA_CODE, "Isabella Moreno Díaz", "1092345678", "Comunicación Social", "BOG",
                           "5200000", "0", None)
    tuition = add_student(session, daniel, audit)
    pay_charge(session, tuition, "PG-3001", daniel.paid, audit)
    add_student(session, isabella, audit)
    charges.add_charge(session, account_code=isabella.code, kind=ChargeKind.FEE, description="Derechos de grado",
                       amount=GRADUATION_FEE, charged_on=date(2026, 2, 2), due_on=date(2026, 3, 15), audit=audit)
