"""The composition root for the command line: settings, database, and an engine given the handlers."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from engine.config import PROJECT_ROOT, Settings
from engine.db import Database
from engine.errors import Conflict
from engine.identity import ensure_standard_roles
from engine.runtime import Engine
from engine.schema import current_revision, head_revision, upgrade
from engine.worker import Chore
from handlers.errors import HandlerInputError
from handlers.mail.delivery import delivery_chore
from handlers.registry import HANDLERS
from handlers.sms.delivery import sms_delivery_chore

_opened: list[Database] = []


def open_database(settings: Settings) -> Database:
    settings.ensure_dirs()
    db = Database(settings.database_url)
    _opened.append(db)
    return db


def close_databases() -> None:
    """Release the connections a command opened (the process may go on: tests run commands in-process)."""
    while _opened:
        _opened.pop().dispose()


def build_engine(db: Database) -> Engine:
    return Engine(db, handler_registry(), input_errors=(HandlerInputError,))


def handler_registry() -> Mapping[str, Callable[..., Any]]:
    """The product's handlers; CAUCE_HANDLERS=bench adds the benchmark's (bench/http_bench.py serves its models)."""
    if Settings.from_env().handler_set == "bench":
        from bench.handlers import BENCH_HANDLERS

        return BENCH_HANDLERS
    return HANDLERS


def worker_chores(settings: Settings, db: Database) -> list[Chore]:
    """What every worker does besides jobs: deliver the e-mail outbox (SMTP_URL) or keep it for /buzon."""
    return [delivery_chore(db.write, settings.smtp_url, settings.mail_from),
            sms_delivery_chore(db.write, settings.sms_url, settings.sms_key)]


def demo_model_dirs(settings: Settings) -> list[Path]:
    """What ``cauce demo`` deploys: processes/, plus bench/models under CAUCE_HANDLERS=bench."""
    extra = [PROJECT_ROOT / "bench" / "models"] if settings.handler_set == "bench" else []
    return [settings.processes_dir, *extra]


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
