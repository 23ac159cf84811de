"""People and roles. Lanes name roles; the requester's lane (``solicitante``) is the instance's initiator."""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import Boolean, ForeignKey, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from dbtypes import UTCDateTime
from engine.db import Base
from engine.errors import Conflict, FieldError, InvalidData

REQUESTER_ROLE = "solicitante"

STANDARD_ROLES: dict[str, str] = {
    "solicitante": "Solicitante",
    "coordinacion_administrativa": "Coordinación Administrativa",
    "direccion_tic": "Dirección TIC",
    "facturacion": "Facturación (capa 2)",
    "contabilidad": "Contabilidad",
    "cartera": "Cartera",
    "tesoreria": "Tesorería",
    "credito": "Crédito",
    "tic_nacer": "TIC Nacer (administración de permisos)",
    "disenador": "Diseñador de procesos",
    "supervisor": "Supervisor",
    "admin": "Administrador",
}


class Role(Base):
    __tablename__ = "role"

    code: Mapped[str] = mapped_column(String(60), primary_key=True)
    name: Mapped[str] = mapped_column(String(120))


class User(Base):
    __tablename__ = "app_user"

    username: Mapped[str] = mapped_column(String(100), primary_key=True)
    display_name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(200))
    password_hash: Mapped[str | None] = mapped_column(String(300))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    document_id: Mapped[str | None] = mapped_column(String(32), index=True)  # signs in by one-time code
    mobile: Mapped[str | None] = mapped_column(String(32))  # where that code is sent
    email_confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    data_consent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # "Acepto el tratamiento de datos"


class UserRole(Base):
    __tablename__ = "user_role"

    username: Mapped[str] = mapped_column(ForeignKey("app_user.username"), primary_key=True)
    role: Mapped[str] = mapped_column(ForeignKey("role.code"), primary_key=True)


def ensure_standard_roles(session: Session) -> None:
    existing = set(session.scalars(select(Role.code)))
    for code, name in STANDARD_ROLES.items():
        if code not in existing:
            session.add(Role(code=code, name=name))


def known_roles(session: Session) -> set[str]:
    return set(session.scalars(select(Role.code)))


def roles_of(session: Session, username: str) -> set[str]:
    return set(session.scalars(select(UserRole.role).where(UserRole.username == username)))



def ensure_user(
    session: Session, username: str, display_name: str, roles: list[str], now: datetime, email: str | None = None
) -> User:
    user = session.get(User, username)
    if user is None:
        user = User(username=username, display_name=display_name, email=email, active=True, created_at=now)
        session.add(user)
        session.flush()
    have = roles_of(session, username)
    for role in roles:
        if role not in have:
            session.add(UserRole(username=username, role=role))
    return user


@dataclass(frozen=True)
class UserSummary:
    username: str
    display_name: str
    email: str | None
    active: bool
    roles: tuple[str, ...]


def list_users(session: Session) -> list[UserSummary]:
    """Every user with their roles, by username (one query)."""
    rows = session.execute(select(User.username, User.display_name, User.email, User.active, UserRole.role)
                           .outerjoin(UserRole, UserRole.username == User.username)
                           .order_by(User.username, UserRole.role)).all()
    found: dict[str, UserSummary] = {}
    for row in rows:
        prior = found.get(row.username)
        roles = (prior.roles if prior else ()) + ((row.role,) if row.role else ())
        found[row.username] = UserSummary(row.username, row.display_name, row.email, row.active, roles)
    return list(found.values())


# --- Self-registration of external requesters (parents, sponsor companies) -----------------------------------

PASSWORD_MIN_LENGTH = 10
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_MOBILE = re.compile(r"^\+?[0-9]{7,15}$")
_DOCUMENT = re.compile(r"^[0-9A-Za-z\-]{4,20}$")


@dataclass(frozen=True)
class Registration:
    """What the Registrarse form sends, as typed (the password in clear: hashed by the caller, never stored)."""

    full_name: str
    email: str
    document_id: str
    mobile: str
    password: str = field(repr=False)
    password_confirmation: str = field(repr=False)
    accepts_data_policy: bool

    @property
    def username(self) -> str:
        return self.email.strip().lower()

    @property
    def document(self) -> str:
        return self.document_id.strip()

    @property
    def mobile_number(self) -> str:
        return re.sub(r"[\s\-()]", "", self.mobile)


