"""Who may annul payments: TIC Nacer grants and revokes the permission; the latest event wins."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from handlers.errors import HandlerInputError
from handlers.ledger.kinds import PermissionEventKind, PermissionUnit
from handlers.ledger.models import PermissionEvent
from handlers.ledger.values import Audit


@dataclass(frozen=True)
class AnnulmentPermission:
    """A standing permission to annul payments."""

    username: str
    unit: PermissionUnit
    errors_allowed: bool  # may annul erroneous transactions
    granted_by: str
    granted_at: datetime
    reason: str


def _latest(session: Session, username: str) -> PermissionEvent | None:
    return session.scalars(
        select(PermissionEvent)
        .where(PermissionEvent.username == username)
        .order_by(PermissionEvent.id.desc())
        .limit(1)
    ).first()


def annulment_permission_of(session: Session, username: str) -> AnnulmentPermission | None:
    """The user's active permission, or None when never granted or revoked since."""
    event = _latest(session, username)
    if event is None or event.kind != PermissionEventKind.GRANT or event.unit is None:
        return None
    return AnnulmentPermission(
        username=event.username,
        unit=PermissionUnit(event.unit),
        errors_allowed=event.errors_allowed,
        granted_by=event.actor,
        granted_at=event.recorded_at,
        reason=event.reason,
    )


def _check_username(username: str) -> str:
    if not isinstance(username, str) or not username.strip():
        raise HandlerInputError("El nombre de usuario es obligatorio.", field="username")
    return username.strip()


def grant_annulment_permission(
    session: Session,
    username: str,
    *,
    unit: str,
    errors_allowed: bool,
    actor: str,
    now: datetime,
    reason: str,
    instance_ref: str | None = None,
) -> AnnulmentPermission:
    """Grant (or change) the user's permission to annul payments for ``unit``."""
    user = _check_username(username)
    try:
        kind = PermissionUnit(unit)
    except ValueError as exc:
        allowed = ", ".join(u.value for u in PermissionUnit)
        raise HandlerInputError(
            f"No existe la unidad «{unit}» (los valores posibles son: {allowed}).", field="unit"
        ) from exc
    audit = Audit(actor=actor, at=now, reason=reason, instance_ref=instance_ref)
    session.add(
        PermissionEvent(
            username=user,
            kind=PermissionEventKind.GRANT,
            unit=kind,
            errors_allowed=bool(errors_allowed),
            **audit.columns(),
        )
    )
    session.flush()
    granted = annulment_permission_of(session, user)
    assert granted is not None
    return granted


def revoke_annulment_permission(
    session: Session,
    username: str,
    *,
    actor: str,
    now: datetime,
    reason: str,
    instance_ref: str | None = None,
) -> None:
    """Revoke the user's permission; refused when the user holds none."""
    user = _check_username(username)
    if annulment_permission_of(session, user) is None:
        raise HandlerInputError(f"El usuario «{user}» no tiene permiso para anular pagos.", field="username")
    audit = Audit(actor=actor, at=now, reason=reason, instance_ref=instance_ref)
    session.add(
        PermissionEvent(
            username=user, kind=PermissionEventKind.REVOKE, unit=None, errors_allowed=False, **audit.columns()
        )
    )
    session.flush()


@dataclass(frozen=True)
class PermissionChange:
    """One grant or revocation: who changed whose permission, when and why."""

    id: int
    username: str
    kind: PermissionEventKind
    unit: PermissionUnit | None
    errors_allowed: bool
    actor: str
    at: datetime
    reason: str


def permission_history(session: Session, limit: int = 100) -> list[PermissionChange]:
    """The latest grants and revocations, newest first."""
    events = session.scalars(select(PermissionEvent).order_by(PermissionEvent.id.desc()).limit(limit))
    return [PermissionChange(e.id, e.username, PermissionEventKind(e.kind), PermissionUnit(e.unit) if e.unit else None,
                             e.errors_allowed, e.actor, e.recorded_at, e.reason) for e in events]
