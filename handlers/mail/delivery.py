"""Delivering the outbox after the steps commit: claim due rows, send each, record the outcome.

A row is claimed by moving its ``next_attempt_at`` past a lease and counting the attempt, in a short transaction
(``FOR UPDATE SKIP LOCKED`` on PostgreSQL, ``BEGIN IMMEDIATE`` on SQLite): two workers never take the same row.
Sending happens outside any transaction; each outcome is then recorded in its own. A worker that dies between
sending and recording leaves the row to be claimed again when the lease ends, so a message is sent at least once,
and twice only in that case (it keeps its Message-ID, which lets mail clients merge the copies).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from handlers.mail.models import MailStatus, OutboxEmail
from handlers.mail.transport import (
    Outgoing,
    PermanentFailure,
    SmtpSettings,
    SmtpTransport,
    TransientFailure,
)

log = logging.getLogger("cauce.mail")

MAX_ATTEMPTS = 6  # 1 + 2 + 4 + 8 + 16 minutes of waiting: about half an hour before giving up
MAX_BACKOFF = timedelta(hours=1)
CLAIM_LEASE = timedelta(minutes=10)  # longer than a batch can take (10 messages x 20 s timeout)
BATCH = 10

Writer = Callable[[], AbstractContextManager[Session]]


class Transport(Protocol):
    def send(self, mail: Outgoing) -> None: ...

    def close(self) -> None: ...


@dataclass(frozen=True)
class DeliveryReport:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    kept: int = 0

    @property
    def handled(self) -> int:
        return self.sent + self.retried + self.failed + self.kept

    def as_dict(self) -> dict[str, int]:
        return {"sent": self.sent, "retried": self.retried, "failed": self.failed, "kept": self.kept}


@dataclass(frozen=True)
class _Claimed:
    mail: Outgoing
    attempts: int


def backoff(attempts: int) -> timedelta:
    """Wait after the ``attempts``-th failed attempt: 1, 2, 4, 8... minutes, at most an hour."""
    return min(timedelta(minutes=2 ** max(attempts - 1, 0)), MAX_BACKOFF)


def keep_pending(write: Writer, now: datetime) -> DeliveryReport:
    """No SMTP configured: every pending row is kept for the development mailbox."""
    with write() as session:
        result = session.execute(update(OutboxEmail).where(OutboxEmail.status == MailStatus.PENDING)
                                 .values(status=MailStatus.KEPT, next_attempt_at=now))
        return DeliveryReport(kept=int(getattr(result, "rowcount", 0) or 0))


def deliver_pending(write: Writer, transport: Transport, now: datetime, batch: int = BATCH,
                    max_attempts: int = MAX_ATTEMPTS, lease: timedelta = CLAIM_LEASE) -> DeliveryReport:
    """Send up to ``batch`` due rows through ``transport``; returns what became of them."""
    claimed = _claim(write, now, batch, lease)
    sent = retried = failed = 0
    try:
        for item in claimed:
            try:
                transport.send(item.mail)
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
        transport.close()
    return DeliveryReport(sent=sent, retried=retried, failed=failed)


def _claim(write: Writer, now: datetime, limit: int, lease: timedelta) -> list[_Claimed]:
    query = (select(OutboxEmail)
             .where(OutboxEmail.status == MailStatus.PENDING, OutboxEmail.next_attempt_at <= now)
             .order_by(OutboxEmail.next_attempt_at, OutboxEmail.id).limit(limit))
    with write() as session:
        if session.get_bind().dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True)
        claimed = []
        for row in session.scalars(query):
            row.attempts += 1
            row.next_attempt_at = now + lease
            claimed.append(_Claimed(Outgoing(row.id, row.recipient, row.subject, row.body, row.created_at),
                                    row.attempts))
        return claimed


def _record(write: Writer, item: _Claimed, status: MailStatus, when: datetime, error: str | None) -> None:
    values: dict[str, object] = {"status": status, "error": error[:2000] if error else None}
    if status == MailStatus.SENT:
        values["sent_at"] = when
    else:
        values["next_attempt_at"] = when
    with write() as session:
        # Only while the row is still ours (same attempt count): a lease that ran out belongs to another claimer.
        result = session.execute(update(OutboxEmail).where(
            OutboxEmail.id == item.mail.outbox_id, OutboxEmail.status == MailStatus.PENDING,
            OutboxEmail.attempts == item.attempts).values(**values))
    if not getattr(result, "rowcount", 0):
        log.warning("outbox %s: outcome %s not recorded, the row changed meanwhile", item.mail.outbox_id, status)
        return
    log.info("outbox %s attempt %s: %s%s", item.mail.outbox_id, item.attempts, status,
             f" ({error})" if error else "",
             extra={"outbox_id": item.mail.outbox_id, "mail_status": str(status)})


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
