"""Sign-in by ID number and a one-time code sent by SMS ("Ingresar con código").

A code is six digits, valid 109 seconds, for three tries; only the newest code of a person counts. The table keeps
its HMAC under the app's secret key (the code space is too small for a plain hash). Limits: codes per person in a
window, code requests per client address (rows in the sign-in attempts table, as registration counts its own), and
wrong codes count as failed sign-ins of the address, so the password sign-in's throttle covers both.
Only requesters sign in this way: a staff account keeps its password (a text message is a weaker factor).
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.errors import Conflict, FieldError, InvalidData
from engine.identity import REQUESTER_ROLE, User, UserRole
from handlers.errors import HandlerInputError
from handlers.sms.outbox import queue_sms
from webui.models import LoginCode
from webui.registration import TooMany, Writer
from webui.security import close_session, marked_attempts, open_session, record_attempt, throttled

CODE_VALID_FOR = timedelta(seconds=109)
CODE_DIGITS = 6
MAX_TRIES = 3  # wrong codes before the code is void
CODES_WINDOW = timedelta(minutes=15)
CODES_MAX = 3  # codes sent to one person in the window
ADDRESS_WINDOW = timedelta(minutes=15)
ADDRESS_MAX = 10  # code requests from one client address in the window (a campus NAT shares one)
SMS_KIND = "login_code"
# Marks in the sign-in attempts table: requests (counted as successes, so they never lock a password sign-in)
# and wrong codes (failures of "codigo:<username>", so the address's failure budget is shared with passwords).
_REQUEST_MARK = "codigo-solicitud:"
_CODE_MARK = "codigo:"
_DOCUMENT = re.compile(r"^[0-9A-Za-z\-]{4,20}$")
_CODE = re.compile(rf"^[0-9]{{{CODE_DIGITS}}}$")

NOT_FOUND = ("No encontramos un afiliado activo con esa cédula. Verifique el número o ingrese con su usuario y "
             "contraseña.")
NO_MOBILE = ("No tenemos un celular registrado para esa cédula. Actualice sus datos con Servicios Financieros o "
             "ingrese con su usuario y contraseña.")
AMBIGUOUS = "Esa cédula corresponde a más de una cuenta: ingrese con su usuario y contraseña."
NO_CODE = "El código venció, ya se usó o se agotaron sus intentos. Pida un código nuevo."


@dataclass(frozen=True)
class CodeSent:
    """What the "Validación en proceso" page shows."""

    document: str
    masked_mobile: str  # "****434"
    expires_at: datetime
    seconds_left: int


@dataclass(frozen=True)
class SignedIn:
    username: str
    session_token: str


def clean_document(raw: str) -> str:
    """The cédula as typed, without spaces or thousands dots; InvalidData on the field otherwise."""
    document = re.sub(r"[\s.]", "", raw or "")
    if not _DOCUMENT.match(document):
        raise InvalidData([FieldError("cedula", "Escriba el número de cédula: de 4 a 20 dígitos, sin puntos.")])
    return document


def mask_mobile(mobile: str) -> str:
    digits = re.sub(r"\D", "", mobile)
    return f"****{digits[-3:]}"


def request_code(write: Writer, raw_document: str, address: str, now: datetime, secret_key: str) -> CodeSent:
    """Send a new code to the mobile of the requester with this cédula. The request is counted first, in a
    transaction of its own, so probing for registered cédulas is limited like asking for codes."""
    document = clean_document(raw_document)
    with write() as session:
        if marked_attempts(session, _REQUEST_MARK, address, now - ADDRESS_WINDOW) >= ADDRESS_MAX:
            raise TooMany("Demasiadas solicitudes de código desde esta conexión. Espere unos minutos.")
        record_attempt(session, f"{_REQUEST_MARK}{document}", address, True, now)
    with write() as session:
        user = _requester(session, document, lock=True)
        if not user.mobile:
            raise InvalidData([FieldError("cedula", NO_MOBILE)])
        recent = session.scalar(select(func.count()).select_from(LoginCode).where(
            LoginCode.username == user.username, LoginCode.created_at >= now - CODES_WINDOW))
        if (recent or 0) >= CODES_MAX:
            raise TooMany(f"Ya le enviamos {CODES_MAX} códigos en los últimos {CODES_WINDOW.seconds // 60} minutos. "
                          "Espere unos minutos antes de pedir otro.")
        code = f"{secrets.randbelow(10 ** CODE_DIGITS):0{CODE_DIGITS}d}"
        expires = now + CODE_VALID_FOR
        session.add(LoginCode(username=user.username, code_hash=_code_hash(secret_key, user.username, code),
                              created_at=now, expires_at=expires, attempts=0, used_at=None, address=address[:64]))
        seconds = int(CODE_VALID_FOR.total_seconds())
        try:
            queue_sms(session, user.mobile, f"Su código de acceso a cauce es {code}. Vence en {seconds} segundos.",
                      SMS_KIND, now)
        except HandlerInputError as exc:  # a mobile typed before numbers were checked: as good as none
            raise InvalidData([FieldError("cedula", NO_MOBILE)]) from exc
        return CodeSent(document, mask_mobile(user.mobile), expires, seconds)


def pending_code(session: Session, raw_document: str, now: datetime) -> CodeSent | None:
    """The live code of this cédula's requester, to show the validation page again (None when there is none)."""
    try:
        document = clean_document(raw_document)
        user = _requester(session, document, lock=False)
    except InvalidData:
        return None
    live = _newest_code(session, user.username, lock=False)
    if live is None or not _usable(live, now) or not user.mobile:
        return None
    return CodeSent(document, mask_mobile(user.mobile), live.expires_at,
                    max(int((live.expires_at - now).total_seconds()), 0))


