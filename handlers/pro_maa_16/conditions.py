"""PRO-MAA-16 gateway conditions: questions to the ledger, answered with a bool."""

from __future__ import annotations

from handlers.context import StepContext
from handlers.ledger.accounting import current_export
from handlers.ledger.invoices import current_invoice_of, invoice_status
from handlers.ledger.kinds import InvoiceEventKind
from handlers.ledger.payments import get_payment
from handlers.ledger.permissions import annulment_permission_of
from handlers.pro_maa_16.common import ERROR_REASON, check_reason

# Units whose financial-service cases may ask PRO-MAA-16 for a reversal: each acts as an authorized capa-2
# unit (errors included), since the case was already reviewed and resolved by that unit.
CASE_ORIGINS = frozenset({"cartera"})


def requester_may_annul(ctx: StepContext, reason: str, origin: str | None = None) -> bool:
    """The initiator holds an active annulment permission (TIC Nacer's control), or the request came from a
    case of an authorized unit (``origin``, e.g. Cartera's "Reversiones de matrícula").

    Erroneous transactions ("error_transaccion") may be annulled only by the Administrative Coordination or
    the authorized capa-2 unit (billing) whose permission allows errors.
    """
    code = check_reason(reason)
    if origin is not None:
        return origin in CASE_ORIGINS
    if not ctx.initiator:
        return False
    permission = annulment_permission_of(ctx.session, ctx.initiator)
    if permission is None:
        return False
    if code == ERROR_REASON:
        return permission.errors_allowed
    return True


def _invoice_status(ctx: StepContext, payment: str) -> InvoiceEventKind | None:
    found = get_payment(ctx.session, payment)
    invoice = current_invoice_of(ctx.session, found.id)
    return invoice_status(ctx.session, invoice) if invoice is not None else None


def payment_is_invoiced(ctx: StepContext, payment: str) -> bool:
    """The payment has an invoice that is not annulled."""
    return _invoice_status(ctx, payment) in (InvoiceEventKind.ISSUED, InvoiceEventKind.USED)


def invoice_is_used(ctx: StepContext, payment: str) -> bool:
    """The payment's invoice was already used by the student, parent, tutor or company."""
    return _invoice_status(ctx, payment) is InvoiceEventKind.USED


def invoice_annulled_for(ctx: StepContext, payment: str) -> bool:
    """The payment's invoice was annulled and not re-invoiced yet (so it must be re-invoiced)."""
    return _invoice_status(ctx, payment) is InvoiceEventKind.ANNULLED


def payment_is_identified(ctx: StepContext, payment: str) -> bool:
    """Payer and concept are known (else the payment belongs in the generic bag)."""
    return get_payment(ctx.session, payment).identified


def payment_sent_to_accounting(ctx: StepContext, payment: str) -> bool:
    """A send to GP currently stands for the payment."""
    return current_export(ctx.session, get_payment(ctx.session, payment)) is not None
