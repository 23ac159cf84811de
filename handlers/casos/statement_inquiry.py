"""Aclaración de otras inquietudes sobre el estado de cuenta: the unit's answer comes with the statement summary
as of the day, kept as a document the answer refers to."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from handlers.casos.common import student_account
from handlers.casos.consultas_documents import issue_document
from handlers.context import CaseStepContext, StepContext
from handlers.errors import HandlerInputError
from handlers.ledger.journal import ZERO
from handlers.ledger.kinds import EntryKind
from handlers.ledger.statement import Statement, account_statement
from handlers.ledger.statement_render import format_date, format_money
from handlers.ledger.values import money_str

TOPICS = {"cargos": "Cargos y valores cobrados", "pagos": "Pagos y abonos", "becas": "Becas y descuentos",
          "saldo_a_favor": "Saldo a favor", "saldo_vencido": "Saldo vencido y vencimientos",
          "otro": "Otra inquietud"}
ENTRY_LABELS = {EntryKind.CHARGE: "Cargo", EntryKind.CREDIT: "Abono", EntryKind.SCHOLARSHIP: "Beca",
                EntryKind.UNAPPLIED_PAYMENT: "Pago sin aplicar", EntryKind.COUNTER_ENTRY: "Contrapartida",
                EntryKind.REFUND: "Devolución", EntryKind.TRANSFER_OUT: "Traslado enviado",
                EntryKind.TRANSFER_IN: "Traslado recibido"}
MAX_LISTED = 40  # the latest movements; the whole story stays in the statement itself


def _statement(ctx: StepContext, code: str) -> Statement:
    return account_statement(ctx.session, str(code).strip(), now=ctx.now)


def statement_has_movements(ctx: StepContext, codigo_estudiante: str) -> bool:
    """Gateway: is there anything on the student's statement to explain?"""
    return bool(_statement(ctx, codigo_estudiante).entries)


def empty_statement_message(ctx: StepContext, codigo_estudiante: str) -> str:
    statement = _statement(ctx, codigo_estudiante)
    return (f"Su estado de cuenta no registra movimientos al {format_date(statement.as_of)}: no tiene cargos, "
            "pagos, becas ni saldos. ")


def totals(statement: Statement) -> dict[str, Decimal]:
    """Charges, payments applied, scholarships and other movements (counter-entries, refunds, transfers)."""
    sums = dict.fromkeys(("cargos", "abonos", "becas", "otros"), ZERO)
    for entry in statement.entries:
        key = {EntryKind.CHARGE: "cargos", EntryKind.CREDIT: "abonos",
               EntryKind.SCHOLARSHIP: "becas"}.get(entry.kind, "otros")
        sums[key] += entry.amount
    return sums


def issue_statement_summary(ctx: CaseStepContext, codigo_estudiante: str, tema: str, consulta: str,
                            mensaje: str | None) -> dict[str, Any]:
    """The statement summary document; the unit's answer to the question is required to resolve."""
    if not isinstance(mensaje, str) or len(mensaje.strip()) < 10:
        raise HandlerInputError("Escriba la respuesta a la inquietud del solicitante (al menos 10 caracteres); "
                                "se envía junto con el resumen del estado de cuenta.", field="mensaje")
    if tema not in TOPICS:
        raise HandlerInputError(f"Tema «{tema}» desconocido.", field="tema")
    account = student_account(ctx, codigo_estudiante)
    statement = _statement(ctx, codigo_estudiante)
    sums = totals(statement)
    listed = statement.entries[-MAX_LISTED:]
    table = ["Fecha       Movimiento        Concepto                                  Valor"] + [
        f"{format_date(e.date)}  {ENTRY_LABELS.get(e.kind, e.kind):<16}  {e.description[:36]:<36}  "
        f"{format_money(e.amount):>18}" for e in listed]
    document = issue_document(
        ctx, kind="estado_cuenta", unit="cartera", account=account, amount=statement.balance,
        title="Resumen del estado de cuenta",
        lines=[("Fecha de corte", format_date(statement.as_of)), ("Tema consultado", TOPICS[tema]),
               ("Pregunta", consulta.strip()[:500]), ("Cargos", format_money(sums["cargos"])),
               ("Abonos de pagos", format_money(-sums["abonos"])), ("Becas y descuentos", format_money(-sums["becas"])),
               ("Otros movimientos", format_money(sums["otros"])), ("Saldo total", format_money(statement.balance)),
               ("Saldo a favor", format_money(statement.credit_balance)),
               ("Saldo vencido", format_money(statement.overdue_balance))],
        tail=table, reason=f"Aclaración del estado de cuenta: {TOPICS[tema]}")
    summary = (f"Resumen de su estado de cuenta al {format_date(statement.as_of)} (documento {document.number}): "
               f"cargos {format_money(sums['cargos'])}, abonos {format_money(-sums['abonos'])}, becas y descuentos "
               f"{format_money(-sums['becas'])}, saldo total {format_money(statement.balance)}, saldo a favor "
               f"{format_money(statement.credit_balance)}, saldo vencido {format_money(statement.overdue_balance)}.")
    return {"documento": document.number, "saldo": money_str(statement.balance),
            "saldo_a_favor": money_str(statement.credit_balance),
            "saldo_vencido": money_str(statement.overdue_balance),
            "mensaje": f"Respuesta de Cartera: {mensaje.strip()}\n\n{summary}"}
