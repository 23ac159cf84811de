"""``cauce worker``: one pass with --once, and a long-running worker that stops cleanly on SIGTERM."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from cli.main import main
from engine import jobs
from engine.db import Database, utcnow
from engine.jobs import Job, JobStatus, WorkerHeartbeat

ROOT = Path(__file__).resolve().parents[2]




def _enqueue(home: Path, count: int) -> Database:
    db = Database(f"sqlite:///{home / 'c.db'}")
    with db.write() as session:
        for n in range(count):
            jobs.enqueue(session, "service_task", utcnow(), {"handler": "describe_payment",
                                                             "params": {"payment": f"PG-100{n % 3 + 1}"}})
    return db


def test_worker_once_runs_what_is_due_and_reports_it(home: Path) -> None:
    runner = CliRunner()
    refused = runner.invoke(main, ["worker", "--once"])
    assert refused.exit_code == 1 and "no está inicializada" in refused.output and "cauce init" in refused.output
    assert runner.invoke(main, ["demo", "--json"]).exit_code == 0
    db = _enqueue(home, 3)
    try:
        answer = runner.invoke(main, ["worker", "--once", "--json"])
        assert answer.exit_code == 0, answer.output
        body = json.loads(answer.output)
        assert body["jobs_run"] == 3 and body["worker_id"].startswith("worker-")
        with db.read() as session:
            assert set(session.scalars(select(Job.status))) == {JobStatus.DONE}
            assert session.scalars(select(WorkerHeartbeat.jobs_done)).one() == 3
        again = runner.invoke(main, ["worker", "--once"])
        assert again.exit_code == 0 and again.output.endswith(": 0 trabajo(s) ejecutado(s).\n")
    finally:
        db.dispose()


@pytest.mark.slow
def test_worker_runs_until_sigterm(home: Path) -> None:
    assert CliRunner().invoke(main, ["demo"]).exit_code == 0
    db = _enqueue(home, 2)
    process = subprocess.Popen([sys.executable, "-m", "cli.main", "worker", "--poll", "0.05", "--json"], cwd=ROOT,
                               env=dict(os.environ), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with db.read() as session:
                if session.scalars(select(WorkerHeartbeat.jobs_done)).first() == 2:
                    break
            time.sleep(0.05)
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
        db.dispose()
    assert process.returncode == 0, err
    logged = [json.loads(line) for line in err.splitlines()]  # structured logs: one JSON object per line
    assert sorted(entry["job_id"] for entry in logged if entry["message"].endswith("done")) == [1, 2]
    assert json.loads(out)["jobs_run"] == 2
