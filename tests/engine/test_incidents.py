"""A handler that fails rolls its whole step back and leaves an incident that can be retried."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from bench.handlers import BENCH_HANDLERS
from engine.db import Database
from engine.errors import Conflict, InvalidData, StepFailed
from engine.models import HumanTask, Incident, Instance, TaskStatus
from engine.runtime import Engine
from handlers.errors import HandlerInputError
from handlers.ledger.models import AccountingExport, Entry
from tests.conftest import make_engine
from tests.engine.pro_maa_16_driver import ANSWERS, run_to_end, run_until, start


def _engine_with(db: Database, **overrides: Any) -> Engine:
    return Engine(db, {**BENCH_HANDLERS, **overrides}, input_errors=(HandlerInputError,))


def _broken(ctx: Any, payment: str) -> Any:
    raise RuntimeError("servicio de facturación electrónica no disponible")


def _count(db: Database, model: Any) -> int:
    with db.read() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def _to_accounting_task(db: Database) -> tuple[int, int]:
    view = run_until(db, start(db, "PG-1001"), "Activity_reclasificar")
    return view.id, view.open_tasks[0].id


def test_failing_handler_rolls_back_the_whole_step_and_opens_an_incident(engine: Engine, db: Database) -> None:
    instance_id, task_id = _to_accounting_task(db)
    exports, entries = _count(db, AccountingExport), _count(db, Entry)
    actor, data = ANSWERS["Activity_reclasificar"]

    with pytest.raises(StepFailed) as caught:
        _engine_with(db, reinvoice=_broken).complete(task_id, actor, data)
    failure = caught.value
    assert failure.element_id == "Activity_refacturar" and "no disponible" in failure.error
    # reverse_accounting ran before reinvoice in the same step: its writes are gone with the step
    assert _count(db, AccountingExport) == exports and _count(db, Entry) == entries
    with db.read() as session:
        task = session.get(HumanTask, task_id)
        assert task is not None and task.status == TaskStatus.OPEN
        instance = session.get(Instance, instance_id)
        assert instance is not None and instance.status.value == "error"
        incident = session.get(Incident, failure.incident_id)
        assert incident is not None and incident.resolved_at is None
        assert incident.error_type == "RuntimeError" and incident.human_task_id == task_id
    detail = make_engine(db).show(instance_id)
    assert detail.incidents[0].element_id == "Activity_refacturar"
    assert detail.history[-1].kind == "incident_opened"

    # the retry fails again while the cause persists, counting attempts
    with pytest.raises(StepFailed):
        _engine_with(db, reinvoice=_broken).retry_incident(failure.incident_id, "supervisor.raul")
    assert make_engine(db).show(instance_id).incidents[0].attempts == 2

    # the cause is fixed: the retry runs the step as it was first asked for
    view = make_engine(db).retry_incident(failure.incident_id, "supervisor.raul")
    assert view.status == "completed"
    assert _count(db, AccountingExport) == exports + 2
    detail = make_engine(db).show(instance_id)
    assert detail.incidents[0].resolved_by == "supervisor.raul"
    assert any(e.kind == "incident_resolved" for e in detail.history)
    with pytest.raises(Conflict, match="ya fue resuelto"):
        make_engine(db).retry_incident(failure.incident_id, "supervisor.raul")


def test_failure_in_the_first_steps_keeps_the_instance_at_its_start(engine: Engine, db: Database) -> None:
    with pytest.raises(StepFailed) as caught:
        _engine_with(db, describe_payment=_broken).start("pro_maa_16", "coord.bogota", {
            "payment": "PG-1003", "adjustment": "anulacion", "reason": "baja_academica",
            "justification": "Baja académica definitiva del estudiante."})
    failure = caught.value
    assert failure.element_id == "Activity_consultar_pago"
    detail = make_engine(db).show(failure.instance_id)
    assert detail.instance.status == "error" and detail.instance.open_tasks == []
    view = make_engine(db).retry_incident(failure.incident_id, "supervisor.raul")
    assert view.status == "running"
    assert [t.element_id for t in view.open_tasks] == ["Activity_revisar_solicitud"]
    assert run_to_end(db, view)[-1] == "Activity_liberar_pago_ajuste"


def test_handler_input_error_is_a_4xx_without_incident(engine: Engine, db: Database) -> None:
    instances = _count(db, Instance)
    with pytest.raises(InvalidData) as caught:
        start(db, "PG-9999")
    assert caught.value.errors[0].field == "payment"
    assert "PG-9999" in caught.value.errors[0].message
    assert _count(db, Instance) == instances and _count(db, Incident) == 0


def test_script_errors_become_incidents_too(engine: Engine, db: Database) -> None:
    def crash(ctx: Any, amount: Any) -> bool:
        raise ZeroDivisionError("división por cero en la regla")

    view = make_engine(db).start("simple", "tic.ana", {})
    with pytest.raises(StepFailed) as caught:
        _engine_with(db, is_large=crash).complete(view.open_tasks[0].id, "tic.ana", {"amount": 5000})
    assert caught.value.element_id == "Gateway_grande"
    assert "división por cero" in caught.value.error
