"""Delivering the SMS outbox after the transactions that queued it commit, by the outbox rules of
handlers.outbox_delivery (the e-mail outbox's too): claim due rows under a lease, send outside any transaction,
record each outcome only while the row is still ours. Its report, backoff and limits are the e-mail outbox's own."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from handlers import outbox_delivery
from handlers.outbox_delivery import BATCH, CLAIM_LEASE, MAX_ATTEMPTS, DeliveryReport, Outbox, Writer
from handlers.sms.backends import OutgoingSms, SmsBackend, sms_backend
from handlers.sms.models import OutboxSms

log = logging.getLogger("cauce.sms")

SMS_OUTBOX = Outbox(table=OutboxSms, message=lambda row: OutgoingSms(row.id, row.to, row.body),
                    error_column="last_error", log=log, label="sms")


def keep_pending(write: Writer, now: datetime) -> DeliveryReport:
    """No SMS gateway configured: every pending row is kept for the Buzón de SMS."""
    return outbox_delivery.keep_pending(SMS_OUTBOX, write, now)


def deliver_pending(write: Writer, backend: SmsBackend, now: datetime, batch: int = BATCH,
                    max_attempts: int = MAX_ATTEMPTS, lease: timedelta = CLAIM_LEASE) -> DeliveryReport:
    """Send up to ``batch`` due rows through ``backend`` (or keep them all when it delivers nowhere)."""
    if not backend.delivers:
        return keep_pending(write, now)
    return outbox_delivery.deliver_pending(SMS_OUTBOX, write, backend, now, batch, max_attempts, lease)


def sms_delivery_chore(write: Writer, url: str | None, key: str | None) -> Callable[[datetime], int]:
    """The worker's periodic SMS chore (beside the e-mail one): through the gateway at ``url`` (Settings.sms_url),
    else keep messages for the Buzón de SMS. Returns how many rows it dealt with."""
    backend = sms_backend(url, key)
    log.info("SMS go %s", f"through {getattr(backend, 'safe_description', 'a gateway')}" if backend.delivers
             else "nowhere: they stay in the Buzón de SMS (CAUCE_SMS_URL is not set)")
    return lambda now: deliver_pending(write, backend, now).handled
