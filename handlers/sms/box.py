"""Reading the SMS outbox for the Buzón de SMS page (plain frozen rows, no ORM)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from handlers.mail.mailbox import STATUS_LABELS
from handlers.sms.models import OutboxSms

KIND_LABELS: dict[str, str] = {
    "login_code": "Código de acceso",
}
SMS_STATUS_LABELS = {**STATUS_LABELS, "kept": "Guardado (sin pasarela de SMS)"}


@dataclass(frozen=True)
class SmsRow:
    id: int
    to: str
    body: str
    kind_label: str
    status: str
    status_label: str
    created_at: datetime
    sent_at: datetime | None
    attempts: int
    last_error: str | None


@dataclass(frozen=True)
class SmsPage:
    items: tuple[SmsRow, ...]
    page: int
    pages: int
    total: int


def list_sms(session: Session, page: int = 1, per_page: int = 50) -> SmsPage:
    """Newest first."""
    total = session.scalar(select(func.count()).select_from(OutboxSms)) or 0
    pages = max((total + per_page - 1) // per_page, 1)
    page = min(max(page, 1), pages)
    rows = session.scalars(select(OutboxSms).order_by(OutboxSms.created_at.desc(), OutboxSms.id.desc())
                           .limit(per_page).offset((page - 1) * per_page))
    return SmsPage(tuple(SmsRow(r.id, r.to, r.body, KIND_LABELS.get(r.kind, r.kind), r.status,
                                SMS_STATUS_LABELS.get(r.status, r.status), r.created_at, r.sent_at, r.attempts,
                                r.last_error) for r in rows), page, pages, total)
