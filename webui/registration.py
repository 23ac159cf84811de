"""Self-registration for external requesters: the account, the signed confirmation link e-mailed through the
outbox, confirming it, sending it again, and the limits that keep the form from being used to flood inboxes."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime, timedelta

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash

from engine.errors import CauceError, Conflict, FieldError, InvalidData
from engine.identity import (
    Registration,
    User,
    account_stamp,
    awaiting_confirmation,
    confirm_requester,
    register_requester,
    registration_errors,
)
from handlers.mail.models import OutboxEmail
from handlers.mail.outbox import queue_email
from webui.security import hash_password, marked_attempts, record_attempt

LINK_VALID_FOR = timedelta(hours=48)
KIND = "registration"
_SALT = "cauce-registration"
# Per address (a campus NAT shares one): registrations tried, and requests for a new link, in the window.
ADDRESS_WINDOW = timedelta(hours=1)
ADDRESS_MAX = 10
# Per e-mail: confirmation links sent in the window (the first one included).
RESEND_WINDOW = timedelta(minutes=15)
RESEND_MAX = 3
# Rows in the sign-in attempts table mark these actions; recorded as successes so they never lock anyone's sign-in.
_REGISTER_MARK = "registro:"
_RESEND_MARK = "reenvio:"

LinkFor = Callable[[str], str]  # token -> absolute URL of the confirmation page
Writer = Callable[[], AbstractContextManager[Session]]


class TooMany(CauceError):
    status = 429


@dataclass(frozen=True)
class Registered:
    username: str
    email: str


def _serializer(secret_key: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key, salt=_SALT)


def make_token(secret_key: str, user: User) -> str:
    return _serializer(secret_key).dumps({"u": user.username, "s": account_stamp(user)})


def register(write: Writer, form: Registration, address: str, now: datetime, secret_key: str,
             link_for: LinkFor) -> Registered:
    """Create the inactive account and queue its confirmation e-mail (one transaction). The attempt is counted
    in a transaction of its own first, so probing for registered addresses is limited like registering."""
    errors = registration_errors(form)
    if errors:
        raise InvalidData(errors)
    with write() as session:
        _limit_address(session, _REGISTER_MARK, address, now,
                       "Demasiados registros desde esta conexión. Espera un rato e intenta de nuevo.")
        record_attempt(session, f"{_REGISTER_MARK}{form.username}", address, True, now)
    with write() as session:
        user = register_requester(session, form, hash_password(form.password), now)
        _send_link(session, user, now, secret_key, link_for)
        return Registered(user.username, form.username)


def resend(session: Session, email: str, address: str, now: datetime, secret_key: str, link_for: LinkFor) -> None:
    """A new link for an account still waiting for confirmation. Says nothing about whether there is one."""
    wanted = email.strip().lower()
    if "@" not in wanted or len(wanted) > 100:
        raise InvalidData([FieldError("correo", "Escribe el correo con el que te registraste.")])
    _limit_address(session, _RESEND_MARK, address, now,
                   "Demasiadas solicitudes desde esta conexión. Espera un rato e intenta de nuevo.")
    record_attempt(session, f"{_RESEND_MARK}{wanted}", address, True, now)
    user = session.get(User, wanted)
    if not awaiting_confirmation(user):
        return
    assert user is not None
    recent = session.scalar(select(func.count()).select_from(OutboxEmail).where(
        OutboxEmail.kind == KIND, OutboxEmail.recipient == wanted, OutboxEmail.created_at >= now - RESEND_WINDOW))
    if (recent or 0) >= RESEND_MAX:
        raise TooMany("Ya te enviamos varios enlaces hace poco. Revisa tu correo (también la carpeta de spam) "
                      "o espera unos minutos.")
    _send_link(session, user, now, secret_key, link_for)


def confirm(session: Session, token: str, secret_key: str) -> str:
    """Activate the account the link names; returns its username."""
    try:
        payload = _serializer(secret_key).loads(token, max_age=int(LINK_VALID_FOR.total_seconds()))
    except SignatureExpired as exc:
        raise Conflict("El enlace venció (dura 48 horas). Pide uno nuevo desde «Iniciar sesión».") from exc
    except BadSignature as exc:
        raise InvalidData([FieldError("enlace", "El enlace no es válido: cópialo completo desde el correo.")],
                          "El enlace no es válido.") from exc
    if not isinstance(payload, dict) or not isinstance(payload.get("u"), str) or not isinstance(payload.get("s"), str):
        raise InvalidData([FieldError("enlace", "El enlace no es válido.")], "El enlace no es válido.")
    return confirm_requester(session, payload["u"], payload["s"]).username


def awaiting_sign_in(session: Session, username: str, password: str) -> bool:
    """The right password for an account still waiting for its e-mail confirmation (to say so at sign-in; a
    wrong password learns nothing about the account)."""
    user = session.get(User, username.strip().lower())
    return bool(awaiting_confirmation(user) and user is not None and user.password_hash
                and check_password_hash(user.password_hash, password))


def _limit_address(session: Session, mark: str, address: str, now: datetime, message: str) -> None:
    if marked_attempts(session, mark, address, now - ADDRESS_WINDOW) >= ADDRESS_MAX:
        raise TooMany(message)


def _send_link(session: Session, user: User, now: datetime, secret_key: str, link_for: LinkFor) -> None:
    link = link_for(make_token(secret_key, user))
    body = (f"Hola, {user.display_name}:\n\n"
            "Recibimos tu registro en Servicios Financieros. Para activar tu cuenta, abre este enlace "
            "(vence en 48 horas y sirve una sola vez):\n\n"
            f"{link}\n\n"
            f"Después inicia sesión con tu correo ({user.username}) y la contraseña que elegiste.\n\n"
            "Si no fuiste tú, ignora este mensaje: la cuenta no se activará.\n\n"
            "Servicios Financieros\n")
    queue_email(session, kind=KIND, to=user.username, subject="Confirma tu correo · Servicios Financieros",
                body=body, now=now, recipient_user=user.username)
