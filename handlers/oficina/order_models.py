"""Tables of online payment orders, their items and the gateway's notifications.

An order is what the requester asked to pay and sent to the gateway; it is decided once, by the bank's
notification. ``transaction_id`` and ``payment_id`` are unique, so one bank transaction can never become two
ledger payments, even when two deliveries of the same notification race. ``ledger_gateway_notice`` keeps every
notification received, refused ones included (a forged, replayed or tampered attempt leaves a trace).
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from dbtypes import UTCDateTime
from handlers.ledger.models import LedgerBase
from handlers.ledger.values import Money


class OrderStatus(StrEnum):
    PENDING = "pendiente"
    APPROVED = "aprobada"
    REJECTED = "rechazada"
    EXPIRED = "vencida"


class NoticeOutcome(StrEnum):
    APPLIED = "applied"
    ALREADY_APPLIED = "already_applied"
    REJECTED = "rejected"
    REFUSED_SIGNATURE = "refused_signature"
    REFUSED_REPLAY = "refused_replay"
    REFUSED_MALFORMED = "refused_malformed"
    REFUSED_UNKNOWN = "refused_unknown"
    REFUSED_AMOUNT = "refused_amount"
    REFUSED_CONFLICT = "refused_conflict"


def _in(column: str, values: type[StrEnum]) -> str:
    return f"{column} IN ({', '.join(repr(v.value) for v in values)})"


class PaymentOrder(LedgerBase):
    """An online payment order ("OP-000123") of a linked account; ``voucher`` holds the bank's answer."""

    __tablename__ = "ledger_payment_order"
    __table_args__ = (
        CheckConstraint(_in("status", OrderStatus), name="status"),
        CheckConstraint("amount > 0", name="amount_positive"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(32), unique=True)
    username: Mapped[str] = mapped_column(String(64), index=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("ledger_account.id"), index=True)
    amount: Mapped[Decimal] = mapped_column(Money)
    currency: Mapped[str] = mapped_column(String(3))
    vat: Mapped[Decimal] = mapped_column(Money)
    vat_base: Mapped[Decimal] = mapped_column(Money)
    description: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    status: Mapped[str] = mapped_column(String(16))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    transaction_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    notification_id: Mapped[str | None] = mapped_column(String(64))
    payment_id: Mapped[int | None] = mapped_column(ForeignKey("ledger_payment.id"), unique=True)
    voucher: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # The process messages the items' appliers produced, kept so that a redelivery can resend what a failure
    # after the commit left unsent (each is idempotent by its message_key).
    messages: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
    client_ip: Mapped[str | None] = mapped_column(String(64))


class PaymentOrderItem(LedgerBase):
    """What one line of an order pays: a charge (ref = charge id), a loan (ref = loan number), a plan instalment
    (ref = "<plan number>#<seq>")."""

    __tablename__ = "ledger_payment_order_item"
    __table_args__ = (
        UniqueConstraint("order_id", "seq"),
        CheckConstraint("amount > 0", name="amount_positive"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("ledger_payment_order.id"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(24))
    ref: Mapped[str] = mapped_column(String(64))
    description: Mapped[str] = mapped_column(String(200))
    amount: Mapped[Decimal] = mapped_column(Money)


class GatewayNotice(LedgerBase):
    """A notification the gateway sent, as received, and what the app did with it. Never holds the secret."""

    __tablename__ = "ledger_gateway_notice"
    __table_args__ = (CheckConstraint(_in("outcome", NoticeOutcome), name="outcome"),
                      # the refusals of one address in the last minute are counted on every unsigned delivery
                      Index("ix_ledger_gateway_notice_remote_addr_received_at", "remote_addr", "received_at"))
    id: Mapped[int] = mapped_column(primary_key=True)
    notification_id: Mapped[str | None] = mapped_column(String(64), index=True)
    reference: Mapped[str | None] = mapped_column(String(32), index=True)
    transaction_id: Mapped[str | None] = mapped_column(String(64))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime())
    outcome: Mapped[str] = mapped_column(String(24))
    detail: Mapped[str] = mapped_column(Text)
    remote_addr: Mapped[str | None] = mapped_column(String(64))
