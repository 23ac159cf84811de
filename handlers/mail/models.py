"""The e-mail outbox: written in the step's transaction, delivered afterwards (SMTP or the dev mailbox)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from dbtypes import UTCDateTime
from handlers.ledger.models import LedgerBase


class MailStatus(StrEnum):
    PENDING = "pending"  # waits for delivery (SMTP configured)
    SENT = "sent"
    KEPT = "kept"  # no SMTP_URL: kept for the development mailbox page
    FAILED = "failed"  # gave up after the last attempt


class OutboxEmail(LedgerBase):
    __tablename__ = "outbox_email"
    __table_args__ = (
        CheckConstraint("status IN ('pending', 'sent', 'kept', 'failed')", name="status"),
        Index("ix_outbox_email_status_next", "status", "next_attempt_at"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))  # case_created, info_requested, case_closed, escalation...
    recipient: Mapped[str] = mapped_column(String(200), index=True)  # an e-mail address
    recipient_user: Mapped[str | None] = mapped_column(String(100), index=True)
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(8))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    error: Mapped[str | None] = mapped_column(Text)
    instance_ref: Mapped[str | None] = mapped_column(String(64))
