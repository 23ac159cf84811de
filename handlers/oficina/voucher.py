"""The voucher (comprobante de pago) of a decided order, from the bank's stored notification.

One list of labelled lines serves the page and the PDF, so both print the same fields with the same words.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from handlers.ledger.models import Account
from handlers.ledger.statement_render import format_money
from handlers.ledger.values import BOGOTA
from handlers.oficina.order_models import OrderStatus
from handlers.oficina.orders import OrderItemView, OrderNotFound, find_order, order_view


@dataclass(frozen=True)
class Merchant:
    name: str
    nit: str


@dataclass(frozen=True)
class Voucher:
    reference: str
    approved: bool
    merchant: Merchant
    account_code: str
    account_name: str
    payment_number: str | None
    bank: str
    unique_code: str
    terminal: str
    transaction_id: str
    processed_at: datetime
    currency: str
    total: Decimal
    vat: Decimal
    vat_base: Decimal
    instalments: int
    error_code: str
    response_code: str
    authorization_code: str
    description: str
    payer_ip: str
    items: tuple[OrderItemView, ...]

    @property
    def result_label(self) -> str:
        return "Aprobada" if self.approved else "Rechazada"

    def lines(self) -> list[tuple[str, str]]:
        """The voucher's fields as (label, value), in the order the bank prints them."""
        return [
            ("Comercio", self.merchant.name),
            ("NIT", self.merchant.nit),
            ("Código único", self.unique_code),
            ("Término", self.terminal),
            ("# Transacción", self.transaction_id),
            ("Fecha y hora", self.processed_at.astimezone(BOGOTA).strftime("%d/%m/%Y %H:%M")),
            ("Moneda", self.currency),
            ("Total", format_money(self.total)),
            ("IVA", format_money(self.vat)),
            ("Base devolución IVA", format_money(self.vat_base)),
            ("Número de cuotas", f"{self.instalments:03d}"),
            ("Código de error", self.error_code or "—"),
            ("Resultado de la autorización", self.response_code or "—"),
            ("Código de autorización", self.authorization_code or "—"),
            ("Descripción respuesta", self.description),
            ("Banco", self.bank),
            ("IP usuario", self.payer_ip or "—"),
            ("Referencia", self.reference),
            ("Cuenta", f"{self.account_code} · {self.account_name}"),
        ]


def _decimal(value: Any) -> Decimal:
    return Decimal(str(value)) if value not in (None, "") else Decimal("0.00")


def _moment(value: Any, fallback: datetime) -> datetime:
    try:
        return datetime.strptime(str(value), "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    except ValueError:
        return fallback


def voucher_of(session: Session, username: str, reference: str, merchant: Merchant) -> Voucher | None:
    """The user's decided order as a voucher; None while undecided or expired without an answer.
    OrderNotFound when the order is unknown or someone else's."""
    order = find_order(session, reference)
    if order is None or order.username != username:
        raise OrderNotFound(reference)
    if order.voucher is None or order.status not in (OrderStatus.APPROVED, OrderStatus.REJECTED):
        return None
    view = order_view(session, order)
    data = order.voucher
    account = session.get(Account, order.account_id)
    instalments = data.get("instalments", 1)
    return Voucher(
        reference=order.reference, approved=order.status == OrderStatus.APPROVED, merchant=merchant,
        account_code=view.account_code, account_name=account.name if account else "",
        payment_number=view.payment_number, bank=str(data.get("bank", "")),
        unique_code=str(data.get("unique_code", "")), terminal=str(data.get("terminal", "")),
        transaction_id=str(data.get("transaction_id", "")),
        processed_at=_moment(data.get("processed_at"), order.decided_at or order.created_at),
        currency=str(data.get("currency", order.currency)), total=_decimal(data.get("amount", order.amount)),
        vat=_decimal(data.get("vat")), vat_base=_decimal(data.get("vat_base")),
        instalments=instalments if isinstance(instalments, int) else 1,
        error_code=str(data.get("error_code", "")), response_code=str(data.get("response_code", "")),
        authorization_code=str(data.get("authorization_code", "")), description=str(data.get("description", "")),
        payer_ip=str(data.get("payer_ip", "")), items=view.items,
    )
