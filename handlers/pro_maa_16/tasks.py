"""PRO-MAA-16 service tasks, steps 4-5: annul the invoice, release the payment, use the generic bag."""

from __future__ import annotations

from typing import Any

from handlers.context import StepContext
from handlers.errors import HandlerInputError
from handlers.ledger import invoices
from handlers.ledger.accounts import generic_account_for
from handlers.ledger.journal import post_entry
from handlers.ledger.kinds import EntryKind, InvoiceEventKind, ReceiptKind
from handlers.ledger.notices import record_notice
from handlers.ledger.payments import get_payment
from handlers.ledger.payments import release_payment as release
from handlers.ledger.receipts import issue_receipt, open_batch, receipt_of
from handlers.ledger.values import money_str
from handlers.pro_maa_16.common import audit_of, posting_date, reason_text


def annul_invoice(ctx: StepContext, payment: str, reason: str) -> dict[str, Any]:
    """Billing (capa 2) annuls the payment's invoice and tells TIC (step 4). A used invoice is refused."""
    why = reason_text(reason)
    found = get_payment(ctx.session, payment)
    invoice = invoices.current_invoice_of(ctx.session, found.id)
    if invoice is None:
        raise HandlerInputError(f"El pago {found.number} no está facturado.", field="payment")
    invoices.annul_invoice(ctx.session, invoice, audit=audit_of(ctx, why), field="payment")
    notice = record_notice(
        ctx.session,
        recipient="direccion_tic",
        recipient_kind="role",
        subject=f"Factura {invoice.number} anulada",
        body=(
            f"Facturación anuló la factura electrónica {invoice.number} ({invoice.customer_name}) "
            f"del pago {found.number}. Motivo: {why}. Puede continuar con la liberación del pago."
        ),
        actor=ctx.actor,
        now=ctx.now,
        instance_ref=ctx.instance_ref,
    )
    return {"payment": found.number, "invoice": invoice.number, "status": "annulled", "notice": notice.id}


def release_payment(ctx: StepContext, payment: str, adjustment: str) -> dict[str, Any]:
    """TIC releases the payment for the adjustment, "anulacion" or "reversa" (step 5).

    An invoice still standing (issued or used) must be annulled by billing first.
    """
    found = get_payment(ctx.session, payment)
    invoice = invoices.current_invoice_of(ctx.session, found.id)
    if invoice is not None:
        status = invoices.invoice_status(ctx.session, invoice)
        if status is not InvoiceEventKind.ANNULLED:
            raise HandlerInputError(
                f"La factura {invoice.number} del pago {found.number} está {invoices.STATUS_LABELS[status]}; "
                "Facturación debe anularla antes de liberar el pago.",
                field="payment",
            )
    done = release(
        ctx.session, found, adjustment=adjustment, audit=audit_of(ctx, f"Liberación para {adjustment}")
    )
    return {"payment": found.number, "released": True, "adjustment": done.adjustment}


def move_to_generic_bag(ctx: StepContext, payment: str) -> dict[str, Any]:
    """An unidentified payment goes to the campus's "Autoservicio Genérico" account, else the global one."""
    session = ctx.session
    found = get_payment(session, payment)
    if found.identified:
        raise HandlerInputError(
            f"El pago {found.number} está identificado; permanece en su cuenta.", field="payment"
        )
    if receipt_of(session, found.id, ReceiptKind.GENERIC_BAG) is not None:
        raise HandlerInputError(f"El pago {found.number} ya está en la bolsa genérica.", field="payment")
    audit = audit_of(ctx, "Pago no identificado: registro en bolsa genérica")
    account = generic_account_for(session, found.campus_id, audit)
    batch = open_batch(session, campus_id=found.campus_id, opened_on=posting_date(ctx), audit=audit)
    description = f"Pago no identificado {found.number} - bolsa genérica"
    receipt = issue_receipt(
        session,
        payment_id=found.id,
        batch=batch,
        account_id=account.id,
        kind=ReceiptKind.GENERIC_BAG,
        issued_on=posting_date(ctx),
        lines=[(description, found.amount, None)],
        audit=audit,
    )
    post_entry(
        session,
        account_id=account.id,
        kind=EntryKind.UNAPPLIED_PAYMENT,
        entry_on=found.paid_on,
        amount=-found.amount,
        description=description,
        reference=found.number,
        payment_id=found.id,
        audit=audit,
    )
    return {
        "payment": found.number,
        "account": account.code,
        "account_name": account.name,
        "receipt": receipt.number,
        "batch": batch.number,
        "amount": money_str(found.amount),
    }
