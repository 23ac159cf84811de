"""Notices: what a process tells a user or a role. An outbox; delivering them (email) is done elsewhere."""

from __future__ import annotations

from collections.abc import Sequence
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
