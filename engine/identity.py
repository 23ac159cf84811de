"""People and roles. Lanes name roles; the requester's lane (``solicitante``) is the instance's initiator."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from dbtypes import UTCDateTime
from engine.db import Base

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
