"""Reversiones de matrícula: Cartera checks that the tuition payment can be reversed, then PRO-MAA-16 (started by
the case's message) reverses it; these handlers read the ledger before and after."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select

from handlers.casos.common import student_account
from handlers.context import StepContext
from handlers.errors import HandlerInputError
from handlers.ledger.kinds import ChargeKind
from handlers.ledger.models import Charge, Payment
from handlers.ledger.payments import active_credit_entries, get_payment
from handlers.ledger.statement import account_statement


def _payment(ctx: StepContext, numero_pago: str) -> Payment:
    if not isinstance(numero_pago, str) or not numero_pago.strip():
        raise HandlerInputError("Indique el número del pago.", field="numero_pago")
    return get_payment(ctx.session, numero_pago.strip().upper(), field="numero_pago")


def tuition_payment_reversible(ctx: StepContext, codigo_estudiante: str, numero_pago: str) -> bool:
    """Gateway: the payment is on the student's own account and still has abonos standing on a tuition charge
    (a payment already reversed, or applied to other concepts, is not a tuition reversal)."""
    account = student_account(ctx, codigo_estudiante)
    payment = _payment(ctx, numero_pago)
    if payment.account_id != account.id:
        raise HandlerInputError(f"El pago {payment.number} no es de la cuenta del estudiante "
                                f"{account.code}.", field="numero_pago")
    charge_ids = {e.charge_id for e in active_credit_entries(ctx.session, payment) if e.charge_id is not None}
    if not charge_ids:
        return False
    tuition = ctx.session.scalars(select(Charge.id).where(Charge.id.in_(charge_ids),
                                                          Charge.kind == ChargeKind.TUITION.value)).first()
    return tuition is not None


def tuition_reversal_summary(ctx: StepContext, codigo_estudiante: str, numero_pago: str) -> str:
    """What the student's statement shows after the reversal, for the requester's notice."""
    payment = _payment(ctx, numero_pago)
    statement = account_statement(ctx.session, str(codigo_estudiante).strip(), now=ctx.now)
    standing = sum((e.amount for e in active_credit_entries(ctx.session, payment)), Decimal(0))
    return (f"Pago {payment.number} por {pesos(payment.amount)}: abonos vigentes {pesos(abs(standing))}. "
            f"Saldo del estado de cuenta: {pesos(statement.balance)}.")


def pesos(value: Decimal) -> str:
    """``$ 1.752.770,00`` (Colombian notation), for messages to the requester."""
    sign = "-" if value < 0 else ""
    whole, cents = f"{abs(value):,.2f}".split(".")
    return f"{sign}$ {whole.replace(',', '.')},{cents}"
