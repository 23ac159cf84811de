"""Notices: what a process tells a user or a role. An outbox; delivering them (email) is done elsewhere."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from handlers.errors import HandlerInputError
from handlers.ledger.models import Notice


def record_notice(
    session: Session,
    *,
    recipient: str,
    recipient_kind: Literal["user", "role"],
    subject: str,
    body: str,
    actor: str,
    now: datetime,
    instance_ref: str | None,
) -> Notice:
    if not recipient or not recipient.strip():
        raise HandlerInputError("El aviso necesita un destinatario.", field="recipient")
    if not isinstance(subject, str) or not subject.strip():
        raise HandlerInputError("El aviso necesita un asunto.", field="subject")
    if not isinstance(body, str):
        raise HandlerInputError("El cuerpo del aviso debe ser texto.", field="body")
    if recipient_kind not in ("user", "role"):
        raise ValueError(f"El tipo de destinatario debe ser «user» o «role», no «{recipient_kind}».")
    if now.tzinfo is None:
        raise ValueError("Se recibió una fecha y hora sin zona horaria; se requiere una hora UTC.")
    notice = Notice(
        recipient=recipient.strip(),
        recipient_kind=recipient_kind,
        subject=subject.strip(),
        body=body,
        instance_ref=instance_ref,
        actor=actor,
        created_at=now,
    )
    session.add(notice)
    session.flush()
    return notice


def notices_for(session: Session, recipient: str) -> Sequence[Notice]:
    return session.scalars(select(Notice).where(Notice.recipient == recipient).order_by(Notice.id)).all()


@dataclass(frozen=True)
class NoticeView:
    id: int
    subject: str
    body: str
    created_at: datetime
    instance_ref: str | None
    to_role: str | None  # set when the notice was addressed to one of the reader's roles

    @property
    def instance_id(self) -> int | None:
        """The instance a notice came from ("pro_maa_16#12" -> 12), for a link back to it."""
        if not self.instance_ref or "#" not in self.instance_ref:
            return None
        tail = self.instance_ref.rsplit("#", 1)[1]
        return int(tail) if tail.isdigit() else None


def notices_of_reader(session: Session, username: str, roles: set[str] | frozenset[str],
                      limit: int = 100) -> list[NoticeView]:
    """What a person should read: notices to them and to their roles, newest first."""
    wanted = (Notice.recipient_kind == "user") & (Notice.recipient == username)
    if roles:
        wanted = wanted | ((Notice.recipient_kind == "role") & Notice.recipient.in_(sorted(roles)))
    rows = session.scalars(select(Notice).where(wanted).order_by(Notice.id.desc()).limit(limit))
    return [NoticeView(n.id, n.subject, n.body, n.created_at, n.instance_ref,
                       n.recipient if n.recipient_kind == "role" else None) for n in rows]
