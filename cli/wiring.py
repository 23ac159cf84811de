"""The composition root for the command line: settings, database, and an engine given the handlers."""

from __future__ import annotations

from engine.config import Settings
from engine.db import Database
from engine.identity import ensure_standard_roles
from engine.runtime import Engine
from engine.schema import upgrade
from handlers.errors import HandlerInputError
from handlers.registry import HANDLERS


def open_database(settings: Settings) -> Database:
    settings.ensure_dirs()
    return Database(settings.database_url)


def build_engine(db: Database) -> Engine:
    return Engine(db, HANDLERS, input_errors=(HandlerInputError,))


def initialize(db: Database) -> tuple[str | None, str | None]:
    """Create or migrate the schema and make sure the standard roles exist."""
    revisions = upgrade(db.engine)
    with db.write() as session:
        ensure_standard_roles(session)
    return revisions
