"""The SLA of a unit's task on a controlled clock: when it passes, supervisors and the unit are told (Avisos and
e-mail), the case records its first breach, and the unit's task stays open for the unit."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from engine.db import Database
from engine.runtime import Engine
from handlers.errors import HandlerInputError
from handlers.ledger.models import Notice
from handlers.registry import HANDLERS
from tests.conftest import PROCESSES
from tests.engine.events_helpers import Clock, drain
from tests.processes.casos.driver import CaseRun, open_case
from tests.processes.casos.test_devolucion_saldos import REFUND


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def timed(db: Database, demo: dict[str, object], clock: Clock) -> Engine:
    engine = Engine(db, HANDLERS, input_errors=(HandlerInputError,), clock=clock)
    engine.deploy([PROCESSES / "casos" / "devolucion_saldos"], "disenador.eva")
    return engine


def test_a_breached_sla_escalates_once_and_leaves_the_task_with_the_unit(timed: Engine, db: Database,
                                                                         clock: Clock) -> None:
    run = open_case(timed, db, "devolucion_saldos", REFUND)
    task = run.open_task("Activity_revisar")
    assert task.due_at == clock.now + timedelta(days=3)

    clock.advance(days=2, hours=23)
    drain(timed, clock)
    assert run.case().escalated_at is None

    clock.advance(hours=2)
    assert drain(timed, clock) >= 1
    case = run.case()
    assert case.escalated_at == clock.now
    assert ("escalated", "en_revision") in run.events()
    escalations = [(r, s) for k, r, s in run.emails() if k == "escalation"]
    assert ("supervisor.raul@universidad.edu.co", f"SLA vencido: caso {run.number} (Devolución de saldos)") \
        in escalations
    assert any(r == "tesoreria.sofia@universidad.edu.co" for r, _s in escalations)
    with db.read() as session:
        told = set(session.scalars(select(Notice.recipient).where(Notice.subject.like(f"SLA vencido%{run.number}%"))))
    assert told == {"supervisor", "tesoreria"}

    clock.advance(days=5)
    drain(timed, clock)
    assert len([k for k, _r, _s in run.emails() if k == "escalation"]) == len(escalations)  # once only

    again = CaseRun(timed, db, timed.show(run.view.id).instance)
    assert [t.element_id for t in again.view.open_tasks] == ["Activity_revisar"]
    again.resolve()
    assert again.case().status == "resuelto" and again.case().escalated_at == case.escalated_at


def test_resolving_in_time_never_escalates(timed: Engine, db: Database, clock: Clock) -> None:
    run = open_case(timed, db, "devolucion_saldos", REFUND)
    clock.advance(days=1)
    run.resolve()
    clock.advance(days=10)
    drain(timed, clock)
    assert run.case().escalated_at is None
    assert [k for k, _r, _s in run.emails()] == ["case_created", "case_closed"]
