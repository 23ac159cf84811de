"""Demo rows for Reversiones de matrícula: tuition payments whose reversal takes each path of PRO-MAA-16 when a
case asks for it (students 20267001-20267099)."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from handlers.casos.demo import CaseStudent, add_student, pay_charge
from handlers.ledger import invoices, payments
from handlers.ledger.kinds import CustomerKind
from handlers.ledger.values import Audit

#: 20267001 paid her tuition with PG-7001, invoiced and not used: the reversal goes through billing, the abono
#: and the receipt are annulled and the payment re-invoiced. 20267002's invoice (PG-7002) was already used by
#: his father: PRO-MAA-16 ends without reversing, and the case is closed as rejected.
REVERSAL_STUDENTS = (
    (CaseStudent("20267001", "Valentina Ospina Mejía", "1093456701", "Derecho", "BOG", "5200000", "5200000", None),
     "PG-7001", "FE-7001", False),
    (CaseStudent("20267002", "Andrés Felipe Rueda Gil", "1093456702", "Medicina", "BOG", "6100000", "6100000", None),
     "PG-7002", "FE-7002", True),
)


def seed(session: Session, audit: Audit) -> None:
    for student, number, invoice_no, used in REVERSAL_STUDENTS:
        tuition = add_student(session, student, audit)
        pay_charge(session, tuition, number, student.paid, audit)
        payment = payments.get_payment(session, number)
        invoice = invoices.issue_invoice(session, customer_kind=CustomerKind.STUDENT, customer_id=student.document_id,
                                         customer_name=student.name, amount=payment.amount,
                                         issued_on=date(2026, 1, 20), payment_id=payment.id, audit=audit,
                                         number=invoice_no)
        if used:
            invoices.mark_invoice_used(session, invoice, audit=audit.because("Factura usada por el acudiente"))
