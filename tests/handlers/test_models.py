from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from handlers.errors import HandlerInputError
from handlers.ledger import LedgerBase
from handlers.ledger.accounts import create_campus
from handlers.ledger.models import Campus, Entry, Notice
from handlers.ledger.values import Audit, money, positive_money

from .conftest import NOW


def test_every_table_is_prefixed_and_constraints_are_named() -> None:
    assert LedgerBase.metadata.tables
    for name, table in LedgerBase.metadata.tables.items():
        assert name.startswith(("ledger_", "case_", "outbox_"))
        for constraint in table.constraints:
            assert constraint.name, f"{name}: unnamed {constraint!r}"
    pk = LedgerBase.metadata.tables["ledger_entry"].primary_key
    assert pk.name == "pk_ledger_entry"


def test_datetimes_come_back_aware_utc(session: Session) -> None:
    bogota = timezone(timedelta(hours=-5))
    local = datetime(2026, 3, 1, 8, 0, tzinfo=bogota)
    audit = Audit(actor="tester", at=local, reason="prueba")
    create_campus(session, code="CAL", name="Cali", audit=audit)
    session.commit()
    session.expire_all()
    campus = session.scalars(select(Campus).where(Campus.code == "CAL")).one()
    assert campus.recorded_at == datetime(2026, 3, 1, 13, 0, tzinfo=UTC)
    assert campus.recorded_at.tzinfo is UTC


def test_naive_datetime_is_refused(session: Session) -> None:
    session.add(
        Notice(
            recipient="x",
            recipient_kind="user",
            subject="s",
            body="b",
            instance_ref=None,
            actor="a",
            created_at=datetime(2026, 1, 1),  # naive
        )
    )
    with pytest.raises(Exception, match="sin zona horaria"):
        session.flush()


def test_money_is_exact_decimal_with_two_places() -> None:
    assert money("1752770") == Decimal("1752770.00")
    assert money(Decimal("0.005")) == Decimal("0.01")
    with pytest.raises(HandlerInputError) as err:
        money(1.5)  # type: ignore[arg-type]
    assert err.value.field == "amount"
    with pytest.raises(HandlerInputError):
        positive_money("0")
    with pytest.raises(HandlerInputError):
        money("doce")


def test_counter_entry_pointer_is_unique(session: Session, demo: object) -> None:
    original = session.scalars(select(Entry).where(Entry.reference == "PG-1003")).first()
    assert original is not None
    audit = Audit(actor="t", at=NOW, reason="r").columns()
    for _ in range(2):
        session.add(
            Entry(
                account_id=original.account_id,
                kind="counter_entry",
                entry_on=NOW.date(),
                amount=-original.amount,
                description="x",
                reverses_id=original.id,
                **audit,
            )
        )
    with pytest.raises(IntegrityError):
        session.flush()
    session.rollback()


def test_amounts_round_trip_exactly(session: Session, demo: object) -> None:
    amounts = session.scalars(select(Entry.amount).where(Entry.reference == "PG-1001")).all()
    assert sorted(amounts) == [Decimal("-1707770.00"), Decimal("-45000.00")]
    assert all(isinstance(a, Decimal) for a in amounts)
