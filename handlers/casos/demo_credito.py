"""Demo rows for Crédito's and Facturación's case types (codes 20265001-20265099).

- 20265001 Valentina Ríos Mejía (Ingeniería Industrial, first term): Pilos loan CR-5001 of 12.000.000 with
  4.000.000 paid (balance 8.000.000), and loan CR-5002 already paid off. Her partial or total payoff of CR-5001
  is accepted, a graduation payoff refused (term 1 of 10), any payoff of CR-5002 refused (no balance).
- 20265002 Andrés Cárdenas Peña (Especialización en Finanzas, two terms charged of two): long-term loan CR-5003
  of 6.000.000 with 1.500.000 paid; in his last term, so his graduation payoff settles 4.500.000.
- 20265003 Mariana Quintero Gil has an Icetex loan (CR-5004) and owes 2.500.000 of her tuition: her request for
  an additional Icetex disbursement gets the certificate. 20265004 Sebastián Ortiz Lara has an Icetex loan
  (CR-5005) and owes nothing: refused.
- 20265005 Laura Méndez Castro: payment PG-5006 (3.000.000) without an invoice, which her sponsor can have
  invoiced; payment PG-5007 (1.000.000) already invoiced to her; 2.000.000 of tuition still owed.
- The demo requester estudiante.camila (20262001) has Pilos loan CR-5010 (8.000.000, 2.000.000 paid) to try
  the payoff from the portal.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy.orm import Session

from handlers.ledger import charges, invoices
from handlers.ledger.kinds import ChargeKind, CustomerKind
from handlers.ledger.loans import LoanProgram, MovementKind, open_loan, record_loan_movement
from handlers.ledger.payments import find_payment
from handlers.ledger.values import Audit

VALENTINA, ANDRES, MARIANA, SEBASTIAN, LAURA = "20265001", "20265002", "20265003", "20265004", "20265005"


def seed(session: Session, audit: Audit) -> None:
    # Imported here: demo.py imports this module at its end to register ``seed``.
    from handlers.casos.demo import CaseStudent, add_student, pay_charge

    students = {
        VALENTINA: CaseStudent(VALENTINA, "Valentina Ríos Mejía", "1093456701", "Ingeniería Industrial", "BOG",
                               "4800000", "4800000", None),
        ANDRES: CaseStudent(ANDRES, "Andrés Cárdenas Peña", "1093456702", "Especialización en Finanzas", "BOG",
                            "7200000", "7200000", None),
        MARIANA: CaseStudent(MARIANA, "Mariana Quintero Gil", "1093456703", "Psicología", "BOG", "5000000",
                             "2500000", None),
        SEBASTIAN: CaseStudent(SEBASTIAN, "Sebastián Ortiz Lara", "1093456704", "Contaduría Pública", "BOG",
                               "4000000", "4000000", None),
        LAURA: CaseStudent(LAURA, "Laura Méndez Castro", "1093456705", "Administración de Empresas", "BOG",
                           "6000000", "3000000", None),
    }
    payment_numbers = {VALENTINA: "PG-5001", ANDRES: "PG-5002", MARIANA: "PG-5003", SEBASTIAN: "PG-5004",
                       LAURA: "PG-5006"}
    tuitions = {}
    for code, student in students.items():
        tuitions[code] = add_student(session, student, audit)
        pay_charge(session, tuitions[code], payment_numbers[code], student.paid, audit)
    # Andrés's first term: with 2026A it makes the two terms of his programme.
    first_term = charges.add_charge(session, account_code=ANDRES, kind=ChargeKind.TUITION,
                                    description="Matrícula 2025B", amount="7200000", charged_on=date(2025, 6, 1),
                                    due_on=date(2025, 7, 31), audit=audit)
    pay_charge(session, first_term, "PG-5005", "7200000", audit, paid_on=date(2025, 7, 20))
    pay_charge(session, tuitions[LAURA], "PG-5007", "1000000", audit, paid_on=date(2026, 1, 25))
    paid_by_laura = find_payment(session, "PG-5007")
    assert paid_by_laura is not None
    invoices.issue_invoice(session, customer_kind=CustomerKind.STUDENT, customer_id="1093456705",
                           customer_name="Laura Méndez Castro", amount=Decimal("1000000"),
                           issued_on=date(2026, 1, 25), payment_id=paid_by_laura.id, audit=audit)
    _loan(session, audit, "CR-5001", VALENTINA, LoanProgram.PILOS, "12000000", "500000", 8)
    _loan(session, audit, "CR-5002", VALENTINA, LoanProgram.LONG_TERM, "3000000", "3000000", 1)
    _loan(session, audit, "CR-5003", ANDRES, LoanProgram.LONG_TERM, "6000000", "500000", 3)
    _loan(session, audit, "CR-5004", MARIANA, LoanProgram.ICETEX, "5000000", "250000", 0)
    _loan(session, audit, "CR-5005", SEBASTIAN, LoanProgram.ICETEX, "4000000", "200000", 0)
    _loan(session, audit, "CR-5010", "20262001", LoanProgram.PILOS, "8000000", "400000", 5)


def _loan(session: Session, audit: Audit, number: str, code: str, program: LoanProgram, principal: str,
          instalment: str, instalments_paid: int) -> None:
    """A loan opened in January 2024 with its first ``instalments_paid`` monthly instalments paid."""
    loan = open_loan(session, account_code=code, program=program, principal=principal, instalment=instalment,
                     opened_on=date(2024, 1, 15), audit=audit, number=number)
    for month in range(instalments_paid):
        record_loan_movement(session, loan, kind=MovementKind.PAYMENT, amount=instalment,
                             moved_on=date(2024 + (month + 1) // 12, (month + 1) % 12 + 1, 5), audit=audit)
