"""Asynchronous service tasks: the step that reaches one commits and returns at once; the worker runs the handler
in a transaction of its own, retries it with backoff when it fails, and buries it as an incident on its
instance after the configured attempts; "Reintentar" queues it again."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from bench.handlers import BENCH_HANDLERS
from engine.db import Database
from engine.jobs import Job, JobStatus
from engine.models import Incident
from engine.runtime import Engine
from handlers.errors import HandlerInputError
from tests.engine.events_helpers import EVENT_MODELS, Clock, drain


class Flaky:
    """A handler that fails its first ``failures`` calls, like a remote system that is down for a while."""

    def __init__(self) -> None:
        self.failures = 0
        self.calls = 0

    def __call__(self, ctx: Any, label: str) -> dict[str, Any]:
        self.calls += 1
        if self.calls <= self.failures:
            raise ConnectionError(f"el sistema externo no responde (intento {self.calls})")
        return {"label": label, "actor": ctx.actor}


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def flaky() -> Flaky:
    return Flaky()


@pytest.fixture
def background(db: Database, demo: dict[str, object], clock: Clock, flaky: Flaky, tmp_path: Path) -> Engine:
    folder = tmp_path / "async_service"
    shutil.copytree(EVENT_MODELS / "async_service", folder)
    bpmn = folder / "async_service.bpmn"
    bpmn.write_text(bpmn.read_text(encoding="utf-8").replace('id="record_step"', 'id="flaky"'), encoding="utf-8")
    engine = Engine(db, {**BENCH_HANDLERS, "flaky": flaky}, input_errors=(HandlerInputError,), clock=clock)
    engine.deploy([folder], "disenador.eva")
    return engine



def _first_step(engine: Engine) -> int:
    view = engine.start("async_service", "tic.ana")
    [task] = view.open_tasks
    after = engine.complete(task.id, "tic.ana", {})
    assert after.open_tasks == [] and after.status == "waiting"  # the step returned before the handler ran
    return view.id


def test_the_worker_runs_the_task_after_the_step_commits(background: Engine, flaky: Flaky, clock: Clock) -> None:
    instance_id = _first_step(background)
    assert flaky.calls == 0
    assert drain(background, clock) == 1
    assert flaky.calls == 1
    detail = background.show(instance_id)
    assert [t.element_id for t in detail.instance.open_tasks] == ["Activity_verificar"]
    assert detail.data["registro"] == {"label": "registro", "actor": "sistema"}
    runs = [e for e in detail.history if e.kind == "task_run" and e.element_id == "Activity_registrar"]
    assert len(runs) == 1 and runs[0].detail["asynchronous"] is True
    assert drain(background, clock) == 0  # run once, never again


def test_a_failing_task_retries_with_backoff_then_succeeds(background: Engine, db: Database, flaky: Flaky,
                                                           clock: Clock) -> None:
    flaky.failures = 2
    instance_id = _first_step(background)
    assert drain(background, clock) == 1  # attempt 1 fails: due again in 10 s
    clock.advance(seconds=9)
    assert drain(background, clock) == 0
    clock.advance(seconds=2)
    assert drain(background, clock) == 1  # attempt 2 fails: due again in 20 s
    clock.advance(seconds=21)
    assert drain(background, clock) == 1  # attempt 3 succeeds
    assert flaky.calls == 3
    assert [t.element_id for t in background.show(instance_id).instance.open_tasks] == ["Activity_verificar"]
    with db.read() as session:
        assert session.scalars(select(Incident)).all() == []


def test_a_task_that_keeps_failing_becomes_an_incident_and_retry_runs_it_again(
        background: Engine, db: Database, flaky: Flaky, clock: Clock) -> None:
    flaky.failures = 5
    instance_id = _first_step(background)
    for _ in range(5):
        drain(background, clock)
        clock.advance(hours=1)
    with db.read() as session:
        [job] = session.scalars(select(Job).where(Job.kind == "async_task")).all()
        [incident] = session.scalars(select(Incident)).all()
    assert (job.status, job.attempts) == (JobStatus.DEAD, 5)
    assert incident.instance_id == instance_id and incident.element_id == "Activity_registrar"
    assert incident.error_type == "ConnectionError" and "intento 5" in incident.error
    assert background.show(instance_id).instance.status == "waiting"  # nothing half-done: still before the task

    background.retry_incident(incident.id, "supervisor.raul")
    drain(background, clock)
    assert flaky.calls == 6
    assert [t.element_id for t in background.show(instance_id).instance.open_tasks] == ["Activity_verificar"]


def test_a_suspended_instance_postpones_its_task_without_using_attempts(background: Engine, db: Database,
                                                                        flaky: Flaky, clock: Clock) -> None:
    instance_id = _first_step(background)
    background.suspend(instance_id, "supervisor.raul")
    drain(background, clock)
    assert flaky.calls == 0
    with db.read() as session:
        [job] = session.scalars(select(Job).where(Job.kind == "async_task")).all()
    assert (job.status, job.attempts) == (JobStatus.PENDING, 0)
    background.resume(instance_id, "supervisor.raul")
    clock.advance(minutes=2)
    drain(background, clock)
    assert flaky.calls == 1
    assert [t.element_id for t in background.show(instance_id).instance.open_tasks] == ["Activity_verificar"]
