"""Demo ledger rows for Cartera's case types: students whose accounts make every path of those types real.

- 20264001 Valentina paid her whole tuition (5.000.000); a reliquidación to 4.200.000 leaves 800.000 in her favour.
- 20264002 Santiago owes his tuition and has three fees: Derecho de grado (reversible), Certificado de notas (paid:
  its reversal leaves a credit balance) and Carné estudiantil (already reversed once).
- 20264003 Mariana paid half of her tuition and has no benefit yet; 20264004 Andrés already has Beca excelencia.
- 20264005 Daniela was charged the Derecho de examen supletorio twice (a duplicate) and the Certificado de notas
  once, which she paid.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from handlers.casos.cartera_ledger import charge_entry
from handlers.ledger import charges
from handlers.ledger.journal import post_counter_entry
from handlers.ledger.kinds import ChargeKind
from handlers.ledger.models import Charge
from handlers.ledger.values import Audit

FEE_DAY, FEE_DUE = date(2026, 2, 2), date(2026, 2, 28)

#: (code, name, document, programme, campus, tuition, paid on it, scholarship) as ``demo.CaseStudent`` takes them.
CARTERA_STUDENTS = (
    ("20264001", "Valentina Ríos Mejía", "1093000001", "Derecho", "BOG", "5000000", "5000000", None),
    ("20264002", "Santiago Pérez Lozano", "1093000002", "Comunicación Social", "BOG", "4600000", "0",
                None),
    ("20264003", "Mariana Gil Ospina", "1093000003", "Ingeniería de Sistemas", "BOG", "4800000",
                "2400000", None),
    ("20264004", "Andrés Cárdenas Vélez", "1093000004", "Administración de Empresas", "BOG", "4400000",
                "0", None),
    ("20264005", "Daniela Castro Rincón", "1093000005", "Diseño Gráfico", "BOG", "4300000", "4300000",
                None),
)


def seed(session: Session, audit: Audit) -> None:
    # Imported here: demo.py imports this module to list it among the areas' seeds.
    from handlers.casos.demo import CaseStudent, add_student, pay_charge

    students = [CaseStudent(*row) for row in CARTERA_STUDENTS]
    tuition = {s.code: add_student(session, s, audit) for s in students}
    for number, student in enumerate(students, start=1):
        if student.paid != "0":
            pay_charge(session, tuition[student.code], f"PG-4{number:03d}", student.paid, audit)

    _fee(session, "20264002", "Derecho de grado", "380000", audit)
    certificate = _fee(session, "20264002", "Certificado de notas", "18000", audit)
    pay_charge(session, certificate, "PG-4102", "18000", audit, paid_on=date(2026, 2, 5))
    card = _fee(session, "20264002", "Carné estudiantil", "45000", audit)
    post_counter_entry(session, charge_entry(session, card), entry_on=date(2026, 2, 6),
                       description="Reversión: Carné estudiantil", audit=audit.because("Carné no expedido"))

    charges.add_scholarship_credit(session, charge=tuition["20264004"], scholarship="Beca excelencia 20%",
                                   amount="880000", granted_on=date(2026, 1, 15), audit=audit)

    _fee(session, "20264005", "Derecho de examen supletorio", "95000", audit)
    _fee(session, "20264005", "Derecho de examen supletorio", "95000", audit)
    paid = _fee(session, "20264005", "Certificado de notas", "18000", audit)
    pay_charge(session, paid, "PG-4105", "18000", audit, paid_on=date(2026, 2, 5))


def _fee(session: Session, code: str, description: str, amount: str, audit: Audit) -> Charge:
    return charges.add_charge(session, account_code=code, kind=ChargeKind.FEE, description=description,
                              amount=amount, charged_on=FEE_DAY, due_on=FEE_DUE, audit=audit)
