"""Ledger data for the benchmark: many payments that each take PRO-MAA-16's longest path."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy.orm import Session

from handlers.ledger import accounting, charges, invoices, payments, receipts
from handlers.ledger.accounts import create_student_account
from handlers.ledger.kinds import ChargeKind, CustomerKind, ReceiptKind
from handlers.ledger.values import Audit

PAID_ON = date(2026, 2, 10)


def seed_full_path_payments(session: Session, count: int, now: datetime, first: int = 900001) -> list[str]:
    """``count`` invoiced, identified payments already sent to accounting, one student each (BOG campus)."""
    audit = Audit(actor="bench", at=now, reason="Datos del benchmark", instance_ref=None)
    batch = receipts.open_batch(session, campus_id=None, opened_on=PAID_ON, audit=audit)
    numbers = []
    for n in range(first, first + count):
        code, number, amount = f"B{n}", f"PG-{n}", Decimal("1500000.00")
        create_student_account(session, code=code, name=f"Estudiante de prueba {n}", document_id=f"9{n}",
                               program="Ingeniería", campus_code="BOG", audit=audit)
        charge = charges.add_charge(session, account_code=code, kind=ChargeKind.TUITION, description="Matrícula",
                                    amount=amount, charged_on=date(2026, 1, 15), due_on=date(2026, 2, 28),
                                    audit=audit)
        payment = payments.record_payment(session, number=number, amount=amount, paid_on=PAID_ON, campus_code="BOG",
                                          identified=True, account_code=code, audit=audit)
        payments.apply_credit(session, payment=payment, charge=charge, amount=amount, audit=audit)
        receipts.issue_receipt(session, payment_id=payment.id, batch=batch, account_id=payment.account_id,
                               kind=ReceiptKind.PAYMENT, issued_on=PAID_ON,
                               lines=[("Abono Matrícula", amount, charge.id)], audit=audit)
        invoices.issue_invoice(session, customer_kind=CustomerKind.STUDENT, customer_id=f"9{n}",
                               customer_name=f"Estudiante de prueba {n}", amount=amount, issued_on=PAID_ON,
                               payment_id=payment.id, audit=audit)
        accounting.send_to_accounting(session, payment, summary_type="MATRICULA-PREGRADO",
                                      analytic_dimension="PRE-2026A-ING", application_date=PAID_ON,
                                      income_account="41700501", audit=audit)
        numbers.append(number)
    return numbers
