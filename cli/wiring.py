"""The composition root for the command line: settings, database, and an engine given the handlers."""

from __future__ import annotations

from engine.config import Settings
from engine.db import Database
from engine.errors import Conflict
from engine.identity import ensure_standard_roles
from engine.runtime import Engine
from engine.schema import current_revision, head_revision, upgrade
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


def require_current_schema(db: Database) -> None:
    """Refuse to work on a database that ``cauce init`` has not created or brought up to date."""
    current = current_revision(db.engine)
    if current != head_revision(db.engine):
        state = "no está inicializada" if current is None else f"está en la revisión {current}"
        raise Conflict(f"La base de datos {db.url} {state}: ejecute «cauce init».")
