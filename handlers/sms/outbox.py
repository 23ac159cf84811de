"""Queueing a text message: a row in the caller's transaction, so a rolled-back step sends nothing."""

from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy.orm import Session

from handlers.errors import HandlerInputError
from handlers.mail.models import MailStatus
from handlers.sms.models import OutboxSms

MAX_BODY = 480  # three SMS segments; longer texts belong in an e-mail
COUNTRY_PREFIX = "+57"  # a bare ten-digit mobile starting with 3 is Colombian
_SEPARATORS = re.compile(r"[\s\-().]")
_NUMBER = re.compile(r"^\+?[0-9]{7,15}$")


def normalize_number(raw: str) -> str:
    """E.164-ish: "+573001230434" from "300 123 0434"; other lengths are kept as typed, without separators.
    HandlerInputError when it cannot be a phone number."""
    number = _SEPARATORS.sub("", raw or "")
    if not _NUMBER.match(number):
        raise HandlerInputError(f"El número de celular «{(raw or '')[:40]}» no es válido.", field="to")
    if not number.startswith("+") and len(number) == 10 and number.startswith("3"):
        return COUNTRY_PREFIX + number
    return number


def queue_sms(session: Session, to: str, body: str, kind: str, now: datetime) -> OutboxSms:
    if now.tzinfo is None:
        raise ValueError("Se recibió una fecha y hora sin zona horaria; se requiere una hora UTC.")
    text = (body or "").strip()
    if not text or len(text) > MAX_BODY:
        raise HandlerInputError(f"El mensaje debe tener entre 1 y {MAX_BODY} caracteres.", field="body")
    sms = OutboxSms(to=normalize_number(to), body=text, kind=kind[:32], status=MailStatus.PENDING, attempts=0,
                    created_at=now, next_attempt_at=now)
    session.add(sms)
    session.flush()
    return sms
