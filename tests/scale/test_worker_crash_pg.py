"""A worker process killed (SIGKILL) in the middle of a job: its writes vanish with its transaction, the job stays
``running`` under the dead worker's lease, and once that lease has run out another worker runs it exactly once.

The job is a ``service_task`` whose handler ``hold`` exists only in the worker script below: it writes an event
through the step's session, flushes it to the database, raises a flag file and then waits to be killed. The second
worker runs in this process with a ``hold`` that returns at once and a clock past the lease. Runs on SQLite (the
write transaction is ``BEGIN IMMEDIATE``) and on PostgreSQL when CAUCE_TEST_PG_URL is set.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select, text

from bench.fleet import cauce_env, start_simple
from bench.handlers import BENCH_HANDLERS
from engine import jobs
from engine.config import PROJECT_ROOT
from engine.db import utcnow
from engine.jobs import Job, JobStatus
from engine.models import Event
from engine.runtime import Engine
from engine.worker import Worker
from handlers.errors import HandlerInputError
from tests.scale.conftest import Seeded

pytestmark = pytest.mark.slow

WORKER_SCRIPT = """
import os, sys, time
from pathlib import Path

from bench.handlers import BENCH_HANDLERS
from engine.db import Database
from engine.models import Event
from engine.runtime import Engine
from engine.worker import Worker
from handlers.errors import HandlerInputError

flag = Path(sys.argv[1])


def hold(ctx, label):
    ctx.session.add(Event(instance_id=None, at=ctx.now, actor=ctx.actor, kind="crash_probe", detail={"label": label}))
    ctx.session.flush()  # the write has reached the database, inside the still open transaction
    flag.write_text(str(os.getpid()))
    time.sleep(60)  # killed long before; bounded all the same
    return {"label": label}


db = Database(os.environ["DATABASE_URL"])
engine = Engine(db, {**BENCH_HANDLERS, "hold": hold}, input_errors=(HandlerInputError,))
Worker(engine, sys.argv[2]).run_once()
"""

FLAG_TIMEOUT = 45.0


def _probe(ctx: Any, label: str) -> dict[str, Any]:
    ctx.session.add(Event(instance_id=None, at=ctx.now, actor=ctx.actor, kind="crash_probe", detail={"label": label}))
    return {"label": label}


def _counts(seeded: Seeded) -> Counter[str]:
    with seeded.db.read() as session:
        rows = session.execute(select(Event.kind, func.count()).where(Event.kind.in_(["crash_probe", "job_run"]))
                               .group_by(Event.kind)).all()
    return Counter({kind: count for kind, count in rows})


def _a_write_transaction_is_open(seeded: Seeded) -> bool:
    """The killed worker really was inside its job's transaction: PostgreSQL shows a backend idle in a transaction;
    SQLite's write lock is taken (another BEGIN IMMEDIATE fails at once)."""
    if seeded.db.dialect == "postgresql":
        with seeded.db.read() as session:
            return bool(session.scalar(text(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND state = 'idle in transaction' AND pid <> pg_backend_pid()")))
    probe = sqlite3.connect(seeded.url.removeprefix("sqlite:///"), timeout=0.1, isolation_level=None)
    try:
        probe.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError as exc:
        return "locked" in str(exc)
    else:
        probe.execute("ROLLBACK")
        return False
    finally:
        probe.close()


def test_a_worker_killed_mid_job_leaves_no_partial_state_and_the_job_runs_again(seeded: Seeded,
                                                                                 tmp_path: Path) -> None:
    [(instance_id, _)] = start_simple(seeded.engine, 1)
    with seeded.db.write() as session:
        job_id = jobs.enqueue(session, "service_task", utcnow(), {"handler": "hold", "params": {"label": "uno"}},
                              instance_id=instance_id)
    flag = tmp_path / "holding"
    log = (tmp_path / "doomed.log").open("wb")
    doomed = subprocess.Popen([sys.executable, "-c", WORKER_SCRIPT, str(flag), "doomed"], cwd=PROJECT_ROOT,
                              env=cauce_env(seeded.url, tmp_path), stdin=subprocess.DEVNULL, stdout=log,
                              stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + FLAG_TIMEOUT
        while not flag.exists():
            assert doomed.poll() is None, (tmp_path / "doomed.log").read_text()
            assert time.monotonic() < deadline, "the worker never reached the middle of its job"
            time.sleep(0.02)
        assert flag.read_text() == str(doomed.pid)
        assert _a_write_transaction_is_open(seeded)
        os.kill(doomed.pid, signal.SIGKILL)
        assert doomed.wait(timeout=10) == -signal.SIGKILL
    finally:
        if doomed.poll() is None:
            doomed.kill()
            doomed.wait(timeout=10)
        log.close()

    # Nothing of the half-done job is visible: not the handler's event, not the job's own audit event.
    assert _counts(seeded) == Counter()
    with seeded.db.read() as session:
        row = session.get(Job, job_id)
        assert row is not None
        assert (row.status, row.locked_by, row.attempts, row.finished_at) == (JobStatus.RUNNING, "doomed", 1, None)
        lease_end = row.locked_until
    assert lease_end is not None and lease_end > utcnow()

    # While the lease holds, no other worker touches the job.
    rescuer_engine = Engine(seeded.db, {**BENCH_HANDLERS, "hold": _probe}, input_errors=(HandlerInputError,))
    assert Worker(rescuer_engine, "early").run_once(utcnow()) == 0

    # Past the lease, another worker claims it again and it completes exactly once.
    past_lease = lease_end + timedelta(seconds=1)
    rescuer = Worker(rescuer_engine, "rescuer", clock=lambda: past_lease)
    assert rescuer.run_once() == 1
    assert rescuer.run_once() == 0
    assert _counts(seeded) == Counter({"crash_probe": 1, "job_run": 1})
    with seeded.db.read() as session:
        row = session.get(Job, job_id)
        assert row is not None
        assert (row.status, row.locked_by, row.attempts) == (JobStatus.DONE, "rescuer", 2)
        event = session.scalars(select(Event).where(Event.kind == "job_run")).one()
    assert event.instance_id == instance_id and event.detail["job_id"] == job_id
