"""The background worker: claims due jobs, runs each through the engine in its own transaction, and beats.

A job kind is a function ``(engine, job) -> None`` in ``JOB_HANDLERS``. Returning means done; raising means one
failed attempt (retried with backoff, then an incident). A handler whose work writes the database should mark the
job done in that same transaction (``jobs.finish_in``) so the work and the completion commit together; the
worker's own completion afterwards is then a no-op. Timers and messages plug in as further kinds.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import func, select

from engine import jobs
from engine.db import Database, utcnow
from engine.errors import Conflict
from engine.jobs import WorkerHeartbeat
from engine.messages import DELIVER_KIND
from engine.schedule import TIMER_START_KIND
from engine.scripting import StepContext, to_json_value
from engine.starts import SYSTEM_ACTOR
from engine.waits import ASYNC_KIND, TIMER_KIND

if TYPE_CHECKING:
    from engine.runtime import Engine

log = logging.getLogger("cauce.worker")

BEAT_EVERY = timedelta(seconds=1)
CHORES_EVERY = timedelta(seconds=1)
# A periodic chore the wiring passes in (e.g. e-mail delivery): called with the time, returns how much it did.
# The engine knows nothing of what chores do; a busy chore (returns > 0) keeps the loop from sleeping.
Chore = Callable[[datetime], int]
# Returns True when it already marked the job done in its own transaction (jobs.finish_in); else the worker does.
JobHandler = Callable[["Engine", jobs.ClaimedJob], bool | None]


def run_retry_incident(engine: Engine, job: jobs.ClaimedJob) -> None:
    """Re-run an incident's failed step (payload: incident_id, optional actor). Already resolved: nothing to do."""
    try:
        engine.rerun_incident(int(job.payload["incident_id"]), str(job.payload.get("actor") or SYSTEM_ACTOR))
    except Conflict:
        log.info("job %s: incident %s already resolved", job.id, job.payload["incident_id"])


def run_service_task(engine: Engine, job: jobs.ClaimedJob) -> bool:
    """Call a registered handler (payload: handler, params) in one transaction with the job's completion."""
    name = str(job.payload["handler"])
    params = dict(job.payload.get("params") or {})
    if name not in engine.handlers:
        raise LookupError(f"No hay ningún handler registrado con el nombre «{name}».")
    now = engine.clock()
    with engine.db.write() as session:
        ref = f"job#{job.id}" if job.instance_id is None else f"instance#{job.instance_id}"
        ctx = StepContext(session=session, actor=SYSTEM_ACTOR, initiator=None, instance_ref=ref, now=now)
        result = to_json_value(engine.handlers[name](ctx, **params))
        if job.instance_id is not None:
            from engine.models import Event

            session.add(Event(instance_id=job.instance_id, at=now, actor=SYSTEM_ACTOR, kind="job_run",
                              element_id=job.payload.get("element_id"), element_name=name,
                              detail={"job_id": job.id, "handler": name, "params": to_json_value(params),
                                      "result": result}))
        jobs.finish_or_raise(session, job, now)
    return True


def run_timer(engine: Engine, job: jobs.ClaimedJob) -> bool:
    """A wake-up at a timer's due time: fire whatever is due on the instance (nothing, if it went away)."""
    assert job.instance_id is not None, "a timer job belongs to an instance"
    engine.fire_timers(job.instance_id, job)
    return True


def run_timer_start(engine: Engine, job: jobs.ClaimedJob) -> bool:
    """Start one scheduled instance; the job is marked done in that same transaction, so it never starts twice."""
    engine.start_scheduled(job)
    return True


def run_async_task(engine: Engine, job: jobs.ClaimedJob) -> bool:
    """Run an asynchronous service task the step stopped at (payload: task_id, element_id)."""
    assert job.instance_id is not None, "an asynchronous task belongs to an instance"
    engine.run_async_task(job.instance_id, str(job.payload["task_id"]), job)
    return True


def run_deliver_message(engine: Engine, job: jobs.ClaimedJob) -> bool:
    engine.deliver_message(int(job.payload["message_id"]), job)
    return True


JOB_HANDLERS: dict[str, JobHandler] = {
    "retry_incident": run_retry_incident,
    "service_task": run_service_task,
    TIMER_KIND: run_timer,
    TIMER_START_KIND: run_timer_start,
    DELIVER_KIND: run_deliver_message,
    ASYNC_KIND: run_async_task,
}


def default_worker_id(prefix: str = "worker") -> str:
    return f"{prefix}-{socket.gethostname()}-{os.getpid()}-{threading.get_ident() % 100000}"


