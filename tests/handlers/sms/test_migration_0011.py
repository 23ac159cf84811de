"""Migration 0011: users active before it count as having confirmed their e-mail (they signed in already, or staff
made them); a self-registered account still waiting keeps waiting. It also goes back down cleanly."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from alembic import command
from sqlalchemy import inspect, text
from sqlalchemy.engine import Engine

from engine.db import make_engine
from engine.schema import alembic_config


@pytest.fixture
def empty(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


def _migrate(engine: Engine, target: str, down: bool = False) -> None:
    config = alembic_config(engine)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        (command.downgrade if down else command.upgrade)(config, target)


def test_active_users_are_confirmed_and_the_columns_go_back_down(empty: Engine) -> None:
    _migrate(empty, "0010")
    with empty.begin() as connection:
        for name, active in (("staff.ana", True), ("pendiente@example.com", False)):
            connection.execute(text("INSERT INTO app_user (username, display_name, email, active, created_at) "
                                    "VALUES (:u, :u, :u, :a, :t)"),
                               {"u": name, "a": active, "t": "2026-01-02 03:04:05+00:00"})
    _migrate(empty, "0011")
    with empty.connect() as connection:
        found = connection.execute(text("SELECT username, email_confirmed_at FROM app_user")).all()
    rows: dict[str, object] = {row[0]: row[1] for row in found}
    assert rows["pendiente@example.com"] is None
    assert rows["staff.ana"] is not None and "2026-01-02" in str(rows["staff.ana"])
    assert {"login_code", "outbox_sms"} <= set(inspect(empty).get_table_names())

    _migrate(empty, "0010", down=True)
    found = inspect(empty)
    assert not {"login_code", "outbox_sms"} & set(found.get_table_names())
    assert not {"document_id", "mobile", "email_confirmed_at", "data_consent_at"} & {
        c["name"] for c in found.get_columns("app_user")}
