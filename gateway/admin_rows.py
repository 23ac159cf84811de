"""The admin page's list: each notification with its transaction, as frozen rows for the template."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from gateway.models import Notification, Transaction


@dataclass(frozen=True)
class NotificationRow:
    notification_id: str
    reference: str
    number: int
    result: str
    amount: Decimal
    status: str
    attempts: int
    last_error: str
    next_attempt_at: datetime | None
    delivered_at: datetime | None
    created_at: datetime


def notification_rows(session: Session, limit: int) -> list[NotificationRow]:
    """The newest ``limit`` notifications first."""
    rows = session.execute(
        select(Notification, Transaction).join(Transaction, Notification.transaction_id == Transaction.id)
        .order_by(Notification.id.desc()).limit(limit)).all()
    return [NotificationRow(
        notification_id=n.notification_id, reference=t.reference, number=t.id, result=t.status, amount=t.amount,
        status=n.status, attempts=n.attempts, last_error=n.last_error, next_attempt_at=n.next_attempt_at,
        delivered_at=n.delivered_at, created_at=n.created_at) for n, t in rows]
