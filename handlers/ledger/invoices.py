"""Electronic invoices (facturas electrónicas): issued, used or annulled, as their events say."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from handlers.errors import HandlerInputError
from handlers.ledger.kinds import CustomerKind, InvoiceEventKind
from handlers.ledger.models import Invoice, InvoiceEvent
from handlers.ledger.numbering import INVOICE_PREFIX, next_number
from handlers.ledger.values import Audit, positive_money

#: How an invoice's status reads in a Spanish message ("La factura FE-5001 está anulada").
STATUS_LABELS = {
    InvoiceEventKind.ISSUED: "emitida",
    InvoiceEventKind.USED: "utilizada",
    InvoiceEventKind.ANNULLED: "anulada",
}


def find_invoice(session: Session, number: str) -> Invoice | None:
    return session.scalars(select(Invoice).where(Invoice.number == number)).one_or_none()


def issue_invoice(
    session: Session,
    *,
    customer_kind: CustomerKind | str,
    customer_id: str,
    customer_name: str,
    amount: Decimal | str,
    issued_on: date,
    payment_id: int | None,
    audit: Audit,
    number: str | None = None,
    replaces: Invoice | None = None,
) -> Invoice:
    try:
        kind = CustomerKind(customer_kind)
    except ValueError as exc:
        raise HandlerInputError(f"No existe el tipo de cliente «{customer_kind}».", field="customer_kind") from exc
    if not customer_id.strip() or not customer_name.strip():
        raise HandlerInputError(
            "La factura necesita el documento (o NIT) y el nombre del cliente.", field="customer_id"
        )
    if replaces is not None and replacement_of(session, replaces) is not None:
        raise HandlerInputError(f"La factura {replaces.number} ya fue reemplazada.", field="payment")
    invoice = Invoice(
        number=number or next_number(session, Invoice.number, INVOICE_PREFIX, start=5001),
        customer_kind=kind,
        customer_id=customer_id.strip(),
        customer_name=customer_name.strip(),
        amount=positive_money(amount),
        issued_on=issued_on,
        payment_id=payment_id,
        replaces_id=replaces.id if replaces else None,
        **audit.columns(),
    )
    session.add(invoice)
    session.flush()
    _record(session, invoice, InvoiceEventKind.ISSUED, audit)
    return invoice


def _record(session: Session, invoice: Invoice, kind: InvoiceEventKind, audit: Audit) -> InvoiceEvent:
    event = InvoiceEvent(invoice_id=invoice.id, kind=kind, **audit.columns())
    session.add(event)
    session.flush()
    return event


def invoice_status(session: Session, invoice: Invoice) -> InvoiceEventKind:
    """Annulled beats used beats issued (a used invoice can never be annulled, so both never coexist)."""
    kinds = set(session.scalars(select(InvoiceEvent.kind).where(InvoiceEvent.invoice_id == invoice.id)))
    for kind in (InvoiceEventKind.ANNULLED, InvoiceEventKind.USED):
        if kind in kinds:
            return kind
    return InvoiceEventKind.ISSUED


def mark_invoice_used(session: Session, invoice: Invoice, *, audit: Audit) -> InvoiceEvent:
    """The student, parent, tutor or company used the invoice (e.g. to claim it)."""
    status = invoice_status(session, invoice)
    if status is not InvoiceEventKind.ISSUED:
        raise HandlerInputError(
            f"La factura {invoice.number} está {STATUS_LABELS[status]}; no se puede utilizar.", field="invoice"
        )
    return _record(session, invoice, InvoiceEventKind.USED, audit)


def annul_invoice(
    session: Session, invoice: Invoice, *, audit: Audit, field: str = "invoice"
) -> InvoiceEvent:
    """Billing (capa 2) annuls the invoice; a used or already annulled invoice is refused."""
    status = invoice_status(session, invoice)
    if status is InvoiceEventKind.USED:
        raise HandlerInputError(
            f"La factura {invoice.number} ya fue utilizada y no se puede anular.", field=field
        )
    if status is InvoiceEventKind.ANNULLED:
        raise HandlerInputError(f"La factura {invoice.number} ya está anulada.", field=field)
    return _record(session, invoice, InvoiceEventKind.ANNULLED, audit)


def current_invoice_of(session: Session, payment_id: int) -> Invoice | None:
    """The payment's latest invoice (a re-invoice supersedes the annulled one it replaces)."""
    return session.scalars(
        select(Invoice).where(Invoice.payment_id == payment_id).order_by(Invoice.id.desc()).limit(1)
    ).first()


def replacement_of(session: Session, invoice: Invoice) -> Invoice | None:
    return session.scalars(select(Invoice).where(Invoice.replaces_id == invoice.id)).one_or_none()


def reinvoice(session: Session, annulled: Invoice, *, issued_on: date, audit: Audit) -> Invoice:
    """A new invoice for the same customer and amount, replacing an annulled one."""
    if invoice_status(session, annulled) is not InvoiceEventKind.ANNULLED:
        raise HandlerInputError(
            f"La factura {annulled.number} no está anulada; no hay nada que reemplazar.", field="payment"
        )
    return issue_invoice(
        session,
        customer_kind=annulled.customer_kind,
        customer_id=annulled.customer_id,
        customer_name=annulled.customer_name,
        amount=annulled.amount,
        issued_on=issued_on,
        payment_id=annulled.payment_id,
        replaces=annulled,
        audit=audit,
    )
