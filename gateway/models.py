"""The gateway's own tables: it is "the bank", so it keeps its own database, created by ``create_all``.

Table names carry the ``pasarela_`` prefix so that pointing CAUCE_GATEWAY_DB_URL at the app's database (not
recommended) still cannot collide with the university's schema.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Index, MetaData, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from dbtypes import NAMING_CONVENTION, UTCDateTime

PENDING, APPROVED, REJECTED = "pending", "approved", "rejected"
TO_DELIVER, DELIVERED, FAILED = "pendiente", "entregada", "fallida"


class GatewayBase(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Transaction(GatewayBase):
    """One checkout of one merchant reference; its ``id`` is the transaction number shown on the voucher."""

    __tablename__ = "pasarela_transaction"
    __table_args__ = (UniqueConstraint("merchant", "reference", name="uq_pasarela_transaction_merchant_reference"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    merchant: Mapped[str] = mapped_column(String(40))
    reference: Mapped[str] = mapped_column(String(64))
    amount: Mapped[Decimal] = mapped_column(Numeric(16, 2))
    currency: Mapped[str] = mapped_column(String(3))
    vat: Mapped[Decimal] = mapped_column(Numeric(16, 2))
    vat_base: Mapped[Decimal] = mapped_column(Numeric(16, 2))
    description: Mapped[str] = mapped_column(String(200))
    payer_email: Mapped[str] = mapped_column(String(254))
    payer_document: Mapped[str] = mapped_column(String(20))
    person_type: Mapped[str | None] = mapped_column(String(10))
    bank: Mapped[str | None] = mapped_column(String(80))
    status: Mapped[str] = mapped_column(String(10), default=PENDING)
    authorization_code: Mapped[str] = mapped_column(String(6), default="")
    response_code: Mapped[str] = mapped_column(String(2), default="")
    error_code: Mapped[str] = mapped_column(String(4), default="")
    response_description: Mapped[str] = mapped_column(String(80), default="")
    processed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    payer_ip: Mapped[str] = mapped_column(String(45), default="")
    return_url: Mapped[str] = mapped_column(String(2000))
    notify_url: Mapped[str] = mapped_column(String(2000))
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    notification: Mapped[Notification | None] = relationship(back_populates="transaction")


class Notification(GatewayBase):
    """The one notification of a decided transaction: every retry resends this same body."""

    __tablename__ = "pasarela_notification"
    __table_args__ = (Index("ix_pasarela_notification_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    notification_id: Mapped[str] = mapped_column(String(36), unique=True)
    transaction_id: Mapped[int] = mapped_column(ForeignKey("pasarela_transaction.id"), unique=True)
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10), default=TO_DELIVER)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str] = mapped_column(String(300), default="")
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    transaction: Mapped[Transaction] = relationship(back_populates="notification")
