"""The worker: every due job run exactly once by concurrent workers, the kinds it knows, and its heartbeat."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from bench.handlers import BENCH_HANDLERS
from engine import jobs
from engine.db import Database
from engine.errors import StepFailed
from engine.jobs import Job, JobStatus, WorkerHeartbeat
from engine.models import Event
from engine.runtime import Engine
from engine.worker import Worker, heartbeat_age, start_embedded
from handlers.errors import HandlerInputError
from tests.conftest import make_engine
from tests.engine.pro_maa_16_driver import ANSWERS, run_until, start

T0 = datetime(2026, 3, 2, 13, 0, tzinfo=UTC)
JOBS = 200


def _statuses(db: Database) -> Counter[str]:
    with db.read() as session:
        return Counter(s.value for s in session.scalars(select(Job.status)))


def test_two_workers_in_two_threads_run_every_job_exactly_once(db: Database) -> None:
    with db.write() as session:
        ids = [jobs.enqueue(session, "record", T0 + timedelta(milliseconds=n), {"n": n}) for n in range(JOBS)]
    runs: list[tuple[str, int]] = []
    lock = threading.Lock()
    barrier = threading.Barrier(2)

    def record(engine: Engine, job: jobs.ClaimedJob) -> None:
        with lock:
            runs.append((job.locked_by, job.id))

    def work(name: str) -> None:
        worker = Worker(make_engine(db), name, handlers={"record": record}, batch=5)
        barrier.wait()
        while worker.run_once(T0 + timedelta(seconds=1)):
            pass

    threads = [threading.Thread(target=work, args=(f"w{i}",)) for i in (1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(t.is_alive() for t in threads)
    assert Counter(job_id for _, job_id in runs) == Counter({i: 1 for i in ids})
    assert _statuses(db) == Counter({"done": JOBS})
    assert {worker for worker, _ in runs} == {"w1", "w2"}  # both took part
    with db.read() as session:
        beats = {b.worker_id: b.jobs_done for b in session.scalars(select(WorkerHeartbeat))}
    assert sum(beats.values()) == JOBS and set(beats) == {"w1", "w2"}


def test_a_service_task_job_runs_its_handler_in_the_jobs_transaction(engine: Engine, db: Database) -> None:
    instance = start(db, "PG-1003")
    with db.write() as session:
        good = jobs.enqueue(session, "service_task", T0, {"handler": "record_step", "params": {"label": "aviso"},
                                                          "element_id": "Activity_aviso"}, instance_id=instance.id)
        unknown = jobs.enqueue(session, "service_task", T0, {"handler": "no_existe"}, max_attempts=1)
        odd = jobs.enqueue(session, "desconocido", T0, {}, max_attempts=1)
    assert Worker(engine, "w1").run_once(T0) == 3
    with db.read() as session:
        rows = {row.id: row for row in session.scalars(select(Job))}
        event = session.scalars(select(Event).where(Event.kind == "job_run")).one()
    assert rows[good].status == JobStatus.DONE  # type: ignore[index]
    assert event.instance_id == instance.id and event.element_name == "record_step"
    assert event.detail == {"job_id": good, "handler": "record_step", "params": {"label": "aviso"},
                            "result": {"label": "aviso", "actor": "sistema"}}
    assert rows[unknown].status == JobStatus.DEAD  # type: ignore[index]
    assert rows[unknown].last_error == "No hay ningún handler registrado con el nombre «no_existe»."  # type: ignore[index]
    assert rows[odd].last_error == "No hay ningún manejador para trabajos de tipo «desconocido»."  # type: ignore[index]


def _broken(ctx: Any, payment: str) -> Any:
    raise RuntimeError("servicio de facturación electrónica no disponible")


def test_a_retry_incident_job_reruns_the_failed_step_once_its_cause_is_fixed(engine: Engine, db: Database) -> None:
    view = start(db, "PG-1001")
    broken = Engine(db, {**BENCH_HANDLERS, "reinvoice": _broken}, input_errors=(HandlerInputError,))
    view = run_until(db, view, "Activity_reclasificar")
    actor, data = ANSWERS["Activity_reclasificar"]
    with pytest.raises(StepFailed) as failed:
        broken.complete(view.open_tasks[0].id, actor, data)
    incident_id = failed.value.incident_id
    with db.write() as session:
        job_id = jobs.enqueue(session, "retry_incident", T0, {"incident_id": incident_id}, instance_id=view.id,
                              dedupe_key=f"retry:{incident_id}", max_attempts=2)

    Worker(broken, "w1").run_once(T0)  # still broken: the engine counts the attempt on its incident
    with db.read() as session:
        row = session.get(Job, job_id)
        assert row is not None and row.status == JobStatus.PENDING and "no disponible" in (row.last_error or "")
    assert engine.show(view.id).incidents[0].attempts == 2

    Worker(make_engine(db), "w2").run_once(T0 + timedelta(minutes=1))  # fixed
    detail = engine.show(view.id)
    assert detail.instance.status == "completed"
    assert detail.incidents[0].resolved_by == "sistema" and len(detail.incidents) == 1
    assert _statuses(db) == Counter({"done": 3})  # the two message deliveries with billing's pool, and the retry


def test_a_dead_retry_job_opens_no_second_incident(engine: Engine, db: Database) -> None:
    def step_fails(engine: Engine, job: jobs.ClaimedJob) -> None:
        raise StepFailed(7, job.instance_id or 0, "Activity_x", "sigue fallando")

    instance = start(db, "PG-1003")
    with db.write() as session:
        jobs.enqueue(session, "retry_incident", T0, {"incident_id": 7}, instance_id=instance.id, max_attempts=1)
    Worker(engine, "w1", handlers={"retry_incident": step_fails}).run_once(T0)
    assert _statuses(db) == Counter({"dead": 1}) and engine.show(instance.id).incidents == []


def test_heartbeat_age(engine: Engine, db: Database) -> None:
    assert heartbeat_age(db, T0) is None
    worker = Worker(engine, "w1")
    assert worker.run_once(T0) == 0
    assert heartbeat_age(db, T0 + timedelta(seconds=7)) == 7.0
    Worker(engine, "w2").run_once(T0 + timedelta(seconds=5))
    assert heartbeat_age(db, T0 + timedelta(seconds=7)) == 2.0  # the newest beat of any worker


def test_run_forever_stops_when_asked_and_the_embedded_thread_works(engine: Engine, db: Database) -> None:
    stop = threading.Event()
    ran = threading.Event()

    def last(engine: Engine, job: jobs.ClaimedJob) -> None:
        stop.set()  # the loop ends after this pass

    with db.write() as session:
        jobs.enqueue(session, "last", T0, {})
    Worker(engine, "w1", handlers={"last": last}).run_forever(stop, poll_seconds=0.01)
    assert _statuses(db) == Counter({"done": 1})

    with db.write() as session:
        jobs.enqueue(session, "service_task", T0, {"handler": "record_step", "params": {"label": "x"}})
    embedded = start_embedded(engine, poll_seconds=0.02)
    try:
        for _ in range(500):
            if _statuses(db)["done"] == 2:
                ran.set()
                break
            embedded.stop.wait(0.02)
    finally:
        embedded.shutdown()
    assert ran.is_set() and embedded.thread.daemon and not embedded.thread.is_alive()
    assert heartbeat_age(db) is not None
