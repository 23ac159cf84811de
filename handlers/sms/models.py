"""The SMS outbox table: written in the transaction that decides to send, delivered afterwards."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from dbtypes import UTCDateTime
from handlers.ledger.models import LedgerBase


class OutboxSms(LedgerBase):
    """One text message. ``status`` takes the e-mail outbox's values (handlers.mail.models.MailStatus): pending,
    sent, kept (no SMS gateway configured: it stays here for the Buzón de SMS) or failed."""

    __tablename__ = "outbox_sms"
    __table_args__ = (
        CheckConstraint("status IN ('pending', 'sent', 'kept', 'failed')", name="status"),
        Index("ix_outbox_sms_status_next", "status", "next_attempt_at"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    to: Mapped[str] = mapped_column(String(32), index=True)  # E.164-ish: +573001230434
    body: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(32))  # login_code, ...
    status: Mapped[str] = mapped_column(String(8))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_error: Mapped[str | None] = mapped_column(Text)
