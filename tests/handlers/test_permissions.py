from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from handlers.errors import HandlerInputError
from handlers.ledger import annulment_permission_of, grant_annulment_permission, revoke_annulment_permission
from handlers.ledger.kinds import PermissionUnit
from handlers.ledger.models import PermissionEvent

from .conftest import NOW


def test_grant_then_revoke_is_two_events(session: Session) -> None:
    assert annulment_permission_of(session, "ana") is None
    granted = grant_annulment_permission(
        session, "ana", unit="facturacion", errors_allowed=False, actor="nacer.admin", now=NOW, reason="capa 2"
    )
    assert granted.unit is PermissionUnit.BILLING
    assert granted.errors_allowed is False
    assert granted.granted_by == "nacer.admin"
    assert granted.granted_at == NOW
    revoke_annulment_permission(
        session, "ana", actor="nacer.admin", now=NOW + timedelta(hours=1), reason="cambio de cargo"
    )
    assert annulment_permission_of(session, "ana") is None
    kinds = session.scalars(select(PermissionEvent.kind).order_by(PermissionEvent.id)).all()
    assert kinds == ["grant", "revoke"]


def test_latest_grant_wins(session: Session) -> None:
    grant_annulment_permission(
        session, "ana", unit="facturacion", errors_allowed=False, actor="a", now=NOW, reason="r1"
    )
    grant_annulment_permission(
        session, "ana", unit="coordinacion_administrativa", errors_allowed=True, actor="b", now=NOW, reason="r2"
    )
    permission = annulment_permission_of(session, "ana")
    assert permission is not None
    assert (permission.unit, permission.errors_allowed, permission.granted_by, permission.reason) == (
        PermissionUnit.ADMINISTRATIVE_COORDINATION,
        True,
        "b",
        "r2",
    )


def test_unknown_unit_is_refused(session: Session) -> None:
    with pytest.raises(HandlerInputError) as err:
        grant_annulment_permission(session, "ana", unit="cartera", errors_allowed=True, actor="a", now=NOW, reason="r")
    assert err.value.field == "unit"
    assert session.scalar(select(func.count(PermissionEvent.id))) == 0


def test_revoking_nothing_is_refused(session: Session) -> None:
    with pytest.raises(HandlerInputError) as err:
        revoke_annulment_permission(session, "nadie", actor="a", now=NOW, reason="r")
    assert err.value.field == "username"


def test_reason_and_actor_are_required(session: Session) -> None:
    with pytest.raises(HandlerInputError) as err:
        grant_annulment_permission(
            session, "ana", unit="facturacion", errors_allowed=True, actor="a", now=NOW, reason=" "
        )
    assert err.value.field == "reason"


def test_demo_grants(session: Session, demo: object) -> None:
    coord = annulment_permission_of(session, "coord.bogota")
    billing = annulment_permission_of(session, "fact.luis")
    assert coord is not None and coord.unit is PermissionUnit.ADMINISTRATIVE_COORDINATION and coord.errors_allowed
    assert billing is not None and billing.unit is PermissionUnit.BILLING and billing.errors_allowed
    assert coord.granted_by == "nacer.admin"
    assert annulment_permission_of(session, "coord.medellin") is None
