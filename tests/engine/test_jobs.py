"""The job table: dedupe, due order, leases, backoff, and a dead job becoming an incident on its instance."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from engine import jobs
from engine.db import Database
from engine.jobs import Job, JobStatus
from engine.models import Event, Incident
from engine.runtime import Engine
from engine.worker import Worker
from tests.engine.pro_maa_16_driver import start

T0 = datetime(2026, 3, 2, 13, 0, tzinfo=UTC)
LEASE = timedelta(seconds=60)


def _add(db: Database, kind: str = "k", at: timedelta = timedelta(0), **kwargs: object) -> int | None:
    with db.write() as session:
        return jobs.enqueue(session, kind, T0 + at, {"n": 1}, **kwargs)  # type: ignore[arg-type]


def _job(db: Database, job_id: int | None) -> Job:
    assert job_id is not None
    with db.read() as session:
        row = session.get(Job, job_id)
        assert row is not None
        return row


def test_a_duplicate_dedupe_key_is_a_no_op_inside_the_callers_transaction(db: Database) -> None:
    with db.write() as session:
        first = jobs.enqueue(session, "message", T0, {"invoice": "F-1"}, dedupe_key="factura-anulada:F-1")
        again = jobs.enqueue(session, "message", T0, {"invoice": "F-1"}, dedupe_key="factura-anulada:F-1")
        other = jobs.enqueue(session, "message", T0, {"invoice": "F-2"}, dedupe_key="factura-anulada:F-2")
    assert first is not None and again is None and other is not None
    assert _add(db, "message", dedupe_key="factura-anulada:F-1") is None  # also across transactions
    assert _add(db) is not None and _add(db) is not None  # no key: never deduplicated
    with db.read() as session:
        assert session.scalar(select(func.count()).select_from(Job)) == 4
    row = _job(db, first)
    assert row.status == JobStatus.PENDING and row.attempts == 0 and row.max_attempts == 5
    assert row.payload == {"invoice": "F-1"} and row.due_at == T0


def test_claim_takes_only_due_jobs_oldest_due_first(db: Database) -> None:
    late, early, middle, far = (_add(db, at=timedelta(seconds=s)) for s in (30, 10, 20, 100))
    got = jobs.claim(db, "w1", T0 + timedelta(seconds=25), limit=10, lease=LEASE)
    assert [j.id for j in got] == [early, middle]
    assert all(j.locked_by == "w1" and j.attempts == 1 for j in got)
    assert jobs.claim(db, "w2", T0 + timedelta(seconds=25), limit=10, lease=LEASE) == []  # leased to w1
    assert [j.id for j in jobs.claim(db, "w2", T0 + timedelta(seconds=40), limit=10, lease=LEASE)] == [late]
    row = _job(db, early)
    assert row.status == JobStatus.RUNNING and row.locked_until == T0 + timedelta(seconds=25) + LEASE
    assert jobs.complete(db, got[0], T0 + timedelta(seconds=26))
    row = _job(db, early)
    assert row.status == JobStatus.DONE and row.finished_at == T0 + timedelta(seconds=26)
    assert _job(db, far).status == JobStatus.PENDING
    # by then the leases of the two unfinished ones have run out: they come back, still in due order
    again = jobs.claim(db, "w1", T0 + timedelta(seconds=101), limit=10, lease=LEASE)
    assert [(j.id, j.attempts) for j in again] == [(middle, 2), (late, 2), (far, 1)]


def test_a_crashed_workers_job_is_claimed_again_after_its_lease(db: Database) -> None:
    job_id = _add(db)
    (crashed,) = jobs.claim(db, "w1", T0, lease=LEASE)  # w1 dies here without completing
    assert jobs.claim(db, "w2", T0 + LEASE - timedelta(seconds=1), lease=LEASE) == []
    (again,) = jobs.claim(db, "w2", T0 + LEASE + timedelta(seconds=1), lease=LEASE)
    assert again.id == crashed.id == job_id and again.locked_by == "w2" and again.attempts == 2
    assert not jobs.complete(db, crashed, T0 + LEASE + timedelta(seconds=2))  # w1 came back too late
    assert jobs.fail(db, crashed, RuntimeError("tarde"), T0 + LEASE + timedelta(seconds=2)) is None
    assert jobs.complete(db, again, T0 + LEASE + timedelta(seconds=2))
    assert _job(db, job_id).status == JobStatus.DONE


def test_backoff_doubles_and_is_capped() -> None:
    assert [jobs.backoff(n).total_seconds() for n in (1, 2, 3, 4)] == [10, 20, 40, 80]
    assert jobs.backoff(30) == timedelta(hours=1)


def _fails(engine: Engine, job: jobs.ClaimedJob) -> None:
    raise ConnectionError(f"servidor de correo no responde (intento {job.attempts})")


def test_failures_retry_with_backoff_then_the_job_dies_as_an_incident(engine: Engine, db: Database) -> None:
    instance = start(db, "PG-1003")
    with db.write() as session:
        job_id = jobs.enqueue(session, "send_notice", T0, {"element_id": "Activity_informar"},
                              instance_id=instance.id, max_attempts=3)
    worker = Worker(engine, "w1", handlers={"send_notice": _fails}, lease=LEASE)
    assert worker.run_once(T0) == 1
    row = _job(db, job_id)
    assert row.status == JobStatus.PENDING and row.attempts == 1 and row.due_at == T0 + timedelta(seconds=10)
    assert row.last_error == "servidor de correo no responde (intento 1)" and row.locked_by == "w1"
    assert worker.run_once(T0 + timedelta(seconds=9)) == 0  # backing off
    assert worker.run_once(T0 + timedelta(seconds=10)) == 1
    assert _job(db, job_id).due_at == T0 + timedelta(seconds=30)
    with db.read() as session:
        assert session.scalar(select(func.count()).select_from(Incident)) == 0
    assert worker.run_once(T0 + timedelta(seconds=30)) == 1
    row = _job(db, job_id)
    assert row.status == JobStatus.DEAD and row.attempts == 3 and row.finished_at == T0 + timedelta(seconds=30)
    assert worker.run_once(T0 + timedelta(days=1)) == 0  # dead jobs are never claimed

    detail = engine.show(instance.id)
    assert detail.instance.status == "running"  # the instance keeps going; the incident says what is missing
    (incident,) = detail.incidents
    assert incident.error == "servidor de correo no responde (intento 3)" and incident.error_type == "ConnectionError"
    assert incident.attempts == 3 and incident.element_id == "Activity_informar" and incident.actor == "w1"
    assert detail.history[-1].kind == "incident_opened"
    assert detail.history[-1].detail["kind"] == "send_notice" and detail.history[-1].detail["job_id"] == job_id

    # "Reintentar" queues it again with fresh attempts; the cause is fixed, so the worker finishes it
    view = engine.retry_incident(incident.id, "supervisor.raul")
    assert view.id == instance.id
    row = _job(db, job_id)
    assert row.status == JobStatus.PENDING and row.attempts == 0 and row.due_at > T0
    assert engine.show(instance.id).incidents[0].resolved_by == "supervisor.raul"
    fixed = Worker(engine, "w2", handlers={"send_notice": lambda e, j: None}, lease=LEASE)
    assert fixed.run_once(row.due_at) == 1
    assert _job(db, job_id).status == JobStatus.DONE


def test_a_job_whose_last_lease_ran_out_is_buried_not_run_again(engine: Engine, db: Database) -> None:
    instance = start(db, "PG-1003")
    with db.write() as session:
        job_id = jobs.enqueue(session, "send_notice", T0, {}, instance_id=instance.id, max_attempts=1)
    jobs.claim(db, "w1", T0, lease=LEASE)  # the worker process is killed mid-job
    assert jobs.claim(db, "w2", T0 + 2 * LEASE, lease=LEASE) == []
    row = _job(db, job_id)
    assert row.status == JobStatus.DEAD and row.last_error is not None and "venció su plazo" in row.last_error
    (incident,) = engine.show(instance.id).incidents
    assert incident.error_type == "WorkerLost" and incident.attempts == 1
    with db.read() as session:
        kinds = session.scalars(select(Event.kind).where(Event.instance_id == instance.id)).all()
    assert kinds[-1] == "incident_opened"
