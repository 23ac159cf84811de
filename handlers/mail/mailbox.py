"""Reading the outbox: the development mailbox page and ``cauce mail status`` (plain frozen rows, no ORM)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from handlers.mail.models import MailStatus, OutboxEmail

STATUS_LABELS: dict[str, str] = {
    MailStatus.PENDING: "Pendiente",
    MailStatus.SENT: "Enviado",
    MailStatus.KEPT: "Guardado (sin SMTP)",
    MailStatus.FAILED: "Fallido",
}

KIND_LABELS: dict[str, str] = {
    "registration": "Confirmación de registro",
    "case_created": "Caso creado",
    "info_requested": "Se pide información",
    "case_closed": "Caso resuelto",
    "escalation": "Escalamiento",
}


@dataclass(frozen=True)
class MailSummary:
    id: int
    kind: str
    kind_label: str
    recipient: str
    subject: str
    status: str
    status_label: str
    created_at: datetime
    sent_at: datetime | None
    attempts: int


@dataclass(frozen=True)
class MailDetail:
    summary: MailSummary
    body: str
    recipient_user: str | None
    instance_ref: str | None
    next_attempt_at: datetime
    error: str | None

    @property
    def body_parts(self) -> tuple[tuple[str, bool], ...]:
        """The body as (text, is_link) pieces, so the page can make links clickable without trusting HTML."""
        pieces = _LINK.split(self.body)
        return tuple((piece, n % 2 == 1) for n, piece in enumerate(pieces) if piece)


_LINK = re.compile(r"(https?://[^\s<>\"']+)")


@dataclass(frozen=True)
class MailPage:
    items: tuple[MailSummary, ...]
    page: int
    pages: int
    total: int


def _summary(row: OutboxEmail) -> MailSummary:
    return MailSummary(row.id, row.kind, KIND_LABELS.get(row.kind, row.kind), row.recipient, row.subject, row.status,
                       STATUS_LABELS.get(row.status, row.status), row.created_at, row.sent_at, row.attempts)


def list_outbox(session: Session, page: int = 1, per_page: int = 50) -> MailPage:
    """Newest first."""
    total = session.scalar(select(func.count()).select_from(OutboxEmail)) or 0
    pages = max((total + per_page - 1) // per_page, 1)
    page = min(max(page, 1), pages)
    rows = session.scalars(select(OutboxEmail).order_by(OutboxEmail.created_at.desc(), OutboxEmail.id.desc())
                           .limit(per_page).offset((page - 1) * per_page))
    return MailPage(tuple(_summary(r) for r in rows), page, pages, total)


def read_mail(session: Session, mail_id: int) -> MailDetail | None:
    row = session.get(OutboxEmail, mail_id)
    if row is None:
        return None
    return MailDetail(_summary(row), row.body, row.recipient_user, row.instance_ref, row.next_attempt_at, row.error)


def outbox_counts(session: Session) -> dict[str, int]:
    rows = session.execute(select(OutboxEmail.status, func.count()).group_by(OutboxEmail.status)).all()
    found = {status: count for status, count in rows}
    return {status.value: int(found.get(status.value, 0)) for status in MailStatus}
