"""The gateway's database: its own engine and sessions, its tables created on open."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DatabaseError
from sqlalchemy.orm import Session, sessionmaker

from gateway.models import GatewayBase


def utcnow() -> datetime:
    return datetime.now(UTC)


def open_store(database_url: str) -> sessionmaker[Session]:
    """Sessions on ``database_url``, its tables created when missing (a simulator has no migrations)."""
    sqlite = database_url.startswith("sqlite")
    # The delivery thread and the request threads share the engine: SQLite must allow that.
    kwargs: dict[str, Any] = {"connect_args": {"check_same_thread": False}} if sqlite else {}
    engine = create_engine(database_url, **kwargs)
    if sqlite:
        _configure_sqlite(engine)
    try:
        GatewayBase.metadata.create_all(engine)
    except DatabaseError:
        # Several server processes starting at once may race to create the tables: the loser finds them made.
        GatewayBase.metadata.create_all(engine)
    return sessionmaker(engine, expire_on_commit=False)


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # A decision and a delivery may write at once: wait for the lock instead of failing at once.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        # Take the write lock at BEGIN: two writers then queue instead of one failing on a stale snapshot.
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def close_store(sessions: sessionmaker[Session]) -> None:
    """Close the pool's connections (tests, and a command that is done)."""
    bind = sessions.kw.get("bind")
    if isinstance(bind, Engine):
        bind.dispose()
