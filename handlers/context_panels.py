"""What a worker needs beside a task's form to decide, per process: panels of (label, value) rows in Spanish.

Each provider reads the ledger with the session it is given (a read session) and the instance's current data.
It never raises for data it cannot find: the panel says so instead. Money is Decimal, dates are ``date``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from handlers.errors import HandlerInputError
from handlers.ledger.invoices import current_invoice_of
from handlers.ledger.payments import find_payment
from handlers.ledger.statement import account_statement
from handlers.pro_maa_16.common import REASONS
from handlers.pro_maa_16.payment_view import describe_payment

Value = str | Decimal | date | bool | None


@dataclass(frozen=True)
class Panel:
    title: str
    rows: tuple[tuple[str, Value], ...]


@dataclass(frozen=True)
class _ReadContext:
    """The StepContext a read-only handler call needs (it writes nothing)."""

    session: Session
    now: datetime
    actor: str = "(consulta)"
    initiator: str | None = None
    instance_ref: str | None = None


ADJUSTMENTS = {"anulacion": "Anulación", "reversa": "Reversa"}
INVOICE_STATUS = {"issued": "Emitida", "used": "Utilizada", "annulled": "Anulada"}
CUSTOMER_KINDS = {"student": "Estudiante", "parent": "Padre o madre", "tutor": "Tutor", "company": "Empresa"}


def _text(value: Any) -> str | None:
    return None if value in (None, "") else str(value)


def _request_panel(data: dict[str, Any]) -> Panel:
    reason = data.get("reason")
    return Panel("Solicitud de anulación o reversa", (
        ("Pago", _text(data.get("payment"))),
        ("Tipo de ajuste", ADJUSTMENTS.get(str(data.get("adjustment")), _text(data.get("adjustment")))),
        ("Motivo", REASONS.get(str(reason), _text(reason))),
        ("Justificación", _text(data.get("justification"))),
    ))


def _payment_panels(session: Session, number: str, now: datetime) -> list[Panel]:
    try:
        facts = describe_payment(_ReadContext(session, now), number)
    except HandlerInputError as exc:
        return [Panel("Pago", (("Pago", number), ("Aviso", exc.message)))]
    account = facts["account"]
    payment = Panel("Pago", (
        ("Número", facts["payment"]),
        ("Valor", Decimal(facts["amount"])),
        ("Fecha de pago", date.fromisoformat(facts["date"])),
        ("Identificado", bool(facts["identified"])),
        ("Cuenta", f"{account} · {facts['account_name']}" if account else "Sin cuenta (no identificado)"),
        ("Campus", f"{facts['campus']} · {facts['campus_name']}" if facts["campus"] else "Desconocido"),
        ("Migrado contablemente", bool(facts["sent_to_accounting"])),
        ("Liberado", bool(facts["released"])),
        ("Bolsa genérica", _text(facts["generic_account"]) or "No"),
    ))
    found = find_payment(session, number)
    invoice = current_invoice_of(session, found.id) if found is not None else None
    if invoice is None:
        invoice_panel = Panel("Factura", (("Factura", "El pago no está facturado."),))
    else:
        invoice_panel = Panel("Factura", (
            ("Número", invoice.number),
            ("Estado", INVOICE_STATUS.get(str(facts["invoice_status"]), _text(facts["invoice_status"]))),
            ("Cliente", f"{invoice.customer_name} ({invoice.customer_id})"),
            ("Tipo de cliente", CUSTOMER_KINDS.get(invoice.customer_kind, invoice.customer_kind)),
            ("Valor", invoice.amount),
            ("Fecha de emisión", invoice.issued_on),
        ))
    if facts["receipt"]:
        receipt_panel = Panel("Recibo de caja", (
            ("Número", facts["receipt"]), ("Lote", _text(facts["batch"])), ("Anulado", bool(facts["receipt_annulled"])),
        ))
    else:
        receipt_panel = Panel("Recibo de caja", (("Recibo de caja", "El pago no tiene recibo de caja."),))
    panels = [payment, invoice_panel, receipt_panel]
    if account:
        panels.append(_statement_panel(session, str(account), now))
    return panels


def _statement_panel(session: Session, account: str, now: datetime) -> Panel:
    try:
        statement = account_statement(session, account, now=now)
    except HandlerInputError as exc:
        return Panel("Estado de cuenta", (("Cuenta", account), ("Aviso", exc.message)))
    holder = statement.account
    return Panel("Estado de cuenta", (
        ("Cuenta", holder.code),
        ("Titular", holder.name),
        ("Programa", holder.program),
        ("Movimientos", str(len(statement.entries))),
        ("Saldo", statement.balance),
        ("Saldo a favor", statement.credit_balance),
        ("Saldo vencido", statement.overdue_balance),
        ("Fecha de corte", statement.as_of),
    ))


def pro_maa_16_panels(session: Session, data: dict[str, Any], now: datetime | None = None) -> list[Panel]:
    """The request, then the payment, its invoice and receipt, and the student's statement summary."""
    panels = [_request_panel(data)]
    number = data.get("payment")
    if isinstance(number, str) and number:
        panels += _payment_panels(session, number, now or datetime.now(UTC))
    return panels


CONTEXT_PANELS: dict[str, Callable[[Session, dict[str, Any]], list[Panel]]] = {
    "pro_maa_16": pro_maa_16_panels,
}
