"""Devolución de saldos: a student's credit balance paid back to a bank account, never more than the balance."""

from __future__ import annotations

from typing import Any

from handlers.casos.common import amount, case_audit, credit_balance_of, posting_date, student_account
from handlers.context import CaseStepContext, StepContext
from handlers.errors import HandlerInputError
from handlers.ledger.journal import post_entry
from handlers.ledger.kinds import EntryKind
from handlers.ledger.values import money_str


def refund_fits_balance(ctx: StepContext, codigo_estudiante: str, monto: str) -> bool:
    """Gateway: does the requested refund fit in the student's credit balance?"""
    return amount(monto, "monto") <= credit_balance_of(ctx, codigo_estudiante)


def refund_credit_balance(ctx: CaseStepContext, codigo_estudiante: str, monto: str, banco: str,
                          numero_cuenta: str, titular: str) -> dict[str, Any]:
    """Post the refund on the student's account. Checked again here: the balance may have moved since the
    gateway, and a refund above the credit balance must never be posted."""
    value = amount(monto, "monto")
    account = student_account(ctx, codigo_estudiante)
    balance = credit_balance_of(ctx, codigo_estudiante)
    if value > balance:
        raise HandlerInputError(f"La devolución de {money_str(value)} supera el saldo a favor de "
                                f"{money_str(balance)}.", field="monto")
    last_digits = str(numero_cuenta).strip()[-4:]
    entry = post_entry(ctx.session, account_id=account.id, kind=EntryKind.REFUND, entry_on=posting_date(ctx),
                       amount=value, description=f"Devolución de saldo a favor a {banco} cuenta ****{last_digits}",
                       reference=ctx.case_number, audit=case_audit(ctx, f"Devolución de saldo a favor a {titular}"))
    return {"entrada": entry.id, "monto": str(value), "saldo_a_favor_restante": str(balance - value)}


def credit_balance(ctx: StepContext, codigo_estudiante: str) -> str:
    """The credit balance as text ("1500000.00"), for messages to the requester."""
    return str(credit_balance_of(ctx, codigo_estudiante))
