"""Delivering an outbox table after the steps that wrote it commit: claim due rows, send each, record the outcome.

A row is claimed by moving its ``next_attempt_at`` past a lease and counting the attempt, in a short transaction
(``FOR UPDATE SKIP LOCKED`` on PostgreSQL, ``BEGIN IMMEDIATE`` on SQLite): two workers never take the same row.
Sending happens outside any transaction; each outcome is then recorded in its own. A worker that dies between
sending and recording leaves the row to be claimed again when the lease ends, so a message is sent at least once,
and twice only in that case. The e-mail outbox (handlers.mail.delivery) and the SMS outbox (handlers.sms.delivery)
both deliver through here; each says how its rows become what its sender sends.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Generic, Protocol, TypeVar

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from handlers.mail.models import MailStatus
from handlers.mail.transport import PermanentFailure, TransientFailure

MAX_ATTEMPTS = 6  # 1 + 2 + 4 + 8 + 16 minutes of waiting: about half an hour before giving up
MAX_BACKOFF = timedelta(hours=1)
CLAIM_LEASE = timedelta(minutes=10)  # longer than a batch can take (10 messages x 20 s timeout)
BATCH = 10

Writer = Callable[[], AbstractContextManager[Session]]


class OutboxMessage(Protocol):
    """What a sender sends: plain data naming its outbox row."""

    @property
    def outbox_id(self) -> int: ...


R = TypeVar("R")  # the table's mapped class
M = TypeVar("M", bound=OutboxMessage)
M_contra = TypeVar("M_contra", contravariant=True)


class Sender(Protocol[M_contra]):
    """One connection per delivery pass: a batch is sent through it, then it is closed."""

    def send(self, message: M_contra) -> None: ...

    def close(self) -> None: ...


@dataclass(frozen=True)
class Outbox(Generic[R, M]):
    """One outbox table and how its rows leave."""

    # Its columns id, status (MailStatus values), attempts, next_attempt_at, sent_at and ``error_column``: the
    # functions below reach them by name, as both tables spell them.
    table: type[R]
    message: Callable[[R], M]  # a claimed row -> what the sender sends
    error_column: str  # where a failure's text is kept
    log: logging.Logger
    label: str  # how log lines name a row: "outbox 12", "sms 12"


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
class _Claimed(Generic[M]):
    message: M
    attempts: int


def backoff(attempts: int) -> timedelta:
    """Wait after the ``attempts``-th failed attempt: 1, 2, 4, 8... minutes, at most an hour."""
    return min(timedelta(minutes=2 ** max(attempts - 1, 0)), MAX_BACKOFF)


def keep_pending(outbox: Outbox[R, M], write: Writer, now: datetime) -> DeliveryReport:
    """Nowhere to send: every pending row is kept, readable on the development page of its outbox."""
    table: Any = outbox.table
    with write() as session:
        result = session.execute(update(table).where(table.status == MailStatus.PENDING)
                                 .values(status=MailStatus.KEPT, next_attempt_at=now))
        return DeliveryReport(kept=int(getattr(result, "rowcount", 0) or 0))


def deliver_pending(outbox: Outbox[R, M], write: Writer, sender: Sender[M], now: datetime, batch: int = BATCH,
                    max_attempts: int = MAX_ATTEMPTS, lease: timedelta = CLAIM_LEASE) -> DeliveryReport:
    """Send up to ``batch`` due rows through ``sender``, then close it; returns what became of them."""
    claimed = _claim(outbox, write, now, batch, lease)
    sent = retried = failed = 0
    try:
        for item in claimed:
            try:
                sender.send(item.message)
            except PermanentFailure as exc:
                _record(outbox, write, item, MailStatus.FAILED, now, str(exc))
                failed += 1
            except TransientFailure as exc:
                if item.attempts >= max_attempts:
                    _record(outbox, write, item, MailStatus.FAILED, now, f"{exc} (tras {item.attempts} intentos)")
                    failed += 1
                else:
                    _record(outbox, write, item, MailStatus.PENDING, now + backoff(item.attempts), str(exc))
                    retried += 1
            else:
                _record(outbox, write, item, MailStatus.SENT, now, None)
                sent += 1
    finally:
        sender.close()
    return DeliveryReport(sent=sent, retried=retried, failed=failed)


def _claim(outbox: Outbox[R, M], write: Writer, now: datetime, limit: int, lease: timedelta) -> list[_Claimed[M]]:
    table: Any = outbox.table
    query = (select(table)
             .where(table.status == MailStatus.PENDING, table.next_attempt_at <= now)
             .order_by(table.next_attempt_at, table.id).limit(limit))
    with write() as session:
        if session.get_bind().dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True)
        claimed = []
        for row in session.scalars(query):
            row.attempts += 1
            row.next_attempt_at = now + lease
            claimed.append(_Claimed(outbox.message(row), row.attempts))
        return claimed


def _record(outbox: Outbox[R, M], write: Writer, item: _Claimed[M], status: MailStatus, when: datetime,
            error: str | None) -> None:
    table: Any = outbox.table
    outbox_id = item.message.outbox_id
    values: dict[str, object] = {"status": status, outbox.error_column: error[:2000] if error else None}
    if status == MailStatus.SENT:
        values["sent_at"] = when
    else:
        values["next_attempt_at"] = when
    with write() as session:
        # Only while the row is still ours (same attempt count): a lease that ran out belongs to another claimer.
        result = session.execute(update(table).where(
            table.id == outbox_id, table.status == MailStatus.PENDING,
            table.attempts == item.attempts).values(**values))
    if not getattr(result, "rowcount", 0):
        outbox.log.warning("%s %s: outcome %s not recorded, the row changed meanwhile", outbox.label, outbox_id,
                           status)
        return
    outbox.log.info("%s %s attempt %s: %s%s", outbox.label, outbox_id, item.attempts, status,
                    f" ({error})" if error else "", extra={"outbox_id": outbox_id, "mail_status": str(status)})
