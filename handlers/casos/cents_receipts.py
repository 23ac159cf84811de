"""Pago con centavos: a personalised receipt for paying a cheque whose value has cents, which the standard
receipts (whole pesos) cannot take. The receipt is for exactly the cheque's value, never above what the student
still owes on the charges it pays (matrícula or derechos pecuniarios)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import select

from handlers.casos.common import amount, student_account
from handlers.casos.treasury_documents import issue_document
from handlers.context import CaseStepContext, StepContext
from handlers.errors import HandlerInputError
from handlers.ledger.journal import ZERO, balance_of
from handlers.ledger.kinds import ChargeKind
from handlers.ledger.models import Charge, Entry
from handlers.ledger.statement_render import format_money

#: The form's "cargo a pagar" -> the ledger's charge kind, and how the requester reads it.
CHARGE_KINDS = {"matricula": ChargeKind.TUITION, "derechos_pecuniarios": ChargeKind.FEE}
CHARGE_LABELS = {"matricula": "matrícula financiera", "derechos_pecuniarios": "derechos pecuniarios"}


def _charge_kind(cargo: str) -> ChargeKind:
    kind = CHARGE_KINDS.get(str(cargo))
    if kind is None:
        raise HandlerInputError(f"Cargo «{cargo}» desconocido; use {', '.join(CHARGE_KINDS)}.", field="cargo")
    return kind


def cheque_has_cents(ctx: StepContext, valor_cheque: str) -> bool:
    """Gateway: does the cheque's value have cents (a whole-peso cheque is paid with the normal receipt)?"""
    return amount(valor_cheque, "valor_cheque") % 1 != 0


def pending_of_charges(ctx: StepContext, codigo_estudiante: str, cargo: str) -> Decimal:
    """What the student still owes on charges of the ``cargo`` kind: each charge's entries (the charge, its
    credits, scholarships and counter-entries) summed, negatives ignored, never above the account's balance
    (a credit balance or a transfer received lowers what is owed without naming a charge)."""
    account = student_account(ctx, codigo_estudiante)
    owed_by_charge: dict[int, Decimal] = {}
    # Summed in Python: SQLite's SUM of NUMERIC is a float, and each charge must be cut at zero on its own.
    for charge_id, value in ctx.session.execute(
            select(Charge.id, Entry.amount).join(Entry, Entry.charge_id == Charge.id)
            .where(Charge.account_id == account.id, Charge.kind == _charge_kind(cargo))):
        owed_by_charge[charge_id] = owed_by_charge.get(charge_id, ZERO) + value
    pending = sum((max(owed, ZERO) for owed in owed_by_charge.values()), ZERO)
    return min(pending, max(balance_of(ctx.session, account.id), ZERO)).quantize(Decimal("0.01"))


def cents_receipt_problem(ctx: StepContext, codigo_estudiante: str, cargo: str, valor_cheque: str) -> str:
    """Why no personalised receipt is issued (Spanish, for the requester); "" when one can be."""
    value = amount(valor_cheque, "valor_cheque")
    pending = pending_of_charges(ctx, codigo_estudiante, cargo)
    label = CHARGE_LABELS[str(cargo)]
    if pending <= 0:
        return f"No tiene saldo pendiente de {label}, así que no hay nada que pagar con el cheque."
    if value > pending:
        return (f"El cheque de {format_money(value)} supera el saldo pendiente de {label}, que es de "
                f"{format_money(pending)}. Pida un cheque por ese valor o menos.")
    return ""


def cents_receipt_fits(ctx: StepContext, codigo_estudiante: str, cargo: str, valor_cheque: str) -> bool:
    """Gateway: is the cheque's value at most the pending balance of the chosen charges?"""
    return not cents_receipt_problem(ctx, codigo_estudiante, cargo, valor_cheque)


def issue_cents_receipt(ctx: CaseStepContext, codigo_estudiante: str, cargo: str, valor_cheque: str,
                        banco_cheque: str, numero_cheque: str) -> dict[str, Any]:
    """The ``recibo_personalizado`` document for exactly the cheque's value; checked again here."""
    value = amount(valor_cheque, "valor_cheque")
    if value % 1 == 0:
        raise HandlerInputError(f"El cheque de {format_money(value)} no tiene centavos: se paga con el recibo "
                                "normal.", field="valor_cheque")
    problem = cents_receipt_problem(ctx, codigo_estudiante, cargo, valor_cheque)
    if problem:
        raise HandlerInputError(problem, field="valor_cheque")
    account = student_account(ctx, codigo_estudiante)
    label = CHARGE_LABELS[str(cargo)]
    document = issue_document(
        ctx, kind="recibo_personalizado", account=account, amount=value,
        title="Recibo personalizado de pago con cheque",
        lines=[("Concepto", f"Abono a {label}"),
               ("Valor a pagar", format_money(value)),
               ("Forma de pago", f"Cheque n.º {str(numero_cheque).strip()} de {banco_cheque.strip()}"),
               ("Saldo pendiente de " + label, format_money(pending_of_charges(ctx, codigo_estudiante, cargo))),
               ("Indicaciones", "Presente este recibo con el cheque en la caja o en el banco recaudador; el valor "
                                "del cheque debe ser exactamente el del recibo, centavos incluidos.")],
        reason=f"Recibo personalizado para el cheque {str(numero_cheque).strip()}")
    return {"numero": document.number, "valor_texto": format_money(value), "cargo": label}
