"""Liquidación de crédito a largo plazo: a partial, total or graduation payoff of a university loan.

The gateways ask whether the loan can be settled at all (it exists, is the student's, is the university's and
still owes something), whether a partial amount fits in its balance, and whether a graduating student is really
in the last term. ``liquidate_loan`` checks all of it again, because it is what writes the ledger.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from handlers.casos.academic_terms import term_standing
from handlers.casos.common import amount, case_audit, posting_date, student_account
from handlers.context import CaseStepContext, StepContext
from handlers.errors import HandlerInputError
from handlers.ledger.accounts import find_account
from handlers.ledger.journal import ZERO
from handlers.ledger.loans import PROGRAM_LABELS, UNIVERSITY_PROGRAMS, LoanProgram, find_loan, settle_loan, standing_of
from handlers.ledger.models import Loan
from handlers.ledger.statement_render import format_money
from handlers.ledger.values import money_str

PAYOFF_LABELS = {"parcial": "Abono parcial", "total": "Pago total", "grado": "Pago total por proceso de grado"}
#: How long a payoff statement is valid when the unit does not say, and the most it may say.
VALIDITY_DAYS = 15
MAX_VALIDITY_DAYS = 30


def loan_problem(ctx: StepContext, codigo_estudiante: str, numero_credito: str) -> str:
    """Why the loan cannot be liquidated, in words for the requester; "" when it can."""
    loan = find_loan(ctx.session, numero_credito)
    account = find_account(ctx.session, str(codigo_estudiante).strip())
    if loan is None or account is None or loan.account_id != account.id:
        return f"No encontramos el crédito {numero_credito} a nombre del estudiante {codigo_estudiante}."
    if loan.program not in UNIVERSITY_PROGRAMS:
        return (f"El crédito {loan.number} es de {PROGRAM_LABELS.get(LoanProgram(loan.program), loan.program)}; "
                "su liquidación se solicita directamente ante esa entidad.")
    balance = standing_of(ctx.session, loan).balance
    if balance <= 0:
        return f"El crédito {loan.number} ya está pagado: no tiene saldo por liquidar."
    return ""


def loan_can_be_liquidated(ctx: StepContext, codigo_estudiante: str, numero_credito: str) -> bool:
    """Gateway: the loan exists, is the student's, is a university loan and has a balance."""
    return loan_problem(ctx, codigo_estudiante, numero_credito) == ""


def partial_payoff_fits(ctx: StepContext, numero_credito: str, valor: str | None) -> bool:
    """Gateway: a partial payoff's amount is given and not above the loan's balance."""
    loan = find_loan(ctx.session, numero_credito)
    if loan is None or valor in (None, ""):
        return False
    return amount(valor, "valor") <= standing_of(ctx.session, loan).balance


def in_last_term(ctx: StepContext, codigo_estudiante: str) -> bool:
    """Gateway: a graduation payoff is for students in the last term of their programme."""
    account = find_account(ctx.session, str(codigo_estudiante).strip())
    return account is not None and term_standing(ctx.session, account).last_term


def term_text(ctx: StepContext, codigo_estudiante: str) -> str:
    """"el semestre 3 de 10 de Economía", for the requester's message."""
    standing = term_standing(ctx.session, student_account(ctx, codigo_estudiante))
    return f"el semestre {standing.term} de {standing.terms} de {standing.program}"


def loan_balance(ctx: StepContext, numero_credito: str) -> str:
    """The loan's balance as "$ 4.500.000,00", for messages."""
    loan = find_loan(ctx.session, numero_credito)
    return format_money(standing_of(ctx.session, loan).balance if loan else ZERO)


def liquidate_loan(ctx: CaseStepContext, codigo_estudiante: str, numero_credito: str, tipo_liquidacion: str,
                   valor: str | None, vigente_hasta: str | None) -> dict[str, Any]:
    """Write the payoff movement and issue the payoff statement: ``valor`` for a partial payoff, the whole balance
    for a total or graduation one (which leaves the loan at zero)."""
    problem = loan_problem(ctx, codigo_estudiante, numero_credito)
    if problem:
        raise HandlerInputError(problem, field="numero_credito")
    loan = find_loan(ctx.session, numero_credito)
    assert loan is not None
    label = PAYOFF_LABELS.get(tipo_liquidacion)
    if label is None:
        raise HandlerInputError(f"Tipo de liquidación «{tipo_liquidacion}» desconocido.", field="tipo_liquidacion")
    to_pay = _amount_to_pay(ctx, loan, tipo_liquidacion, valor, codigo_estudiante)
    today = posting_date(ctx)
    valid_until = _valid_until(vigente_hasta, today)
    payoff = settle_loan(ctx.session, loan, amount=to_pay, payoff_label=label, issued_on=today,
                         valid_until=valid_until, audit=case_audit(ctx, f"{label} del crédito {loan.number}"))
    return {"documento": payoff.document.number, "valor": money_str(payoff.movement.amount),
            "valor_texto": format_money(payoff.movement.amount), "saldo_texto": format_money(payoff.after.balance),
            "saldo_anterior_texto": format_money(payoff.before.balance),
            "vigente_hasta": f"{valid_until:%d/%m/%Y}"}


def _amount_to_pay(ctx: StepContext, loan: Loan, kind: str, valor: str | None, code: str) -> Any:
    balance = standing_of(ctx.session, loan).balance
    if kind != "parcial":
        if kind == "grado" and not in_last_term(ctx, code):
            raise HandlerInputError(f"La liquidación por grado es para el último semestre; el estudiante cursa "
                                    f"{term_text(ctx, code)}.", field="tipo_liquidacion")
        return balance
    if valor in (None, ""):
        raise HandlerInputError("Indique el valor del abono parcial.", field="valor")
    value = amount(valor, "valor")
    if value > balance:
        raise HandlerInputError(f"El abono de {format_money(value)} supera el saldo del crédito "
                                f"{loan.number}, {format_money(balance)}.", field="valor")
    return value


def _valid_until(text: str | None, today: date) -> date:
    if text in (None, ""):
        return today + timedelta(days=VALIDITY_DAYS)
    try:
        chosen = date.fromisoformat(str(text))
    except ValueError as exc:
        raise HandlerInputError(f"«{text}» no es una fecha válida.", field="vigente_hasta") from exc
    if not today <= chosen <= today + timedelta(days=MAX_VALIDITY_DAYS):
        raise HandlerInputError(f"La liquidación debe ser válida entre hoy ({today:%d/%m/%Y}) y "
                                f"{MAX_VALIDITY_DAYS} días más.", field="vigente_hasta")
    return chosen
