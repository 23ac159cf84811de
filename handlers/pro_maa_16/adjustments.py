"""PRO-MAA-16 service tasks, steps 6-9: annul credit and payment, reclassify in GP, re-invoice, inform."""

from __future__ import annotations

from typing import Any

from handlers.context import StepContext
from handlers.errors import HandlerInputError
from handlers.ledger import invoices
from handlers.ledger.accounting import reverse_and_resend
from handlers.ledger.journal import ZERO, balance_of
from handlers.ledger.kinds import ReceiptKind
from handlers.ledger.models import Account
from handlers.ledger.notices import record_notice
from handlers.ledger.payments import active_credit_entries, annul_credits, get_payment, has_credits
from handlers.ledger.receipts import annul_receipt, batch_of, receipt_of
from handlers.ledger.values import money_str
from handlers.pro_maa_16.common import audit_of, posting_date, reason_text


def annul_credit(ctx: StepContext, payment: str, reason: str) -> dict[str, Any]:
    """Counter-entries for every abono of the payment (Cobro – Opciones – Cobro a Personas), step 6.

    The student's balance goes back to what it was before the payment was applied. A payment that was never
    applied to any charge has nothing to annul (``annulled_credits`` 0); annulling twice is refused.
    """
    session = ctx.session
    why = reason_text(reason)
    found = get_payment(session, payment)
    account = session.get(Account, found.account_id) if found.account_id is not None else None
    if not has_credits(session, found):
        return {
            "payment": found.number,
            "account": account.code if account else None,
            "annulled_credits": 0,
            "amount": money_str(ZERO),
            "balance": money_str(balance_of(session, account.id)) if account else None,
        }
    counters = annul_credits(session, found, entry_on=posting_date(ctx), audit=audit_of(ctx, why))
    total = sum((c.amount for c in counters), ZERO)
    return {
        "payment": found.number,
        "account": account.code if account else None,
        "annulled_credits": len(counters),
        "amount": money_str(total),
        "balance": money_str(balance_of(session, counters[0].account_id)),
    }


def annul_payment(ctx: StepContext, payment: str, reason: str) -> dict[str, Any]:
    """Counter-lines on the receipt's transaction detail and the receipt annulled, step 7.

    (Recibos de caja – Opciones – Lote – Detalle de la transacción.) The credits must be annulled first.
    """
    session = ctx.session
    why = reason_text(reason)
    found = get_payment(session, payment)
    receipt = receipt_of(session, found.id, ReceiptKind.PAYMENT)
    if receipt is None:
        raise HandlerInputError(f"El pago {found.number} no tiene recibo de caja.", field="payment")
    if active_credit_entries(session, found):
        raise HandlerInputError(
            f"El pago {found.number} todavía tiene abonos aplicados; primero se deben anular "
            "(paso «Registrar anulación del abono»).",
            field="payment",
        )
    counters = annul_receipt(session, receipt, audit=audit_of(ctx, why))
    return {
        "payment": found.number,
        "receipt": receipt.number,
        "batch": batch_of(session, receipt).number,
        "receipt_annulled": True,
        "counter_lines": len(counters),
    }


def reverse_accounting(
    ctx: StepContext, payment: str, summary_type: str, analytic_dimension: str
) -> dict[str, Any]:
    """Reverse the payment in GP and send it again with the right summary type and analytic dimension.

    The resend keeps the application date and the income account of the first send.
    """
    found = get_payment(ctx.session, payment)
    reversal, resend = reverse_and_resend(
        ctx.session,
        found,
        summary_type=summary_type,
        analytic_dimension=analytic_dimension,
        audit=audit_of(ctx, "Reversa para reclasificación contable y reenvío a GP"),
    )
    return {
        "payment": found.number,
        "reversed_summary_type": reversal.summary_type,
        "reversed_analytic_dimension": reversal.analytic_dimension,
        "summary_type": resend.summary_type,
        "analytic_dimension": resend.analytic_dimension,
        "application_date": resend.application_date.isoformat(),
        "income_account": resend.income_account,
    }


def reinvoice(ctx: StepContext, payment: str) -> dict[str, Any]:
    """A new invoice for the same customer replacing the payment's annulled one, step 8."""
    found = get_payment(ctx.session, payment)
    annulled = invoices.current_invoice_of(ctx.session, found.id)
    if annulled is None:
        raise HandlerInputError(f"El pago {found.number} no tiene una factura para reemplazar.", field="payment")
    new = invoices.reinvoice(
        ctx.session,
        annulled,
        issued_on=posting_date(ctx),
        audit=audit_of(ctx, f"Refacturación tras el ajuste del pago {found.number}"),
    )
    return {
        "payment": found.number,
        "invoice": new.number,
        "replaces": annulled.number,
        "customer_kind": new.customer_kind,
        "customer_id": new.customer_id,
        "customer_name": new.customer_name,
        "amount": money_str(new.amount),
    }


def notify_requester(ctx: StepContext, subject: str, body: str) -> dict[str, Any]:
    """A notice to whoever started the instance (step 9, or the reason the procedure ended)."""
    if not ctx.initiator:
        raise RuntimeError("La instancia no tiene un solicitante a quien enviar el aviso.")
    notice = record_notice(
        ctx.session,
        recipient=ctx.initiator,
        recipient_kind="user",
        subject=subject,
        body=body,
        actor=ctx.actor,
        now=ctx.now,
        instance_ref=ctx.instance_ref,
    )
    return {"notice": notice.id, "recipient": notice.recipient}