def verify_code(write: Writer, raw_document: str, raw_code: str, address: str, now: datetime, secret_key: str,
                previous_session: str | None = None) -> SignedIn:
    """Sign in with the newest code sent to this cédula's requester: the code is spent and a server-side session
    opened in one transaction. A wrong code is counted (and its refusal raised) after its own commit."""
    document = clean_document(raw_document)
    code = re.sub(r"\s", "", raw_code or "")
    if not _CODE.match(code):
        raise InvalidData([FieldError("codigo", f"Escriba el código de {CODE_DIGITS} dígitos que le enviamos.")])
    refusal: Exception | None = None
    with write() as session:
        user = _requester(session, document, lock=False)
        if throttled(session, f"{_CODE_MARK}{user.username}", address, now):
            raise TooMany("Demasiados intentos fallidos. Espere unos minutos e intente de nuevo.")
        live = _newest_code(session, user.username, lock=True)
        if live is None or not _usable(live, now):
            raise Conflict(NO_CODE)
        if not hmac.compare_digest(live.code_hash, _code_hash(secret_key, user.username, code)):
            live.attempts += 1
            record_attempt(session, f"{_CODE_MARK}{user.username}", address, False, now)
            left = MAX_TRIES - live.attempts
            message = (f"El código no es correcto. Le queda{'n' if left > 1 else ''} {left} "
                       f"intento{'s' if left > 1 else ''}." if left > 0
                       else "El código no es correcto y se agotaron los intentos. Pida un código nuevo.")
            refusal = InvalidData([FieldError("codigo", message)])
        else:
            live.used_at = now
            record_attempt(session, user.username, address, True, now)
            token, _ = open_session(session, user.username, now)
            if previous_session:
                close_session(session, previous_session)  # whoever was signed in on this browser is signed out
            return SignedIn(user.username, token)
    assert refusal is not None
    raise refusal


def _requester(session: Session, document: str, lock: bool) -> User:
    """The one active requester-only account with this cédula; InvalidData on the field otherwise."""
    query = select(User).where(User.document_id == document, User.active.is_(True)).order_by(User.username)
    if lock:  # serializes a person's code requests, so the per-person limit holds under parallel requests
        query = query.with_for_update()
    users = list(session.scalars(query))
    if not users:
        raise InvalidData([FieldError("cedula", NOT_FOUND)])
    roles = {(r.username, r.role) for r in session.execute(
        select(UserRole.username, UserRole.role).where(UserRole.username.in_([u.username for u in users])))}
    requesters = [u for u in users
                  if (u.username, REQUESTER_ROLE) in roles and all(role == REQUESTER_ROLE
                                                                   for name, role in roles if name == u.username)]
    if not requesters:
        raise InvalidData([FieldError("cedula", NOT_FOUND)])
    if len(requesters) > 1:
        raise InvalidData([FieldError("cedula", AMBIGUOUS)])
    return requesters[0]


def _newest_code(session: Session, username: str, lock: bool) -> LoginCode | None:
    query = (select(LoginCode).where(LoginCode.username == username)
             .order_by(LoginCode.created_at.desc(), LoginCode.id.desc()).limit(1))
    if lock:  # two browsers posting the right code at once: one signs in, the other finds it spent
        query = query.with_for_update()
    return session.scalars(query).first()


def _usable(code: LoginCode, now: datetime) -> bool:
    return code.used_at is None and code.attempts < MAX_TRIES and now < code.expires_at


def _code_hash(secret_key: str, username: str, code: str) -> str:
    message = f"login-code|{username}|{code}".encode()
    return hmac.new(secret_key.encode("utf-8"), message, hashlib.sha256).hexdigest()
