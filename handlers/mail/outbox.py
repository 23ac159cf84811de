"""Queueing e-mail: a row in the step's own transaction, so a rolled-back step sends nothing."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from handlers.errors import HandlerInputError
from handlers.mail.models import MailStatus, OutboxEmail


def queue_email(session: Session, *, kind: str, to: str, subject: str, body: str, now: datetime,
                recipient_user: str | None = None, instance_ref: str | None = None) -> OutboxEmail:
    address = (to or "").strip()
    if "@" not in address or len(address) > 200 or any(c in address for c in "\r\n\0 "):
        raise HandlerInputError(f"La dirección de correo «{address}» no es válida.", field="email")
    if now.tzinfo is None:
        raise ValueError("Se recibió una fecha y hora sin zona horaria; se requiere una hora UTC.")
    email = OutboxEmail(kind=kind, recipient=address, recipient_user=recipient_user, subject=subject[:300],
                        body=body, status=MailStatus.PENDING, attempts=0, created_at=now, next_attempt_at=now,
                        instance_ref=instance_ref)
    session.add(email)
    session.flush()
    return email
