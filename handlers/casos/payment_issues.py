"""Inconvenientes con pagos: is the payment the student reports on their account? If so, where it went; if not,
the unidentified payments of the generic bag that could be it, and the claim for the bank."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select

from handlers.casos.common import amount, posting_date, student_account
from handlers.casos.consultas_documents import issue_document
from handlers.context import CaseStepContext, StepContext
from handlers.errors import HandlerInputError
from handlers.ledger.kinds import ReceiptKind
from handlers.ledger.models import Charge, Credit, Payment
from handlers.ledger.receipts import batch_of, is_annulled, receipt_of
from handlers.ledger.statement_render import format_date, format_money
from handlers.ledger.values import money_str

#: A bank may post a payment some days after the student paid (weekends, PSE cut-off times).
DAYS_AROUND = 3
METHODS = {"pse": "PSE", "tarjeta": "Tarjeta de crédito o débito", "consignacion": "Consignación bancaria",
           "efectivo": "Efectivo en punto de recaudo"}


def payment_date(ctx: StepContext, fecha_pago: object) -> date:
    """The reported payment date: a real date, not after today (Colombia)."""
    try:
        paid_on = date.fromisoformat(str(fecha_pago).strip())
    except ValueError as exc:
        raise HandlerInputError(f"«{fecha_pago}» no es una fecha válida (aaaa-mm-dd).", field="fecha_pago") from exc
    if paid_on > posting_date(ctx):
        raise HandlerInputError(f"La fecha del pago {format_date(paid_on)} es posterior a hoy; pida al solicitante "
                                "la fecha correcta o rechace el caso.", field="fecha_pago")
    return paid_on


def _near(ctx: StepContext, fecha_pago: object, valor: object) -> tuple[date, Any]:
    return payment_date(ctx, fecha_pago), amount(valor, "valor")


def _closest(payments: Sequence[Payment], paid_on: date) -> list[Payment]:
    return sorted(payments, key=lambda p: (abs((p.paid_on - paid_on).days), p.id))


def matching_payments(ctx: StepContext, codigo_estudiante: str, fecha_pago: object, valor: object) -> list[Payment]:
    """Payments on the student's account for exactly that value, within DAYS_AROUND days of the date."""
    paid_on, value = _near(ctx, fecha_pago, valor)
    account = student_account(ctx, codigo_estudiante)
    window = (paid_on - timedelta(days=DAYS_AROUND), paid_on + timedelta(days=DAYS_AROUND))
    found = ctx.session.scalars(select(Payment).where(Payment.account_id == account.id, Payment.amount == value,
                                                      Payment.paid_on.between(*window))).all()
    return _closest(found, paid_on)


def payment_on_account(ctx: StepContext, codigo_estudiante: str, fecha_pago: str, valor: str) -> bool:
    """Gateway: is the reported payment on the student's account?"""
    return bool(matching_payments(ctx, codigo_estudiante, fecha_pago, valor))


def locate_payment(ctx: CaseStepContext, codigo_estudiante: str, fecha_pago: str, valor: str) -> dict[str, Any]:
    """Where the payment went: its number, cash receipt and batch, and the charges it paid."""
    found = matching_payments(ctx, codigo_estudiante, fecha_pago, valor)
    if not found:
        raise HandlerInputError("El pago no está en el estado de cuenta del estudiante.", field="valor")
    payment = found[0]
    receipt = receipt_of(ctx.session, payment.id, ReceiptKind.PAYMENT)
    rows = ctx.session.execute(select(Charge.description, Credit.amount).join(Credit, Credit.charge_id == Charge.id)
                               .where(Credit.payment_id == payment.id).order_by(Credit.id)).all()
    applied = "; ".join(f"{description} ({format_money(value)})" for description, value in rows)
    where = f"aplicado a: {applied}" if applied else "registrado en su cuenta, sin abonos aplicados a cargos"
    if receipt is None:
        voucher = "sin recibo de caja"
    else:
        voucher = f"recibo de caja {receipt.number} (lote {batch_of(ctx.session, receipt).number})"
        if is_annulled(ctx.session, receipt):
            voucher += ", hoy anulado"
    message = (f"Su pago sí está registrado: pago {payment.number} del {format_date(payment.paid_on)} por "
               f"{format_money(payment.amount)}, {voucher}, {where}. Puede verlo en su estado de cuenta.")
    return {"pago": payment.number, "recibo": receipt.number if receipt else None, "aplicado_a": applied,
            "mensaje": message}


