"""Passwords, server-side sessions, CSRF tokens and sign-in throttling."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select, text, update
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from engine.identity import User, UserRole
from webui.models import LoginAttempt, WebSession

SESSION_LIFETIME = timedelta(hours=8)  # idle time after which a session ends
SESSION_MAX_AGE = timedelta(hours=24)  # a session ends this long after sign-in, however busy
TOUCH_EVERY = timedelta(minutes=5)
THROTTLE_WINDOW = timedelta(minutes=15)
THROTTLE_MAX_FAILURES = 5  # per username: guessing one account's password
THROTTLE_MAX_ADDRESS_FAILURES = 30  # per address: spraying many accounts (a campus NAT shares one address)
# Compared against when the user does not exist, so a wrong username costs the same time as a wrong password.
_DUMMY_HASH = generate_password_hash("cauce-dummy-password", method="scrypt")


@dataclass(frozen=True)
class CurrentUser:
    username: str
    display_name: str
    roles: frozenset[str]
    csrf_token: str = ""

    def has_any(self, *roles: str) -> bool:
        return bool(self.roles & set(roles))

    @property
    def is_staff(self) -> bool:
        """Holds a role besides the requester's: may read technical details such as incident errors."""
        return bool(self.roles - {"solicitante"})


def hash_password(password: str) -> str:
    return generate_password_hash(password, method="scrypt")


def digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def check_credentials(session: Session, username: str, password: str) -> bool:
    user = session.get(User, username)
    stored = user.password_hash if user is not None and user.active and user.password_hash else None
    ok = check_password_hash(stored or _DUMMY_HASH, password)
    return bool(ok and stored)


def throttled(session: Session, username: str, address: str, now: datetime) -> bool:
    if session.get_bind().dialect.name == "postgresql":
        # Count and record one attempt at a time per user and per address, or a burst of parallel guesses
        # would all be counted before any was recorded. (SQLite's BEGIN IMMEDIATE already serializes them.)
        for key in (f"login:user:{username}", f"login:address:{address}"):
            session.execute(text("SELECT pg_advisory_xact_lock(hashtext(:key))"), {"key": key})
    since = now - THROTTLE_WINDOW
    by_user, by_address = session.execute(select(
        func.count().filter(LoginAttempt.username == username),
        func.count().filter(LoginAttempt.address == address),
    ).where(LoginAttempt.at >= since, LoginAttempt.success.is_(False),
            (LoginAttempt.username == username) | (LoginAttempt.address == address))).one()
    return by_user >= THROTTLE_MAX_FAILURES or by_address >= THROTTLE_MAX_ADDRESS_FAILURES


def marked_attempts(session: Session, mark: str, address: str, since: datetime) -> int:
    """Rows of the attempts table whose name starts with ``mark`` that ``address`` left since ``since``: the
    per-address limits of registration, sign-in codes and the fee-slip look-up, each with its own mark."""
    return session.scalar(select(func.count()).select_from(LoginAttempt).where(
        LoginAttempt.address == address[:64], LoginAttempt.at >= since,
        LoginAttempt.username.startswith(mark, autoescape=True))) or 0


def record_attempt(session: Session, username: str, address: str, success: bool, now: datetime) -> None:
    session.add(LoginAttempt(username=username[:100], address=address[:64], at=now, success=success))


def open_session(session: Session, username: str, now: datetime) -> tuple[str, str]:
    """A new session for ``username``; returns (cookie token, CSRF token)."""
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    session.add(WebSession(token_hash=digest(token), username=username, csrf_token=csrf, created_at=now,
                           last_seen_at=now, expires_at=now + SESSION_LIFETIME))
    return token, csrf


def load_user(session: Session, token: str, now: datetime) -> CurrentUser | None:
    """The signed-in user behind a session cookie (one query), or None when absent or expired."""
    rows = session.execute(
        select(WebSession.username, WebSession.csrf_token, WebSession.last_seen_at, User.display_name, UserRole.role)
        .join(User, User.username == WebSession.username)
        .outerjoin(UserRole, UserRole.username == User.username)
        .where(WebSession.token_hash == digest(token), WebSession.expires_at > now,
               WebSession.created_at > now - SESSION_MAX_AGE, User.active.is_(True))
    ).all()
    if not rows:
        return None
    first = rows[0]
    if now - first.last_seen_at > TOUCH_EVERY:
        session.execute(update(WebSession).where(WebSession.token_hash == digest(token))
                        .values(last_seen_at=now, expires_at=now + SESSION_LIFETIME))
        session.commit()
    return CurrentUser(first.username, first.display_name, frozenset(r.role for r in rows if r.role),
                       first.csrf_token)


def close_session(session: Session, token: str) -> None:
    session.execute(delete(WebSession).where(WebSession.token_hash == digest(token)))
