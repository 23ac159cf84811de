"""Timers on a controlled clock: SLA reminders that do not interrupt, escalations that do, intermediate timers,
timer start events, due times kept as indexed wake-up jobs, and timers that fell due while no worker ran."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from bench.handlers import BENCH_HANDLERS
from engine import jobs
from engine.db import Database
from engine.jobs import Job, JobStatus
from engine.models import Event, HumanTask, Instance
from engine.runtime import Engine
from engine.worker import Worker, run_timer_start
from handlers.errors import HandlerInputError
from tests.engine.events_helpers import EVENT_MODELS, T0, Clock

DAY = timedelta(days=1)


@pytest.fixture
def clock() -> Clock:
    return Clock()


def _engine(db: Database, clock: Clock) -> Engine:
    return Engine(db, BENCH_HANDLERS, input_errors=(HandlerInputError,), clock=clock)


@pytest.fixture
def timed(db: Database, demo: dict[str, object], clock: Clock) -> Engine:
    engine = _engine(db, clock)
    engine.deploy([EVENT_MODELS / "sla_timers"], "disenador.eva")
    return engine


def _worker(engine: Engine, clock: Clock, name: str = "w1") -> Worker:
    return Worker(engine, name, clock=clock)


def _drain(worker: Worker) -> int:
    total = 0
    while ran := worker.run_once():
        total += ran
    return total


def _open_elements(engine: Engine, instance_id: int) -> list[str]:
    return [t.element_id for t in engine.show(instance_id).instance.open_tasks]


def _kinds(engine: Engine, instance_id: int) -> list[tuple[str, str | None]]:
    return [(e.kind, e.element_id) for e in engine.show(instance_id).history]


def _timer_jobs(db: Database, instance_id: int) -> list[tuple[datetime, str]]:
    with db.read() as session:
        rows = session.execute(select(Job.due_at, Job.status).where(Job.kind == "timer",
                                                                    Job.instance_id == instance_id)
                               .order_by(Job.due_at))
        return [(due, status.value) for due, status in rows]


def test_waiting_timers_become_wake_up_jobs_at_their_due_times(timed: Engine, db: Database) -> None:
    view = timed.start("sla_timers", "tic.ana")
    assert _open_elements(timed, view.id) == ["Activity_revisar"]
    # the next due times are rows in the job table, indexed by (status, due_at): no instance is scanned
    assert _timer_jobs(db, view.id) == [(T0 + DAY, "pending"), (T0 + 3 * DAY, "pending")]


def test_a_reminder_fires_once_without_interrupting_the_task(timed: Engine, db: Database, clock: Clock) -> None:
    view = timed.start("sla_timers", "tic.ana")
    worker = _worker(timed, clock)
    clock.advance(hours=23)
    assert _drain(worker) == 0  # nothing due yet
    clock.advance(hours=2)
    assert _drain(worker) == 1
    assert _open_elements(timed, view.id) == ["Activity_revisar"]  # the task is still there, same row
    history = _kinds(timed, view.id)
    assert ("timer_fired", "Event_recordatorio") in history
    assert history.count(("task_run", "Activity_recordar")) == 1
    clock.advance(hours=12)
    assert _drain(worker) == 0  # a duration timer fires once
    assert _kinds(timed, view.id).count(("task_run", "Activity_recordar")) == 1


def test_an_escalation_interrupts_the_task_and_opens_the_escalated_one(timed: Engine, clock: Clock) -> None:
    view = timed.start("sla_timers", "tic.ana")
    [task] = timed.show(view.id).instance.open_tasks
    worker = _worker(timed, clock)
    clock.advance(days=1, hours=1)
    _drain(worker)
    clock.advance(days=2)
    _drain(worker)
    assert _open_elements(timed, view.id) == ["Activity_escalada"]
    history = _kinds(timed, view.id)
    assert ("timer_fired", "Event_escalar") in history
    assert ("task_cancelled", "Activity_revisar") in history
    with pytest.raises(Exception) as raised:  # the interrupted task can no longer be completed
        timed.complete(task.id, "tic.ana", {})
    assert getattr(raised.value, "status", None) == 409


def test_completing_the_task_first_leaves_its_timers_with_nothing_to_do(timed: Engine, db: Database,
                                                                        clock: Clock) -> None:
    view = timed.start("sla_timers", "tic.ana")
    [task] = timed.show(view.id).instance.open_tasks
    clock.advance(hours=1)
    timed.complete(task.id, "tic.ana", {"comentario": "revisado"})
    with db.read() as session:
        steps_before = session.scalar(select(Instance.steps).where(Instance.id == view.id))
    # the reminder's and the escalation's wake-ups went away with the task; the 2-hour wait's is the only one
    assert _timer_jobs(db, view.id) == [(T0 + timedelta(hours=3), "pending")]
    worker = _worker(timed, clock)
    clock.advance(days=4)
    assert _drain(worker) == 1
    history = _kinds(timed, view.id)
    assert ("timer_fired", "Event_recordatorio") not in history
    assert ("timer_fired", "Event_escalar") not in history
    # the 2-hour intermediate timer did fire, once, and the process ended
    assert history.count(("timer_fired", "Event_espera")) == 1
    assert timed.show(view.id).instance.status == "completed"
    with db.read() as session:
        assert session.scalar(select(Instance.steps).where(Instance.id == view.id)) == (steps_before or 0) + 1


def test_an_intermediate_timer_waits_then_continues(timed: Engine, clock: Clock) -> None:
    view = timed.start("sla_timers", "tic.ana")
    [task] = timed.show(view.id).instance.open_tasks
    timed.complete(task.id, "tic.ana", {})
    assert timed.show(view.id).instance.status == "waiting"
    worker = _worker(timed, clock)
    clock.advance(hours=1, minutes=59)
    _drain(worker)
    assert timed.show(view.id).instance.status == "waiting"
    clock.advance(minutes=2)
    _drain(worker)
    detail = timed.show(view.id)
    assert detail.instance.status == "completed"
    assert detail.data["cierre"]["label"] == "cierre"


def test_timers_that_fell_due_while_no_worker_ran_fire_when_one_comes_back(db: Database, timed: Engine,
                                                                           clock: Clock) -> None:
    view = timed.start("sla_timers", "tic.ana")
    clock.advance(days=10)  # nobody ran for ten days; the app restarted meanwhile
    restarted = _engine(db, clock)
    _drain(_worker(restarted, clock, "w-after-outage"))
    history = _kinds(restarted, view.id)
    assert ("timer_fired", "Event_recordatorio") in history
    assert ("timer_fired", "Event_escalar") in history
    assert _open_elements(restarted, view.id) == ["Activity_escalada"]
    assert {status for _, status in _timer_jobs(db, view.id)} == {"done"}


def test_a_suspended_instance_fires_its_timers_when_resumed(timed: Engine, clock: Clock) -> None:
    view = timed.start("sla_timers", "tic.ana")
    timed.suspend(view.id, "supervisor.raul")
    worker = _worker(timed, clock)
    clock.advance(days=1, hours=1)
    _drain(worker)
    assert ("timer_fired", "Event_recordatorio") not in _kinds(timed, view.id)
    timed.resume(view.id, "supervisor.raul")
    _drain(worker)
    assert ("timer_fired", "Event_recordatorio") in _kinds(timed, view.id)


def test_a_timer_start_event_starts_one_instance_per_cycle(timed: Engine, db: Database, clock: Clock) -> None:
    timed.deploy([EVENT_MODELS / "corte_diario"], "disenador.eva")
    worker = _worker(timed, clock)

    def started() -> int:
        with db.read() as session:
            return int(session.scalar(select(func.count()).select_from(Instance)
                                      .where(Instance.process_id == "corte_diario")) or 0)

    assert _drain(worker) == 0 and started() == 0  # R3/2026-03-03T08:00:00Z/P1D: not yet
    clock.now = datetime.fromisoformat("2026-03-03T08:00:01+00:00")
    _drain(worker)
    assert started() == 1
    timed.deploy([EVENT_MODELS / "corte_diario"], "disenador.eva")  # unchanged: the schedule is not doubled
    clock.advance(days=5)  # the second and third occurrences are both overdue: each starts its own instance
    _drain(worker)
    assert started() == 3
    clock.advance(days=5)
    assert _drain(worker) == 0 and started() == 3  # three cycles, then it stops
    with db.read() as session:
        statuses = set(session.scalars(select(Instance.status).where(Instance.process_id == "corte_diario")))
        initiators = set(session.scalars(select(Instance.initiator).where(Instance.process_id == "corte_diario")))
        assert session.scalar(select(func.count()).select_from(Job).where(
            Job.kind == "timer_start", Job.status != JobStatus.DONE)) == 0
    assert {s.value for s in statuses} == {"completed"}
    assert initiators == {"sistema"}


def test_timer_steps_write_their_audit_with_the_step_clock(timed: Engine, db: Database, clock: Clock) -> None:
    view = timed.start("sla_timers", "tic.ana")
    clock.advance(days=1, minutes=5)
    _drain(_worker(timed, clock))
    with db.read() as session:
        fired = session.scalars(select(Event).where(Event.instance_id == view.id,
                                                    Event.kind == "timer_fired")).one()
        reminder_open = session.scalar(select(func.count()).select_from(HumanTask).where(
            HumanTask.instance_id == view.id, HumanTask.status == "open"))
    assert fired.at == clock.now and fired.actor == "sistema"
    assert fired.detail["due_at"] == (T0 + DAY).isoformat()
    assert reminder_open == 1


def test_a_timer_start_run_again_after_its_lease_lapsed_starts_nothing_twice(timed: Engine, db: Database,
                                                                              clock: Clock) -> None:
    timed.deploy([EVENT_MODELS / "corte_diario"], "disenador.eva")
    clock.now = datetime.fromisoformat("2026-03-03T08:00:01+00:00")
    [slow] = jobs.claim(db, "slow-worker", clock.now, lease=timedelta(seconds=1))  # then it stalls
    clock.advance(seconds=5)
    assert Worker(timed, "fast-worker", clock=clock).run_once() == 1  # the lease lapsed: it runs the occurrence
    with pytest.raises(jobs.LeaseLost):
        run_timer_start(timed, slow)  # the stalled worker wakes up: its transaction is rolled back
    with db.read() as session:
        assert session.scalar(select(func.count()).select_from(Instance)
                              .where(Instance.process_id == "corte_diario")) == 1
