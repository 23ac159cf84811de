"""Four ``cauce worker`` OS processes on one PostgreSQL database run 2,000 due jobs: each exactly once, none lost.

Each job is a ``service_task`` calling the bench handler ``record_step`` for an instance, so its effect is a
``job_run`` event written in the same transaction that marks the job done: counting those events per job proves
exactly-once, not merely that the job rows say "done".
"""

from __future__ import annotations

import json
import time
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import select

from bench.fleet import cauce_env, children, enqueue_record_jobs, start_simple, wait_for_beats, wait_until_done
from engine.jobs import Job, WorkerHeartbeat
from engine.models import Event
from tests.scale.conftest import Seeded

pytestmark = pytest.mark.slow

JOBS = 2000
WORKERS = 4
RUN_TIMEOUT = 90.0


def test_four_worker_processes_run_2000_jobs_exactly_once(pg: Seeded, tmp_path: Path) -> None:
    instance_ids = [instance for instance, _ in start_simple(pg.engine, 8)]
    started = time.monotonic()
    with children(tmp_path, cauce_env(pg.url, tmp_path)) as group:
        workers = [group.spawn(f"worker{n}", "worker", "--poll", "0.05", "--json") for n in range(WORKERS)]
        # Every process is up and polling before the jobs appear, so none can finish them all alone.
        worker_ids = wait_for_beats(pg.db, workers)
        job_ids = enqueue_record_jobs(pg.db, JOBS, instance_ids)
        assert len(job_ids) == JOBS
        wait_until_done(pg.db, job_ids, timeout=RUN_TIMEOUT, watch=workers)
        codes = group.stop_all()  # SIGTERM: each finishes its pass and exits by itself
    elapsed = time.monotonic() - started
    assert codes == [0] * WORKERS, [w.stderr()[-2000:] for w in workers]

    with pg.db.read() as session:
        rows = session.execute(select(Job.id, Job.status, Job.attempts, Job.locked_by, Job.instance_id)).all()
        events = session.execute(select(Event.instance_id, Event.detail).where(Event.kind == "job_run")).all()
        beats = {b.worker_id: b.jobs_done for b in session.scalars(select(WorkerHeartbeat))}

    # Every job done, on its first attempt (no lease ran out, nobody took a job twice).
    assert len(rows) == JOBS and {r.id for r in rows} == set(job_ids)
    assert Counter(r.status.value for r in rows) == Counter({"done": JOBS})
    assert Counter(r.attempts for r in rows) == Counter({1: JOBS})
    # Each job's effect exactly once, on its own instance: none lost, none doubled.
    assert Counter(e.detail["job_id"] for e in events) == Counter({job_id: 1 for job_id in job_ids})
    instance_of = {r.id: r.instance_id for r in rows}
    assert all(e.instance_id == instance_of[e.detail["job_id"]] for e in events)

    # All four processes took part, and their own counts agree with the rows they locked.
    by_worker = Counter(r.locked_by for r in rows)
    assert set(by_worker) == set(worker_ids.values()) and len(by_worker) == WORKERS
    assert all(count > 0 for count in by_worker.values())
    assert beats == dict(by_worker)
    summaries = {json.loads(w.stdout())["worker_id"]: json.loads(w.stdout())["jobs_run"] for w in workers}
    assert summaries == dict(by_worker)

    # The structured logs tell the same story: each job reported done once, by the worker that holds it.
    done_logged: Counter[int] = Counter()
    for w in workers:
        for line in w.stderr().splitlines():
            entry = json.loads(line)
            assert entry["level"] in ("info", "debug"), entry  # no failed attempt, no loop error
            if entry.get("message", "").endswith(" done"):
                done_logged[entry["job_id"]] += 1
    assert done_logged == Counter({job_id: 1 for job_id in job_ids})
    assert elapsed < RUN_TIMEOUT + 60