def generic_bag_check(ctx: StepContext, fecha_pago: str, valor: str) -> dict[str, Any]:
    """Unidentified payments (payer unknown, only date and value) that could be the student's."""
    paid_on, value = _near(ctx, fecha_pago, valor)
    window = (paid_on - timedelta(days=DAYS_AROUND), paid_on + timedelta(days=DAYS_AROUND))
    found = _closest(ctx.session.scalars(select(Payment).where(Payment.identified.is_(False), Payment.amount == value,
                                                               Payment.paid_on.between(*window))).all(), paid_on)
    listed = [f"{p.number} del {format_date(p.paid_on)} por {format_money(p.amount)}" for p in found]
    text = ("En la bolsa genérica hay pagos sin identificar por ese valor y fecha: " + "; ".join(listed) + "."
            if listed else "En la bolsa genérica no hay pagos sin identificar por ese valor cerca de esa fecha.")
    return {"pagos": [p.number for p in found], "texto": text}


def issue_payment_claim(ctx: CaseStepContext, codigo_estudiante: str, fecha_pago: str, valor: str, medio: str,
                        referencia: str, banco: str, nota_banco: str | None, bolsa: str) -> dict[str, Any]:
    """The claim document with what the bank needs to trace the payment; refused if the payment is in fact on
    the account (then there is nothing to claim)."""
    paid_on, value = _near(ctx, fecha_pago, valor)
    if medio not in METHODS:
        raise HandlerInputError(f"Medio de pago «{medio}» desconocido.", field="medio")
    if matching_payments(ctx, codigo_estudiante, fecha_pago, valor):
        raise HandlerInputError("El pago sí está en el estado de cuenta; no hay nada que reclamar.", field="valor")
    account = student_account(ctx, codigo_estudiante)
    note = (nota_banco or "").strip()
    window = (f"el {format_date(paid_on - timedelta(days=DAYS_AROUND))} y el "
              f"{format_date(paid_on + timedelta(days=DAYS_AROUND))}")
    document = issue_document(
        ctx, kind="reclamo_pago", unit="tesoreria", account=account, amount=value,
        title="Reclamo de pago no reflejado",
        lines=[("Documento del estudiante", account.document_id or "-"), ("Fecha del pago", format_date(paid_on)),
               ("Valor", format_money(value)), ("Medio de pago", METHODS[medio]), ("Banco", banco.strip()),
               ("Referencia de la transacción", referencia.strip()),
               ("Resultado de la búsqueda", f"Sin pago por ese valor entre {window} en la cuenta del estudiante"),
               ("Bolsa genérica", bolsa), ("Nota de Tesorería", note or "-")],
        reason=f"Reclamo ante {banco.strip()} por pago no reflejado")
    message = (f"No encontramos en su estado de cuenta un pago de {format_money(value)} entre {window}. "
               f"{bolsa} Alternativas: (1) si el pago aparece "
               "en la bolsa genérica, responda con el comprobante para que Tesorería lo identifique y lo aplique a "
               f"su cuenta; (2) presente ante {banco.strip()} el reclamo {document.number}, que tiene los datos de "
               "la transacción (referencia, fecha, valor y medio), para que el banco confirme o reverse el pago.")
    return {"documento": document.number, "valor": money_str(value), "mensaje": message}
