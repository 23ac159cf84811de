"""The demo students of the advice case types (handlers/casos/demo_consultas.py), as the case form names them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.db import Database
from engine.runtime import Engine
from handlers.casos.demo_consultas import ADVICE_STUDENTS
from handlers.ledger.models import Document, Entry, Payment
from handlers.ledger.values import bogota_date
from tests.conftest import PROCESSES, make_engine


def student(code: str) -> dict[str, Any]:
    """The common-form fields of one of the area's demo students."""
    found = next(s for s in ADVICE_STUDENTS if s.code == code)
    return {"codigo_estudiante": found.code, "documento": found.document_id, "nombre_estudiante": found.name,
            "programa": found.program}


def today() -> date:
    """The demo's dates are relative to the day it was seeded, which is today in these tests."""
    return bogota_date(datetime.now(UTC))


def ledger_counts(db: Database) -> tuple[int, int, int]:
    """(entries, payments, documents): an unchanged triple means nothing was written to the ledger."""
    with db.read() as session:
        return (session.scalar(select(func.count(Entry.id))) or 0, session.scalar(select(func.count(Payment.id))) or 0,
                session.scalar(select(func.count(Document.id))) or 0)


def documents(db: Database, kind: str) -> list[Document]:
    with db.read() as session:
        found = list(session.scalars(select(Document).where(Document.kind == kind).order_by(Document.id)))
        session.expunge_all()
        return found


@dataclass
class StepCtx:
    """A case step's context for calling a handler directly, as the engine would."""

    session: Session
    now: datetime = field(default_factory=lambda: datetime.now(UTC))
    actor: str = "cartera.juan"
    initiator: str | None = "estudiante.camila"
    instance_ref: str | None = None
    case_number: str | None = "SF-2026-999999"

    def contacts_in_role(self, role: str) -> list[Any]:
        return []

    def contact(self, username: str) -> Any:
        return None


def engine_with(db: Database, process_id: str) -> Engine:
    """An engine with just this case type deployed (with the shared parts its folder includes): a type's
    tests do not depend on the other types' models being deployable at the same moment."""
    engine = make_engine(db)
    engine.deploy([PROCESSES / "casos" / process_id], "disenador.eva")
    return engine
