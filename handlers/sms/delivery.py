"""Delivering the SMS outbox after the transactions that queued it commit: the e-mail outbox's rules
(handlers.mail.delivery) on this table: claim due rows under a lease, send outside any transaction, record
each outcome only while the row is still ours. Its report, backoff and limits are the e-mail outbox's own."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update

from handlers.mail.delivery import BATCH, CLAIM_LEASE, MAX_ATTEMPTS, DeliveryReport, Writer, backoff
from handlers.mail.models import MailStatus
from handlers.mail.transport import PermanentFailure, TransientFailure
from handlers.sms.backends import OutgoingSms, SmsBackend, sms_backend
from handlers.sms.models import OutboxSms

log = logging.getLogger("cauce.sms")


@dataclass(frozen=True)
class _Claimed:
    sms: OutgoingSms
    attempts: int


def keep_pending(write: Writer, now: datetime) -> DeliveryReport:
    """No SMS gateway configured: every pending row is kept for the Buzón de SMS."""
    with write() as session:
        result = session.execute(update(OutboxSms).where(OutboxSms.status == MailStatus.PENDING)
                                 .values(status=MailStatus.KEPT, next_attempt_at=now))
        return DeliveryReport(kept=int(getattr(result, "rowcount", 0) or 0))


def deliver_pending(write: Writer, backend: SmsBackend, now: datetime, batch: int = BATCH,
                    max_attempts: int = MAX_ATTEMPTS, lease: timedelta = CLAIM_LEASE) -> DeliveryReport:
    """Send up to ``batch`` due rows through ``backend`` (or keep them all when it delivers nowhere)."""
    if not backend.delivers:
        return keep_pending(write, now)
    claimed = _claim(write, now, batch, lease)
    sent = retried = failed = 0
    try:
        for item in claimed:
            try:
                backend.send(item.sms)
            except PermanentFailure as exc:
                _record(write, item, MailStatus.FAILED, now, str(exc))
                failed += 1
            except TransientFailure as exc:
                if item.attempts >= max_attempts:
                    _record(write, item, MailStatus.FAILED, now, f"{exc} (tras {item.attempts} intentos)")
                    failed += 1
                else:
                    _record(write, item, MailStatus.PENDING, now + backoff(item.attempts), str(exc))
                    retried += 1
            else:
                _record(write, item, MailStatus.SENT, now, None)
                sent += 1
    finally:
        backend.close()
    return DeliveryReport(sent=sent, retried=retried, failed=failed)


def sms_delivery_chore(write: Writer, url: str | None, key: str | None) -> Callable[[datetime], int]:
    """The worker's periodic SMS chore (beside the e-mail one): through the gateway at ``url`` (Settings.sms_url),
    else keep messages for the Buzón de SMS. Returns how many rows it dealt with."""
    backend = sms_backend(url, key)
    log.info("SMS go %s", f"through {getattr(backend, 'safe_description', 'a gateway')}" if backend.delivers
             else "nowhere: they stay in the Buzón de SMS (CAUCE_SMS_URL is not set)")
    return lambda now: deliver_pending(write, backend, now).handled


def _claim(write: Writer, now: datetime, limit: int, lease: timedelta) -> list[_Claimed]:
    query = (select(OutboxSms)
             .where(OutboxSms.status == MailStatus.PENDING, OutboxSms.next_attempt_at <= now)
             .order_by(OutboxSms.next_attempt_at, OutboxSms.id).limit(limit))
    with write() as session:
        if session.get_bind().dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True)
        claimed = []
        for row in session.scalars(query):
            row.attempts += 1
            row.next_attempt_at = now + lease
            claimed.append(_Claimed(OutgoingSms(row.id, row.to, row.body), row.attempts))
        return claimed


def _record(write: Writer, item: _Claimed, status: MailStatus, when: datetime, error: str | None) -> None:
    values: dict[str, object] = {"status": status, "last_error": error[:2000] if error else None}
    if status == MailStatus.SENT:
        values["sent_at"] = when
    else:
        values["next_attempt_at"] = when
    with write() as session:
        result = session.execute(update(OutboxSms).where(
            OutboxSms.id == item.sms.outbox_id, OutboxSms.status == MailStatus.PENDING,
            OutboxSms.attempts == item.attempts).values(**values))
    if not getattr(result, "rowcount", 0):
        log.warning("sms %s: outcome %s not recorded, the row changed meanwhile", item.sms.outbox_id, status)
        return
    log.info("sms %s attempt %s: %s%s", item.sms.outbox_id, item.attempts, status, f" ({error})" if error else "")
