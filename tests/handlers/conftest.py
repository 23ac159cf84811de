"""Fixtures of the handler tests: a file-based SQLite ledger, the demo data, and a step context."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from engine.scripting import Contact
from handlers.casos import models as case_models  # noqa: F401  (registers the case tables)
from handlers.demo import DemoPayment, seed_demo_ledger
from handlers.ledger import LedgerBase
from handlers.mail import models as mail_models  # noqa: F401  (registers the outbox)

NOW = datetime(2026, 11, 23, 15, 30, tzinfo=UTC)


@dataclass
class Ctx:
    """The smallest StepContext: what the engine would pass to a handler."""

    session: Session
    actor: str = "tic.ana"
    initiator: str | None = "coord.bogota"
    instance_ref: str | None = "PRO-MAA-16#1"
    now: datetime = NOW
    case_number: str | None = None
    contacts: dict[str, list[Contact]] = field(default_factory=dict)  # role -> its members

    def contacts_in_role(self, role: str) -> list[Contact]:
        return self.contacts.get(role, [])

    def contact(self, username: str) -> Contact | None:
        return next((c for people in self.contacts.values() for c in people if c.username == username), None)


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    engine = create_engine(f"sqlite:///{tmp_path / 'ledger.db'}")

    @event.listens_for(engine, "connect")
    def _foreign_keys(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    LedgerBase.metadata.create_all(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    with Session(engine) as session:
        yield session


@pytest.fixture
def demo(session: Session) -> list[DemoPayment]:
    seeded = seed_demo_ledger(session, NOW)
    session.commit()
    return seeded


@pytest.fixture
def ctx(session: Session, demo: list[DemoPayment]) -> Ctx:
    return Ctx(session=session)


@pytest.fixture
def make_ctx(session: Session, demo: list[DemoPayment]) -> Callable[..., Ctx]:
    def make(**kwargs: Any) -> Ctx:
        return Ctx(session=session, **kwargs)

    return make