def registration_errors(form: Registration) -> list[FieldError]:
    """Each field's problem in Spanish, in the form's order; empty when the form is fine."""
    errors: list[FieldError] = []
    name = " ".join(form.full_name.split())
    if len(name) < 3 or len(name) > 200:
        errors.append(FieldError("nombre", "Escribe tu nombre completo (entre 3 y 200 caracteres)."))
    email = form.username
    if not email:
        errors.append(FieldError("correo", "Escribe tu correo electrónico."))
    elif len(email) > 100 or not _EMAIL.match(email):
        errors.append(FieldError("correo", "Escribe un correo electrónico válido, por ejemplo nombre@dominio.com."))
    document = form.document
    if not _DOCUMENT.match(document):
        errors.append(FieldError("documento", "Escribe tu documento de identidad: de 4 a 20 letras o números."))
    mobile = form.mobile_number
    if not _MOBILE.match(mobile):
        errors.append(FieldError("celular", "Escribe un número de celular de 7 a 15 dígitos (puede empezar con +)."))
    if len(form.password) < PASSWORD_MIN_LENGTH:
        errors.append(FieldError("contrasena",
                                 f"La contraseña debe tener al menos {PASSWORD_MIN_LENGTH} caracteres."))
    elif email and form.password.strip().lower() == email:
        errors.append(FieldError("contrasena", "La contraseña no puede ser igual a tu correo."))
    if form.password_confirmation != form.password:
        errors.append(FieldError("confirmacion", "La confirmación no coincide con la contraseña."))
    if not form.accepts_data_policy:
        errors.append(FieldError("acepta_datos", "Debes aceptar el tratamiento de datos personales para registrarte."))
    return errors


def register_requester(session: Session, form: Registration, password_hash: str, now: datetime) -> User:
    """An inactive user with the requester's role, named by the e-mail; active once the e-mail is confirmed.
    InvalidData naming the field when the form is wrong or the e-mail is already registered."""
    errors = registration_errors(form)
    if errors:
        raise InvalidData(errors)
    if session.get(User, form.username) is not None:
        # Say only that the address cannot be used here: not whose it is nor whether it is confirmed.
        raise InvalidData([FieldError("correo", "Ya existe una cuenta con ese correo. Inicia sesión o, si no "
                                                "la has confirmado, pide que te enviemos el enlace de nuevo.")])
    user = User(username=form.username, display_name=" ".join(form.full_name.split()), email=form.username,
                password_hash=password_hash, active=False, created_at=now, document_id=form.document,
                mobile=form.mobile_number, data_consent_at=now)
    session.add(user)
    session.flush()
    session.add(UserRole(username=user.username, role=REQUESTER_ROLE))
    return user


def account_stamp(user: User) -> str:
    """Changes when the account does (activation, new password): a confirmation link bound to it works once."""
    raw = f"{user.username}|{user.active}|{user.password_hash}|{user.created_at.isoformat()}"
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()[:24]


def awaiting_confirmation(user: User | None) -> bool:
    """A self-registered account (one named by its own e-mail) whose link was never followed. Once confirmed it
    stays confirmed: an account an administrator deactivates cannot reactivate itself with a new link."""
    return (user is not None and not user.active and user.email_confirmed_at is None
            and user.email == user.username and "@" in user.username)


def confirm_requester(session: Session, username: str, stamp: str, now: datetime | None = None) -> User:
    """Activate the account the link was made for; the link works once (the stamp changes on activation)."""
    user = session.get(User, username, with_for_update=True)
    if user is None or not awaiting_confirmation(user) or not hmac.compare_digest(account_stamp(user), stamp):
        raise Conflict("Este enlace ya se usó o ya no es válido. Si tu cuenta aún no está activa, "
                       "pide un enlace nuevo desde «Iniciar sesión».")
    user.active = True
    user.email_confirmed_at = now or datetime.now(UTC)
    return user
