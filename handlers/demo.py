"""Demo ledger: two campuses, six students and one payment for every path of PRO-MAA-16."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from handlers.demo_data import PAYMENTS, STUDENTS
from handlers.ledger import accounting, charges, invoices, payments, permissions, receipts
from handlers.ledger.accounts import create_campus, create_student_account, find_campus
from handlers.ledger.kinds import ChargeKind, CustomerKind, ReceiptKind
from handlers.ledger.models import Batch, Charge, Payment
from handlers.ledger.values import Audit

DEMO_ACTOR = "nacer.admin"
TUITION_DUE = date(2026, 1, 30)


@dataclass(frozen=True)
class DemoPayment:
    payment: str
    account: str
    amount: str
    branch: str  # the PRO-MAA-16 path this payment exercises
    start_data: dict[str, Any] = field(hash=False)


def _start(payment: str, adjustment: str, reason: str, justification: str) -> dict[str, Any]:
    return {"payment": payment, "adjustment": adjustment, "reason": reason, "justification": justification}


DEMOPAYMENTS: tuple[DemoPayment, ...] = (
    DemoPayment(
        "PG-1001",
        "20261001",
        "1752770.00",
        "facturado, factura no utilizada, identificado, enviado a contabilidad: ruta completa, reversa en GP "
        "y refacturación",
        _start(
            "PG-1001",
            "anulacion",
            "correccion_estimacion",
            "Cambio de tarifa por traslado de plan académico.",
        ),
    ),
    DemoPayment(
        "PG-1002",
        "20261002",
        "2600000.00",
        "facturado y con la factura ya utilizada: el procedimiento termina y se informa el motivo al solicitante",
        _start("PG-1002", "anulacion", "baja_academica", "Baja académica definitiva del estudiante."),
    ),
    DemoPayment(
        "PG-1003",
        "20261003",
        "1200000.00",
        "sin factura, identificado, no enviado a contabilidad: liberación, anulación del abono y del pago",
        _start("PG-1003", "reversa", "baja_academica", "Baja académica definitiva; reversar el abono."),
    ),
    DemoPayment(
        "PG-1004",
        "20261004",
        "950000.00",
        "pago no identificado con campus conocido: va a la bolsa genérica del campus (GEN-MED)",
        _start(
            "PG-1004", "anulacion", "error_transaccion", "Pago sin pagador ni concepto, aplicado por error."
        ),
    ),
    DemoPayment(
        "PG-1005",
        "20261005",
        "350000.00",
        "pago no identificado sin campus: va a la bolsa genérica global (GEN-GLOBAL)",
        _start(
            "PG-1005", "anulacion", "error_transaccion", "Consignación sin datos del pagador ni del campus."
        ),
    ),
    DemoPayment(
        "PG-1006",
        "20261006",
        "3900000.00",
        "facturado al NIT de una empresa, factura no utilizada, no enviado a contabilidad: anulación, "
        "liberación y refacturación",
        _start("PG-1006", "reversa", "correccion_estimacion", "La empresa pagó con la tarifa anterior."),
    ),
)


def seed_demo_ledger(session: Session, now: datetime) -> list[DemoPayment]:
    """Fill an empty ledger with the demo data; a second call adds nothing. Flushes, never commits."""
    if payments.find_payment(session, DEMOPAYMENTS[0].payment) is not None:
        return list(DEMOPAYMENTS)
    audit = Audit(actor=DEMO_ACTOR, at=now, reason="Datos de demostración", instance_ref=None)
    for code, name in (("BOG", "Bogotá"), ("MED", "Medellín")):
        if find_campus(session, code) is None:
            create_campus(session, code=code, name=name, audit=audit)
    charge_ids: dict[tuple[str, str], Charge] = {}
    for code, name, document_id, program, campus, tuition, fee in STUDENTS:
        create_student_account(
            session,
            code=code,
            name=name,
            document_id=document_id,
            program=program,
            campus_code=campus,
            audit=audit,
        )
        charge_ids[code, "tuition"] = charges.add_charge(
            session,
            account_code=code,
            kind=ChargeKind.TUITION,
            description="Matrícula 2026A",
            amount=tuition,
            charged_on=date(2025, 12, 1),
            due_on=TUITION_DUE,
            audit=audit,
        )
        if fee is not None:
            charge_ids[code, "fee"] = charges.add_charge(
                session,
                account_code=code,
                kind=ChargeKind.FEE,
                description=fee[0],
                amount=fee[1],
                charged_on=date(2025, 12, 1),
                due_on=TUITION_DUE,
                audit=audit,
            )
    charges.add_scholarship_credit(
        session,
        charge=charge_ids["20261001", "tuition"],
        scholarship="Beca Excelencia Académica 10%",
        amount="450000",
        granted_on=date(2025, 12, 15),
        audit=audit,
    )
    batches: dict[str, Batch] = {}
    found: dict[str, Payment] = {}
    for row in PAYMENTS:
        number, account, paid_on, batch_no = row.number, row.account, row.paid_on, row.batch
        amount = sum((Decimal(a) for _, a in row.credits), Decimal(0))
        payment = payments.record_payment(
            session,
            number=number,
            amount=amount,
            paid_on=paid_on,
            campus_code=row.campus,
            identified=row.identified,
            account_code=account,
            audit=audit,
        )
        found[number] = payment
        lines: list[tuple[str, Decimal, int | None]] = []
        for kind, value in row.credits:
            charge = charge_ids[account, kind]
            payments.apply_credit(session, payment=payment, charge=charge, amount=value, audit=audit)
            lines.append((f"Abono {charge.description}", Decimal(value), charge.id))
        if batch_no not in batches:
            batches[batch_no] = receipts.open_batch(
                session, campus_id=payment.campus_id, opened_on=paid_on, audit=audit, number=batch_no
            )
        receipts.issue_receipt(
            session,
            payment_id=payment.id,
            batch=batches[batch_no],
            account_id=payment.account_id,
            kind=ReceiptKind.PAYMENT,
            issued_on=paid_on,
            lines=lines,
            audit=audit,
            number=row.receipt,
        )
    _seed_invoices_and_exports(session, found, audit)
    for username, unit in (("coord.bogota", "coordinacion_administrativa"), ("fact.luis", "facturacion")):
        permissions.grant_annulment_permission(
            session,
            username,
            unit=unit,
            errors_allowed=True,
            actor=DEMO_ACTOR,
            now=now,
            reason="Datos de demostración: usuario autorizado por TIC Nacer",
        )
    return list(DEMOPAYMENTS)


def _seed_invoices_and_exports(session: Session, found: dict[str, Payment], audit: Audit) -> None:
    customers = {
        "PG-1001": (CustomerKind.STUDENT, "1020304050", "Ana María Rojas Díaz", "FE-5001"),
        "PG-1002": (CustomerKind.PARENT, "51888999", "Martha Lucía Pardo Suárez", "FE-5002"),
        "PG-1006": (CustomerKind.COMPANY, "900123456-7", "Constructora Andina S.A.S.", "FE-5006"),
    }
    for number, (kind, customer_id, name, invoice_no) in customers.items():
        payment = found[number]
        invoice = invoices.issue_invoice(
            session,
            customer_kind=kind,
            customer_id=customer_id,
            customer_name=name,
            amount=payment.amount,
            issued_on=payment.paid_on,
            payment_id=payment.id,
            audit=audit,
            number=invoice_no,
        )
        if number == "PG-1002":
            invoices.mark_invoice_used(
                session, invoice, audit=audit.because("Factura usada por el acudiente")
            )
    accounting.send_to_accounting(
        session,
        found["PG-1001"],
        summary_type="MATRICULA-PREGRADO",
        analytic_dimension="PRE-2026A-ADM",
        application_date=date(2026, 1, 20),
        income_account="41700501",
        audit=audit,
    )
