"""Asesoría en cobranzas: the overdue balance split into the monthly instalments the student proposes."""

from __future__ import annotations

import calendar
from datetime import date
from decimal import ROUND_DOWN, Decimal
from typing import Any

from handlers.casos.common import posting_date, student_account
from handlers.casos.consultas_documents import issue_document
from handlers.context import CaseStepContext, StepContext
from handlers.errors import HandlerInputError
from handlers.ledger.journal import ZERO
from handlers.ledger.statement import account_statement
from handlers.ledger.statement_render import format_date, format_money
from handlers.ledger.values import CENT, money_str

MAX_INSTALMENTS = 12
#: Below this an instalment costs more to collect than it brings; a single instalment may be smaller.
MIN_INSTALMENT = Decimal("200000.00")


def overdue_balance_of(ctx: StepContext, codigo_estudiante: str) -> Decimal:
    return account_statement(ctx.session, str(codigo_estudiante).strip(), now=ctx.now).overdue_balance


def has_overdue_balance(ctx: StepContext, codigo_estudiante: str) -> bool:
    """Gateway: does the student's statement show an overdue balance today?"""
    return overdue_balance_of(ctx, codigo_estudiante) > ZERO


def no_overdue_message(ctx: StepContext, codigo_estudiante: str) -> str:
    statement = account_statement(ctx.session, str(codigo_estudiante).strip(), now=ctx.now)
    owed = (f"Su saldo total es de {format_money(statement.balance)}, aún no vencido."
            if statement.balance > ZERO else "No tiene saldo pendiente por pagar.")
    return (f"Su estado de cuenta no tiene saldo vencido al {format_date(statement.as_of)}, así que no hay "
            f"cartera vencida para financiar. {owed}")


def split_instalments(total: Decimal, count: int) -> list[Decimal]:
    """``total`` in ``count`` instalments that add up exactly: the leftover cents go one each to the first ones."""
    base = (total / count).quantize(CENT, rounding=ROUND_DOWN)
    leftover = int((total - base * count) / CENT)
    return [base + CENT if i < leftover else base for i in range(count)]


def add_months(start: date, months: int) -> date:
    """The same day ``months`` later, or that month's last day when it is shorter (31 Jan -> 28 Feb)."""
    index = start.month - 1 + months
    year, month = start.year + index // 12, index % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def _instalment_count(numero_cuotas: object, cuotas_aprobadas: object) -> tuple[int, str]:
    """The unit's approved number wins over the requester's; the field named in errors is the one used."""
    field, value = (("cuotas_aprobadas", cuotas_aprobadas) if cuotas_aprobadas not in (None, "")
                    else ("numero_cuotas", numero_cuotas))
    if isinstance(value, bool) or not isinstance(value, int | str) or not str(value).strip().isdigit():
        raise HandlerInputError("El número de cuotas debe ser un número entero.", field=field)
    count = int(str(value).strip())
    if not 1 <= count <= MAX_INSTALMENTS:
        raise HandlerInputError(f"El número de cuotas debe estar entre 1 y {MAX_INSTALMENTS}.", field=field)
    return count, field


def propose_payment_agreement(ctx: CaseStepContext, codigo_estudiante: str, numero_cuotas: object,
                              propuesta_pago: str, cuotas_aprobadas: object = None) -> dict[str, Any]:
    """The proposed agreement: today's overdue balance in monthly instalments, the first due a month from now."""
    count, field = _instalment_count(numero_cuotas, cuotas_aprobadas)
    account = student_account(ctx, codigo_estudiante)
    overdue = overdue_balance_of(ctx, codigo_estudiante)
    if overdue <= ZERO:
        raise HandlerInputError("El estudiante no tiene saldo vencido para un acuerdo de pago.",
                                field="codigo_estudiante")
    parts = split_instalments(overdue, count)
    if count > 1 and min(parts) < MIN_INSTALMENT:
        raise HandlerInputError(f"Con {count} cuotas cada una sería de {format_money(min(parts))}, menos que la "
                                f"cuota mínima de {format_money(MIN_INSTALMENT)}; elija menos cuotas.", field=field)
    today = posting_date(ctx)
    schedule = [(i, value, add_months(today, i)) for i, value in enumerate(parts, start=1)]
    table = ["Cuota  Vencimiento  Valor"] + [f"{i:>5}  {format_date(due)}  {format_money(value):>18}"
                                             for i, value, due in schedule]
    document = issue_document(
        ctx, kind="acuerdo_pago_propuesto", unit="cartera", account=account, amount=overdue,
        title="Propuesta de acuerdo de pago",
        lines=[("Saldo vencido", f"{format_money(overdue)} al {format_date(today)}"),
               ("Número de cuotas", f"{count} mensuales"), ("Propuesta del estudiante", propuesta_pago.strip()),
               ("Condición", "El acuerdo se formaliza con el pago de la primera cuota.")],
        tail=table, reason=f"Propuesta de acuerdo de pago en {count} cuotas")
    first = schedule[0]
    return {"documento": document.number, "saldo_vencido": money_str(overdue), "cuotas": count,
            "plan": [{"cuota": i, "valor": money_str(v), "vence": due.isoformat()} for i, v, due in schedule],
            "mensaje": (f"Cartera preparó la propuesta de acuerdo de pago {document.number}: su saldo vencido de "
                        f"{format_money(overdue)} en {count} cuota(s) mensual(es); la primera, de "
                        f"{format_money(first[1])}, vence el {format_date(first[2])}. El acuerdo se formaliza "
                        "con el pago de la primera cuota.")}