class Worker:
    def __init__(self, engine: Engine, worker_id: str | None = None, clock: Callable[[], datetime] | None = None,
                 handlers: Mapping[str, JobHandler] | None = None, batch: int = 10,
                 lease: timedelta = jobs.DEFAULT_LEASE, chores: Sequence[Chore] = ()) -> None:
        self.engine = engine
        self.db: Database = engine.db
        self.worker_id = worker_id or default_worker_id()
        self.clock = clock or engine.clock
        self.handlers = dict(JOB_HANDLERS if handlers is None else handlers)
        self.batch = batch
        self.lease = lease
        self.jobs_done = 0
        self._last_beat: datetime | None = None
        self.chores = tuple(chores)
        self._last_chores: datetime | None = None
        self._chores_busy = False

    def run_once(self, now: datetime | None = None) -> int:
        """Claim the jobs due at ``now`` (default: the clock), run each, beat; returns how many ran."""
        now = now or self.clock()
        claimed = jobs.claim(self.db, self.worker_id, now, self.batch, self.lease)
        for job in claimed:
            self._run(job, now)
        self.jobs_done += len(claimed)
        self.run_chores(now)
        # While busy, one heartbeat a second is plenty for /healthz; an idle pass always beats (it has time).
        if not claimed or self._last_beat is None or now - self._last_beat >= BEAT_EVERY:
            self.beat(now)
        return len(claimed)

    def run_chores(self, now: datetime) -> int:
        """Each chore at most once per CHORES_EVERY, unless the last pass found work (then straight on).
        A failing chore is logged and does not stop the jobs."""
        if not self.chores or not (self._chores_busy or self._last_chores is None
                                   or now - self._last_chores >= CHORES_EVERY):
            return 0
        self._last_chores = now
        done = 0
        for chore in self.chores:
            try:
                done += chore(now)
            except Exception:
                log.exception("worker %s: chore %s failed", self.worker_id, getattr(chore, "__name__", chore))
        self._chores_busy = done > 0
        return done

    def run_forever(self, stop: threading.Event, poll_seconds: float = 1.0) -> None:
        """Work until ``stop`` is set: straight on while there is work, else wait ``poll_seconds``."""
        while not stop.is_set():
            try:
                ran = self.run_once()
            except Exception:  # the database went away for a moment: say so and try again after the poll
                log.exception("worker %s: loop failed", self.worker_id)
                ran = 0
            if ran == 0 and not self._chores_busy:
                stop.wait(poll_seconds)

    def beat(self, now: datetime) -> None:
        self._last_beat = now
        with self.db.write() as session:
            row = session.get(WorkerHeartbeat, self.worker_id)
            if row is None:
                session.add(WorkerHeartbeat(worker_id=self.worker_id, last_beat_at=now, jobs_done=self.jobs_done))
            else:
                row.last_beat_at = now
                row.jobs_done = self.jobs_done

    def _run(self, job: jobs.ClaimedJob, now: datetime) -> None:
        handler = self.handlers.get(job.kind)
        try:
            if handler is None:
                raise LookupError(f"No hay ningún manejador para trabajos de tipo «{job.kind}».")
            finished = handler(self.engine, job)
        except jobs.Postpone as wait:
            jobs.postpone(self.db, job, now + wait.delay, str(wait))
            log.info("job %s (%s, instance %s) postponed: %s", job.id, job.kind, job.instance_id, wait,
                     extra={"job_id": job.id, "job_kind": job.kind, "instance_id": job.instance_id})
            return
        except Exception as exc:
            status = jobs.fail(self.db, job, exc, now)
            log.warning("job %s (%s, instance %s) attempt %s failed: %s -> %s", job.id, job.kind, job.instance_id,
                        job.attempts, jobs.describe(exc), status,
                        extra={"job_id": job.id, "job_kind": job.kind, "instance_id": job.instance_id})
            return
        if not finished:
            jobs.complete(self.db, job, now)
        log.info("job %s (%s, instance %s) done", job.id, job.kind, job.instance_id,
                 extra={"job_id": job.id, "job_kind": job.kind, "instance_id": job.instance_id})


def heartbeat_age(db: Database, now: datetime | None = None) -> float | None:
    """Seconds since the newest heartbeat of any worker, or None when no worker ever beat."""
    with db.read() as session:
        newest = session.scalar(select(func.max(WorkerHeartbeat.last_beat_at)))
    if newest is None:
        return None
    if newest.tzinfo is None:  # SQL aggregates bypass the column type's conversion on some backends
        from datetime import UTC

        newest = newest.replace(tzinfo=UTC)
    return max(((now or utcnow()) - newest).total_seconds(), 0.0)


@dataclass
class EmbeddedWorker:
    """The one worker thread an app process runs on SQLite. A daemon: it ends with the process."""

    worker: Worker
    thread: threading.Thread
    stop: threading.Event

    def shutdown(self, timeout: float = 5.0) -> None:
        self.stop.set()
        self.thread.join(timeout)


def start_embedded(engine: Engine, poll_seconds: float = 1.0, chores: Sequence[Chore] = ()) -> EmbeddedWorker:
    worker = Worker(engine, default_worker_id("embedded"), chores=chores)
    stop = threading.Event()
    thread = threading.Thread(target=worker.run_forever, args=(stop, poll_seconds), name="cauce-worker",
                              daemon=True)
    thread.start()
    return EmbeddedWorker(worker, thread, stop)
