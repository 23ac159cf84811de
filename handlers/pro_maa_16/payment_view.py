"""describe_payment: everything a PRO-MAA-16 task form shows about the payment."""

from __future__ import annotations

from typing import Any

from handlers.context import StepContext
from handlers.ledger.accounting import current_export
from handlers.ledger.invoices import current_invoice_of, invoice_status
from handlers.ledger.kinds import InvoiceEventKind, ReceiptKind
from handlers.ledger.models import Account, Campus
from handlers.ledger.payments import get_payment, release_of
from handlers.ledger.receipts import batch_of, is_annulled, receipt_of
from handlers.ledger.values import money_str


def describe_payment(ctx: StepContext, payment: str) -> dict[str, Any]:
    """The payment, its account, campus, invoice, receipt, batch and accounting state."""
    session = ctx.session
    found = get_payment(session, payment)
    account = session.get(Account, found.account_id) if found.account_id is not None else None
    campus = session.get(Campus, found.campus_id) if found.campus_id is not None else None
    invoice = current_invoice_of(session, found.id)
    status = invoice_status(session, invoice) if invoice is not None else None
    receipt = receipt_of(session, found.id, ReceiptKind.PAYMENT)
    bag_receipt = receipt_of(session, found.id, ReceiptKind.GENERIC_BAG)
    bag_account = (
        session.get(Account, bag_receipt.account_id) if bag_receipt and bag_receipt.account_id else None
    )
    release = release_of(session, found)
    return {
        "payment": found.number,
        "amount": money_str(found.amount),
        "date": found.paid_on.isoformat(),
        "account": account.code if account else None,
        "account_name": account.name if account else None,
        "campus": campus.code if campus else None,
        "campus_name": campus.name if campus else None,
        "identified": found.identified,
        "invoiced": status in (InvoiceEventKind.ISSUED, InvoiceEventKind.USED),
        "invoice": invoice.number if invoice else None,
        "invoice_status": status.value if status else None,
        "invoice_customer": invoice.customer_name if invoice else None,
        "invoice_customer_kind": invoice.customer_kind if invoice else None,
        "receipt": receipt.number if receipt else None,
        "batch": batch_of(session, receipt).number if receipt else None,
        "receipt_annulled": is_annulled(session, receipt) if receipt else False,
        "sent_to_accounting": current_export(session, found) is not None,
        "released": release is not None,
        "adjustment": release.adjustment if release else None,
        "generic_account": bag_account.code if bag_account else None,
    }
