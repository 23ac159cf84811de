"""Per-user API tokens: random 32-byte urlsafe strings, shown once; only their SHA-256 is stored."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import bindparam, select, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from engine.errors import FieldError, Forbidden, InvalidData, NotFound
from engine.identity import User, UserRole
from webui.converters import MAX_ID
from webui.models import ApiToken
from webui.security import CurrentUser, digest

TOUCH_EVERY = timedelta(minutes=1)
MAX_NAME = 100

# Built once: the token lookup runs on every API request (see webui/security.py for the same idea).
_SELECT_BY_HASH = (
    select(ApiToken.id, ApiToken.username, ApiToken.last_used_at, User.display_name, UserRole.role)
    .join(User, User.username == ApiToken.username)
    .outerjoin(UserRole, UserRole.username == User.username)
    .where(ApiToken.token_hash == bindparam("token_hash"), ApiToken.revoked_at.is_(None), User.active.is_(True))
)


@dataclass(frozen=True)
class TokenView:
    """A token as its owner sees it on "Mi cuenta": never the token itself."""

    id: int
    name: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None

    @property
    def active(self) -> bool:
        return self.revoked_at is None


def _clean_name(name: str | None) -> str:
    value = (name or "").strip()
    if not value:
        raise InvalidData([FieldError("name", "Este campo es obligatorio.")], "El token necesita un nombre.")
    if len(value) > MAX_NAME:
        raise InvalidData([FieldError("name", f"Debe tener como máximo {MAX_NAME} caracteres.")],
                          "El nombre del token es demasiado largo.")
    return value


def create_token(session: Session, username: str, name: str | None, now: datetime) -> str:
    """A new token for an active user; the caller shows it once (it cannot be read back)."""
    clean = _clean_name(name)
    owner = session.get(User, username)
    if owner is None or not owner.active:
        raise Forbidden(f"El usuario «{username}» no existe o está inactivo.")
    token = secrets.token_urlsafe(32)
    session.add(ApiToken(username=username, token_hash=digest(token), name=clean, created_at=now,
                         last_used_at=None, revoked_at=None))
    session.flush()
    return token


def revoke_token(session: Session, username: str, token_id: int, now: datetime) -> TokenView:
    """Revoke one of ``username``'s tokens (revoking twice changes nothing); others' tokens are not found."""
    found = session.get(ApiToken, token_id) if 0 < token_id <= MAX_ID else None
    if found is None or found.username != username:
        raise NotFound(f"No existe el token {token_id}.")
    if found.revoked_at is None:
        found.revoked_at = now
        session.flush()
    return _view(found)


def list_tokens(session: Session, username: str) -> list[TokenView]:
    rows = session.scalars(select(ApiToken).where(ApiToken.username == username)
                           .order_by(ApiToken.revoked_at.is_not(None), ApiToken.created_at.desc(),
                                     ApiToken.id.desc()))
    return [_view(row) for row in rows]


def user_for_token(session: Session, token: str, now: datetime) -> CurrentUser | None:
    """The active user behind a token that is not revoked (one query), or None.

    ``last_used_at`` is written at most once a minute, so a busy script does not turn every read into a write.
    """
    if not token or len(token) > 200:
        return None
    rows = session.execute(_SELECT_BY_HASH, {"token_hash": digest(token)}).all()
    if not rows:
        return None
    first = rows[0]
    if first.last_used_at is None or now - first.last_used_at >= TOUCH_EVERY:
        _touch(session, first.id, now)
    return CurrentUser(first.username, first.display_name, frozenset(r.role for r in rows if r.role))


def _touch(session: Session, token_id: int, now: datetime) -> None:
    try:
        session.execute(update(ApiToken).where(ApiToken.id == token_id).values(last_used_at=now))
        session.commit()
    except OperationalError:  # "last used" is advisory: a busy database must not refuse the request
        session.rollback()


def _view(row: ApiToken) -> TokenView:
    return TokenView(row.id, row.name, row.created_at, row.last_used_at, row.revoked_at)
