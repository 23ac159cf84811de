"""The bank's decision on an order, applied to the ledger exactly once.

The order row is read under a row lock (PostgreSQL; SQLite writers hold the database lock), so two deliveries of
the same notification are serialized: the second finds the order decided and answers "already applied". The
unique ``transaction_id`` and ``payment_id`` of the order are the last guard. Every notification that reaches
this module leaves a ``GatewayNotice`` row, refused ones included, in the caller's transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from handlers.ledger.models import Account, Campus
from handlers.ledger.payments import record_payment
from handlers.ledger.values import Audit, bogota_date, money_str
from handlers.oficina.appliers import APPLIERS, LedgerMessage
from handlers.oficina.order_models import GatewayNotice, NoticeOutcome, OrderStatus, PaymentOrder, PaymentOrderItem
from handlers.oficina.orders import find_order

PAYMENT_PREFIX = "PL-"
GATEWAY_ACTOR = "pasarela"
APPROVED = "approved"
REJECTED = "rejected"


@dataclass(frozen=True)
class GatewayNotification:
    """A notification as the gateway sent it, already parsed and type-checked by the web layer."""

    notification_id: str
    merchant: str
    reference: str
    transaction_id: str
    status: str  # "approved" | "rejected"
    amount: Decimal
    currency: str
    vat: Decimal
    vat_base: Decimal
    instalments: int
    bank: str
    unique_code: str
    terminal: str
    authorization_code: str
    response_code: str
    error_code: str
    description: str
    processed_at: datetime
    payer_ip: str

    @property
    def approved(self) -> bool:
        return self.status == APPROVED

    def voucher(self) -> dict[str, Any]:
        """The fields the voucher prints, JSON-ready."""
        return {
            "notification_id": self.notification_id, "transaction_id": self.transaction_id, "status": self.status,
            "amount": money_str(self.amount), "currency": self.currency, "vat": money_str(self.vat),
            "vat_base": money_str(self.vat_base), "instalments": self.instalments, "bank": self.bank,
            "unique_code": self.unique_code, "terminal": self.terminal,
            "authorization_code": self.authorization_code, "response_code": self.response_code,
            "error_code": self.error_code, "description": self.description,
            "processed_at": self.processed_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "payer_ip": self.payer_ip,
        }


@dataclass(frozen=True)
class ApplyResult:
    outcome: NoticeOutcome
    detail: str
    messages: tuple[LedgerMessage, ...] = ()


def record_notice(session: Session, *, outcome: NoticeOutcome, detail: str, now: datetime,
                  remote_addr: str | None, notification_id: str | None = None, reference: str | None = None,
                  transaction_id: str | None = None) -> None:
    session.add(GatewayNotice(notification_id=(notification_id or None) and notification_id[:64],
                              reference=(reference or None) and reference[:32],
                              transaction_id=(transaction_id or None) and transaction_id[:64], received_at=now,
                              outcome=outcome, detail=detail[:2000], remote_addr=(remote_addr or None)
                              and remote_addr[:64]))
    session.flush()


UNAUTHENTICATED_REFUSALS = (NoticeOutcome.REFUSED_SIGNATURE, NoticeOutcome.REFUSED_REPLAY)


def recent_refusals(session: Session, remote_addr: str | None, since: datetime) -> int:
    """How many unsigned or stale deliveries from ``remote_addr`` were refused since ``since``."""
    return session.scalar(select(func.count()).select_from(GatewayNotice).where(
        GatewayNotice.remote_addr == ((remote_addr or None) and remote_addr[:64]),
        GatewayNotice.received_at >= since, GatewayNotice.outcome.in_(UNAUTHENTICATED_REFUSALS))) or 0


def _mismatch(order: PaymentOrder, notice: GatewayNotification) -> str | None:
    if notice.amount != order.amount:
        return f"valor {money_str(notice.amount)} distinto del de la orden, {money_str(order.amount)}"
    if notice.currency != order.currency:
        return f"moneda {notice.currency} distinta de la de la orden, {order.currency}"
    if notice.vat != order.vat or notice.vat_base != order.vat_base:
        return "IVA o base de devolución distintos de los de la orden"
    return None


def _campus_code(session: Session, account: Account) -> str | None:
    if account.campus_id is None:
        return None
    return session.scalars(select(Campus.code).where(Campus.id == account.campus_id)).one_or_none()


def payment_number(order: PaymentOrder) -> str:
    """ "PL-00123" for order "OP-000123": one payment per order at most, so the number is unique by construction
    (two approvals committing at once cannot both take "the next free number")."""
    return f"{PAYMENT_PREFIX}{order.id:05d}"


def _approve(session: Session, order: PaymentOrder, notice: GatewayNotification, now: datetime) -> list[LedgerMessage]:
    account = session.get(Account, order.account_id)
    assert account is not None  # guarded by the foreign key
    audit = Audit(actor=GATEWAY_ACTOR, at=now,
                  reason=f"Pago en línea {order.reference}: transacción {notice.transaction_id} de {notice.bank}")
    payment = record_payment(session, number=payment_number(order), amount=order.amount,
                             paid_on=bogota_date(notice.processed_at), campus_code=_campus_code(session, account),
                             identified=True, account_code=account.code, audit=audit)
    messages: list[LedgerMessage] = []
    for item in session.scalars(select(PaymentOrderItem).where(PaymentOrderItem.order_id == order.id)
                                .order_by(PaymentOrderItem.seq)):
        applier = APPLIERS.get(item.kind)
        if applier is None:  # an order is only created for kinds with a checker; a missing applier is a fault
            raise RuntimeError(f"No hay quien aplique los conceptos de tipo {item.kind!r}.")
        messages.extend(applier(session, payment, item, audit))
    order.status = OrderStatus.APPROVED
    order.payment_id = payment.id
    order.messages = [m.as_dict() for m in messages]
    return messages


def apply_notification(session: Session, notice: GatewayNotification, *, now: datetime,
                       remote_addr: str | None) -> ApplyResult:
    """Decides the order of ``notice`` once; a repeat of the same decision is harmless, a contradiction refused.
    Returns what happened and, when approved, the process messages to send after the commit."""

    def result(outcome: NoticeOutcome, detail: str, messages: tuple[LedgerMessage, ...] = ()) -> ApplyResult:
        record_notice(session, outcome=outcome, detail=detail, now=now, remote_addr=remote_addr,
                      notification_id=notice.notification_id, reference=notice.reference,
                      transaction_id=notice.transaction_id)
        return ApplyResult(outcome, detail, messages)

    order = find_order(session, notice.reference, lock=True)
    if order is None:
        return result(NoticeOutcome.REFUSED_UNKNOWN, f"No existe la orden {notice.reference}.")
    mismatch = _mismatch(order, notice)
    if mismatch is not None:
        return result(NoticeOutcome.REFUSED_AMOUNT, f"Orden {order.reference}: {mismatch}; no se aplicó nada.")
    if order.transaction_id is not None:
        same = order.transaction_id == notice.transaction_id and (order.status == OrderStatus.APPROVED) == \
            notice.approved
        if not same:
            return result(NoticeOutcome.REFUSED_CONFLICT,
                          f"La orden {order.reference} ya fue decidida ({order.status}, transacción "
                          f"{order.transaction_id}); la notificación ({notice.status}, transacción "
                          f"{notice.transaction_id}) la contradice.")
        if order.status == OrderStatus.APPROVED:
            stored = tuple(LedgerMessage.from_dict(m) for m in order.messages or [])
            return result(NoticeOutcome.ALREADY_APPLIED, f"La orden {order.reference} ya estaba aplicada.", stored)
        return result(NoticeOutcome.REJECTED, f"La orden {order.reference} ya estaba rechazada.")
    order.transaction_id = notice.transaction_id
    order.notification_id = notice.notification_id
    order.decided_at = now
    order.voucher = notice.voucher()
    if notice.approved:
        messages = _approve(session, order, notice, now)
        session.flush()
        return result(NoticeOutcome.APPLIED, f"Orden {order.reference} aplicada.", tuple(messages))
    order.status = OrderStatus.REJECTED
    session.flush()
    return result(NoticeOutcome.REJECTED, f"Orden {order.reference} rechazada: {notice.description}.")
