"""Database round trips of the busiest requests, counted statement by statement.

Each expected count is (statements, transactions). SQLite sends its own ``BEGIN``/``BEGIN IMMEDIATE`` per
transaction (webui/engine ``Database``), which the cursor event sees; PostgreSQL's driver opens transactions by
itself, so there only the statements count. Connection set-up (PRAGMAs, dialect probes) happens on the warm-up.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import event

from cli.demo import DEMO_PASSWORD
from engine.runtime import Engine
from tests.webui.conftest import SignedIn
from tests.webui.test_api import new_token

SIGN_IN = (4, 1)
SIGN_IN_PG_LOCKS = 2  # PostgreSQL only: advisory locks on the username and the address serialize the count
# 1 throttle count (failures by user or address), 1 user row for the password check, 1 INSERT login_attempt
# (the audit of every try), 1 INSERT web_session; all in one write transaction.
INBOX = (5, 2)
# 1 session lookup (user, CSRF token and roles in one join; its own transaction because it may touch the session);
# then the inbox's transaction, with the roles the session lookup returned: 1 count per tab ("Mis tareas",
# "Tareas de mis grupos"), 1 page of task rows, 1 process names for the filter.
API_TASKS = (2, 2)
# 1 token lookup (user and roles in one join; its own transaction because it may write last_used_at once a
# minute), 1 inbox query on human_task with the roles the token lookup returned.


@contextmanager
def statements(engine: Engine) -> Iterator[list[str]]:
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(statement)

    event.listen(engine.db.engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine.db.engine, "before_cursor_execute", record)


def expected(engine: Engine, budget: tuple[int, int]) -> int:
    count, transactions = budget
    return count + (transactions if engine.db.dialect == "sqlite" else 0)


def _begins(seen: list[str]) -> int:
    return sum(1 for s in seen if s.startswith("BEGIN"))


@pytest.fixture
def warm(app: Flask, engine: Engine, sign_in: Callable[[str], SignedIn]) -> tuple[SignedIn, str]:
    """A signed-in inbox and an API token, each used once so that nothing counted is first-use set-up."""
    me = sign_in("tic.ana")
    token = new_token(engine, "tic.ana")
    assert me.get("/bandeja").status_code == 200
    assert app.test_client().get("/api/v1/tasks", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    return me, token


def test_sign_in(app: Flask, engine: Engine, warm: tuple[SignedIn, str]) -> None:
    with statements(engine) as seen:
        answer = app.test_client().post("/iniciar-sesion", data={"username": "fact.luis", "password": DEMO_PASSWORD})
    assert answer.status_code == 302
    locks = SIGN_IN_PG_LOCKS if engine.db.dialect == "postgresql" else 0
    assert len(seen) == expected(engine, SIGN_IN) + locks, seen


def test_signed_in_inbox_page(engine: Engine, warm: tuple[SignedIn, str]) -> None:
    me, _ = warm
    with statements(engine) as seen:
        assert me.get("/bandeja").status_code == 200
    assert len(seen) == expected(engine, INBOX), seen


def test_api_tasks(app: Flask, engine: Engine, warm: tuple[SignedIn, str]) -> None:
    _, token = warm
    with statements(engine) as seen:
        answer = app.test_client().get("/api/v1/tasks", headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 200
    assert len(seen) == expected(engine, API_TASKS), seen
    assert _begins(seen) == (API_TASKS[1] if engine.db.dialect == "sqlite" else 0)
