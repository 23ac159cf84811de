"""The job table: work due at a time (timers, messages, asynchronous service tasks, retries) that a worker
claims with a lease, runs in its own transaction, and completes, retries with backoff, or buries as an incident.

Claiming is safe with several workers: on PostgreSQL the due rows are read ``FOR UPDATE SKIP LOCKED``, so two
workers never take the same row; on SQLite the claim runs in one ``BEGIN IMMEDIATE`` transaction, so claims queue.
A claim sets ``locked_until``; a worker that dies mid-job leaves its job ``running`` with a lease that runs out,
after which any worker claims it again (and the attempt it used counts).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import JSON, Enum, ForeignKey, Index, Integer, String, Text, and_, or_, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from dbtypes import UTCDateTime
from engine.db import Base, Database, insert_unless_present, utcnow
from engine.errors import StepFailed

DEFAULT_LEASE = timedelta(minutes=5)
BACKOFF_BASE_SECONDS = 10
BACKOFF_CAP = timedelta(hours=1)


class Postpone(Exception):
    """Raised by a job handler whose job cannot run yet (its instance is suspended): due again after ``delay``,
    without using up an attempt."""

    def __init__(self, reason: str, delay: timedelta = timedelta(minutes=1)) -> None:
        super().__init__(reason)
        self.delay = delay


class LeaseLost(Exception):
    """Another worker took the job after this one's lease ran out: this run's writes are rolled back."""


class JobStatus(enum.StrEnum):
    PENDING = "pending"
    RUNNING = "running"
    DONE = "done"
    DEAD = "dead"  # used up its attempts: an incident says why


class Job(Base):
    __tablename__ = "job"
    # Workers ask "pending (or running with a lapsed lease) and due": one index range, in due order.
    __table_args__ = (Index("ix_job_status_due_at", "status", "due_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(60))
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("instance.id"), index=True)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[JobStatus] = mapped_column(Enum(JobStatus, name="job_status", native_enum=False, length=20,
                                                   values_callable=lambda e: [m.value for m in e]))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    max_attempts: Mapped[int] = mapped_column(Integer, default=5)
    last_error: Mapped[str | None] = mapped_column(Text)
    locked_by: Mapped[str | None] = mapped_column(String(100))
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    dedupe_key: Mapped[str | None] = mapped_column(String(200), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class WorkerHeartbeat(Base):
    """One row per worker: when it last looked for work and how many jobs it has run."""

    __tablename__ = "worker_heartbeat"

    worker_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    last_beat_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    jobs_done: Mapped[int] = mapped_column(Integer, default=0)


@dataclass(frozen=True)
class ClaimedJob:
    """What a job handler gets: a plain copy of the claimed row (its attempt already counted)."""

    id: int
    kind: str
    instance_id: int | None
    payload: dict[str, Any]
    attempts: int
    max_attempts: int
    due_at: datetime
    locked_by: str

    @classmethod
    def of(cls, row: Job) -> ClaimedJob:
        assert row.locked_by is not None
        return cls(row.id, row.kind, row.instance_id, dict(row.payload or {}), row.attempts, row.max_attempts,
                   row.due_at, row.locked_by)


def enqueue(session: Session, kind: str, due_at: datetime, payload: dict[str, Any] | None = None,
            instance_id: int | None = None, dedupe_key: str | None = None, max_attempts: int = 5) -> int | None:
    """Add a job in the caller's transaction. A job with the same ``dedupe_key`` already there: nothing is
    added and None is returned (the insert never fails, so the caller's transaction goes on)."""
    values = {"kind": kind, "instance_id": instance_id, "due_at": due_at, "payload": payload or {},
              "status": JobStatus.PENDING, "attempts": 0, "max_attempts": max_attempts, "dedupe_key": dedupe_key,
              "created_at": utcnow()}
    return insert_unless_present(session, Job, values, "dedupe_key" if dedupe_key is not None else None)


def claim(db: Database, worker_id: str, now: datetime, limit: int = 10,
          lease: timedelta = DEFAULT_LEASE) -> list[ClaimedJob]:
    """Take up to ``limit`` due jobs, oldest due first, and lease them to ``worker_id`` until now + lease."""
    due = or_(and_(Job.status == JobStatus.PENDING, Job.due_at <= now),
              and_(Job.status == JobStatus.RUNNING, Job.locked_until < now))
    query = select(Job).where(due).order_by(Job.due_at, Job.id).limit(limit)
    if db.dialect == "postgresql":
        query = query.with_for_update(skip_locked=True)
    with db.write() as session:  # BEGIN IMMEDIATE on SQLite: one claimer at a time
        rows = []
        for row in session.scalars(query):
            if row.attempts >= row.max_attempts:  # its last attempt died with its worker: bury it, do not rerun
                _bury(session, row, "WorkerLost", f"El trabajador {row.locked_by} no terminó el trabajo "
                                                  f"(venció su plazo) tras {row.attempts} intentos.", now)
                continue
            rows.append(row)
            row.status = JobStatus.RUNNING
            row.locked_by = worker_id
            row.locked_until = now + lease
            row.attempts += 1
        session.flush()
        return [ClaimedJob.of(row) for row in rows]


def finish_in(session: Session, job: ClaimedJob, now: datetime) -> bool:
    """Mark the job done inside the caller's transaction, if this worker still holds it. A handler that writes
    calls this in its own transaction so its effects and the job's completion commit together."""
    result = session.execute(
        update(Job).where(Job.id == job.id, Job.status == JobStatus.RUNNING, Job.locked_by == job.locked_by)
        .values(status=JobStatus.DONE, finished_at=now, locked_until=None))
    return bool(getattr(result, "rowcount", 0))


def finish_or_raise(session: Session, job: ClaimedJob, now: datetime) -> None:
    """``finish_in``, and roll the caller's transaction back (LeaseLost) when the job is no longer this worker's:
    for work that must not happen twice, such as starting an instance."""
    if not finish_in(session, job, now):
        raise LeaseLost(f"El trabajo {job.id} ya no pertenece a {job.locked_by}.")


def complete(db: Database, job: ClaimedJob, now: datetime) -> bool:
    with db.write() as session:
        return finish_in(session, job, now)


def postpone(db: Database, job: ClaimedJob, due_at: datetime, reason: str) -> bool:
    with db.write() as session:
        result = session.execute(
            update(Job).where(Job.id == job.id, Job.status == JobStatus.RUNNING, Job.locked_by == job.locked_by)
            .values(status=JobStatus.PENDING, due_at=due_at, attempts=Job.attempts - 1, locked_until=None,
                    last_error=reason))
        return bool(getattr(result, "rowcount", 0))


def backoff(attempts: int) -> timedelta:
    """10 s, 20 s, 40 s... after the 1st, 2nd, 3rd failed attempt, at most an hour."""
    return min(timedelta(seconds=BACKOFF_BASE_SECONDS * 2 ** max(attempts - 1, 0)), BACKOFF_CAP)


def fail(db: Database, job: ClaimedJob, error: BaseException, now: datetime) -> JobStatus | None:
    """Record a failed attempt: due again after a backoff, or dead (with an incident) once out of attempts.
    Returns the job's new status, or None when this worker no longer held the job."""
    text = describe(error)
    with db.write() as session:
        row = session.get(Job, job.id)
        if row is None or row.status != JobStatus.RUNNING or row.locked_by != job.locked_by:
            return None
        row.last_error = text
        row.locked_until = None
        if row.attempts < row.max_attempts:
            row.status = JobStatus.PENDING
            row.due_at = now + backoff(row.attempts)
            return row.status
        # A failed engine step already opened its own incident on the instance; do not open a second one.
        cause = getattr(error, "cause", None) or error  # a failed step names its element and the real error
        _bury(session, row, type(cause).__name__, text, now, incident=not isinstance(error, StepFailed),
              element_id=getattr(error, "element_id", None))
        return row.status


def _bury(session: Session, row: Job, error_type: str, text: str, now: datetime, incident: bool = True,
          element_id: str | None = None) -> None:
    from engine.incidents import open_for_job

    row.status = JobStatus.DEAD
    row.finished_at = now
    row.last_error = text
    row.locked_until = None
    if incident and row.instance_id is not None:
        open_for_job(session, row, error_type, text, now, element_id)


def requeue(session: Session, job_id: int, now: datetime) -> Job | None:
    """Give a dead job a fresh set of attempts, due now (a supervisor retried its incident)."""
    row = session.get(Job, job_id)
    if row is None or row.status != JobStatus.DEAD:
        return row
    row.status = JobStatus.PENDING
    row.due_at = now
    row.attempts = 0
    row.locked_by = None
    row.locked_until = None
    row.finished_at = None
    return row


def describe(error: BaseException) -> str:
    message = getattr(error, "message", None) or str(error).strip() or type(error).__name__
    return str(message).splitlines()[0][:2000]
