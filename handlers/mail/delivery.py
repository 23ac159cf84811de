"""Delivering the e-mail outbox after the steps commit, by the outbox rules of handlers.outbox_delivery (claim
under a lease, send outside any transaction, record each outcome while the row is still ours). A message sent
twice after a crash keeps its Message-ID, which lets mail clients merge the copies.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from handlers import outbox_delivery
from handlers.mail.models import OutboxEmail
from handlers.mail.transport import Outgoing, SmtpSettings, SmtpTransport
from handlers.outbox_delivery import (
    BATCH,
    CLAIM_LEASE,
    MAX_ATTEMPTS,
    DeliveryReport,
    Outbox,
    Sender,
    Writer,
    backoff,
)

__all__ = ["BATCH", "CLAIM_LEASE", "MAX_ATTEMPTS", "DeliveryReport", "Transport", "Writer", "backoff",
           "deliver_pending", "delivery_chore", "keep_pending"]

log = logging.getLogger("cauce.mail")

Transport = Sender[Outgoing]

EMAIL_OUTBOX = Outbox(
    table=OutboxEmail,
    message=lambda row: Outgoing(row.id, row.recipient, row.subject, row.body, row.created_at),
    error_column="error", log=log, label="outbox")


def keep_pending(write: Writer, now: datetime) -> DeliveryReport:
    """No SMTP configured: every pending row is kept for the development mailbox."""
    return outbox_delivery.keep_pending(EMAIL_OUTBOX, write, now)


def deliver_pending(write: Writer, transport: Transport, now: datetime, batch: int = BATCH,
                    max_attempts: int = MAX_ATTEMPTS, lease: timedelta = CLAIM_LEASE) -> DeliveryReport:
    """Send up to ``batch`` due rows through ``transport``; returns what became of them."""
    return outbox_delivery.deliver_pending(EMAIL_OUTBOX, write, transport, now, batch, max_attempts, lease)


def delivery_chore(write: Writer, smtp_url: str | None, sender: str) -> Callable[[datetime], int]:
    """The worker's periodic mail chore: send by SMTP when configured, else keep mail for the dev mailbox.
    Returns how many rows it dealt with, so a busy outbox keeps the worker from sleeping."""
    if smtp_url is None:
        return lambda now: keep_pending(write, now).handled
    settings = SmtpSettings.parse(smtp_url)
    log.info("e-mail goes through %s", settings.safe_description)

    def chore(now: datetime) -> int:
        return deliver_pending(write, SmtpTransport(settings, sender), now).handled

    return chore
