"""What the case-type handlers share: the audit of a step, the posting date, the student's account."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from handlers.context import StepContext
from handlers.ledger.accounts import get_account
from handlers.ledger.models import Account
from handlers.ledger.statement import account_statement
from handlers.ledger.statement_render import format_money
from handlers.ledger.values import Audit, bogota_date, positive_money


def case_audit(ctx: StepContext, reason: str) -> Audit:
    """The ledger's why of a case step names the case: "Devolución de saldo a favor (caso SF-2026-000123)"."""
    number = getattr(ctx, "case_number", None)
    return Audit(actor=ctx.actor, at=ctx.now, reason=f"{reason} (caso {number})" if number else reason,
                 instance_ref=ctx.instance_ref)


def posting_date(ctx: StepContext) -> date:
    return bogota_date(ctx.now)


def student_account(ctx: StepContext, code: str, field: str = "codigo_estudiante") -> Account:
    return get_account(ctx.session, str(code).strip(), field=field)


def credit_balance_of(ctx: StepContext, code: str) -> Decimal:
    """The student's saldo a favor today (Colombia)."""
    return account_statement(ctx.session, str(code).strip(), now=ctx.now).credit_balance


def pesos(ctx: StepContext, value: object) -> str:
    """An amount as the requester reads it: "$ 1.752.770,00" (for messages built in a model's expressions)."""
    return format_money(amount(value, "monto") if value not in (None, "") else Decimal(0))


def amount(value: object, field: str) -> Decimal:
    """A positive COP amount from a form (``"1500000.00"``); refuses floats, zero and negatives."""
    return positive_money(value if isinstance(value, Decimal | int | str) else str(value), field=field)
