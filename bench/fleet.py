"""What the scale-out benchmark and tests share: throw-away PostgreSQL databases seeded like ``cauce demo``, and
``cauce`` OS processes (workers, app servers) with their output in files, every wait bounded, and whatever still
runs at the end of a block killed."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from sqlalchemy import create_engine, func, select, text

from bench.handlers import BENCH_HANDLERS
from cli.demo import seed_demo
from cli.wiring import initialize
from engine import jobs
from engine.config import PROJECT_ROOT
from engine.db import Database, utcnow
from engine.jobs import Job, JobStatus, WorkerHeartbeat
from engine.runtime import Engine
from handlers.errors import HandlerInputError

HOST = "127.0.0.1"
BENCH_MODELS = PROJECT_ROOT / "bench" / "models"
START_TIMEOUT = 60.0
RUN_TIMEOUT = 120.0
STOP_TIMEOUT = 20.0
REQUEST_TIMEOUT = 30.0


# --- PostgreSQL databases and a seeded cauce --------------------------------------------------------------------

@contextmanager
def fresh_postgres_database(server_url: str, prefix: str = "cauce_bench") -> Iterator[str]:
    """A new, empty database on the server ``server_url`` points at; dropped (connections forced off) at the end."""
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        base, _, _ = server_url.rpartition("/")
        try:
            yield f"{base}/{name}"
        finally:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


def bench_engine(db: Database) -> Engine:
    return Engine(db, BENCH_HANDLERS, input_errors=(HandlerInputError,))


def prepare(db: Database) -> Engine:
    """Schema, standard roles, demo users and ledger, and bench/models deployed: what ``CAUCE_HANDLERS=bench
    cauce demo`` gives, without processes/ (nothing here uses them)."""
    initialize(db)
    seed_demo(db)
    engine = bench_engine(db)
    engine.deploy([BENCH_MODELS], "disenador.eva")
    return engine


def start_simple(engine: Engine, count: int, actor: str = "tic.ana") -> list[tuple[int, int]]:
    """``count`` instances of ``simple``: (instance id, id of its open first-review task) each."""
    started = []
    for _ in range(count):
        view = engine.start("simple", actor, {})
        started.append((view.id, view.open_tasks[0].id))
    return started


def enqueue_record_jobs(db: Database, count: int, instance_ids: Sequence[int], tag: str = "j") -> list[int]:
    """``count`` due ``service_task`` jobs calling ``record_step``, in one transaction; their ids."""
    now = utcnow()
    with db.write() as session:
        ids = [jobs.enqueue(session, "service_task", now, {"handler": "record_step", "params": {"label": f"{tag}{n}"},
                                                           "element_id": "Activity_record_step"},
                            instance_id=instance_ids[n % len(instance_ids)]) for n in range(count)]
    return [i for i in ids if i is not None]


def count_done(db: Database, ids: Sequence[int] | None = None) -> int:
    query = select(func.count()).select_from(Job).where(Job.status == JobStatus.DONE)
    if ids is not None:
        query = query.where(Job.id.in_(ids))
    with db.read() as session:
        return int(session.scalar(query) or 0)


# --- OS processes, always bounded -------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


def cauce_env(database_url: str, home: Path, **extra: str) -> dict[str, str]:
    """The environment of a ``cauce`` subprocess: this database, the bench handlers, JSON logs."""
    env = {k: v for k, v in os.environ.items() if k not in ("CAUCE_DEBUG", "CAUCE_PROCESSES_DIR")}
    env.update(DATABASE_URL=database_url, CAUCE_INSTANCE_DIR=str(home), CAUCE_HANDLERS="bench",
               CAUCE_SECRET_KEY="bench-" + "0" * 32, CAUCE_LOG_FORMAT="json", PYTHONIOENCODING="utf-8", **extra)
    return env


@dataclass
class Child:
    """One ``cauce`` subprocess, its stdout and stderr kept in files (never a pipe that could fill up)."""

    name: str
    process: subprocess.Popen[bytes]
    stdout_path: Path
    stderr_path: Path
    files: list[IO[bytes]] = field(default_factory=list)
    terminated: bool = False

    def terminate(self) -> None:
        """SIGTERM once: a second one could land after the command restored the default handler, and kill it."""
        if not self.terminated and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            self.terminated = True

    @property
    def pid(self) -> int:
        return self.process.pid

    def stdout(self) -> str:
        return self.stdout_path.read_text(encoding="utf-8", errors="replace")

    def stderr(self) -> str:
        return self.stderr_path.read_text(encoding="utf-8", errors="replace")

    def close_files(self) -> None:
        for handle in self.files:
            handle.close()
        self.files.clear()


class Children:
    """Every subprocess a run starts; ``stop_all`` (SIGTERM, then SIGKILL after a timeout) always ends them."""

    def __init__(self, home: Path, env: dict[str, str]) -> None:
        self.home = home
        self.env = env
        self.children: list[Child] = []

    def spawn(self, name: str, *args: str, env: dict[str, str] | None = None) -> Child:
        out_path, err_path = self.home / f"{name}.out", self.home / f"{name}.err"
        out, err = out_path.open("wb"), err_path.open("wb")
        process = subprocess.Popen([sys.executable, "-m", "cli.main", *args], cwd=PROJECT_ROOT, env=env or self.env,
                                   stdin=subprocess.DEVNULL, stdout=out, stderr=err)
        child = Child(name, process, out_path, err_path, [out, err])
        self.children.append(child)
        return child

    def stop(self, child: Child, timeout: float = STOP_TIMEOUT) -> int:
        """SIGTERM, wait up to ``timeout``, then SIGKILL; the exit code."""
        if child.process.poll() is None:
            child.terminate()
            try:
                child.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                child.process.kill()
                child.process.wait(timeout=10)
        child.close_files()
        return child.process.returncode

    def stop_all(self, timeout: float = STOP_TIMEOUT) -> list[int]:
        codes = []
        for child in self.children:
            child.terminate()
        for child in self.children:
            codes.append(self.stop(child, timeout))
        self.children.clear()
        return codes

    def kill_all(self) -> None:
        for child in self.children:
            if child.process.poll() is None:
                child.process.kill()
        for child in self.children:
            try:
                child.process.wait(timeout=10)
            finally:
                child.close_files()
        self.children.clear()


@contextmanager
def children(home: Path, env: dict[str, str]) -> Iterator[Children]:
    group = Children(home, env)
    try:
        yield group
    finally:
        group.kill_all()  # whatever the block did not stop itself


def worker_id_prefix(pid: int) -> str:
    """What ``engine.worker.default_worker_id`` starts with in the process ``pid`` (same host)."""
    return f"worker-{socket.gethostname()}-{pid}-"


def wait_for_beats(db: Database, workers: Sequence[Child], timeout: float = START_TIMEOUT) -> dict[int, str]:
    """Wait until each worker process has written its heartbeat row; pid -> worker id."""
    deadline = time.monotonic() + timeout
    while True:
        with db.read() as session:
            ids = list(session.scalars(select(WorkerHeartbeat.worker_id)))
        found = {w.pid: next((i for i in ids if i.startswith(worker_id_prefix(w.pid))), None) for w in workers}
        if all(found.values()):
            return {pid: str(worker_id) for pid, worker_id in found.items()}
        for w in workers:
            if w.process.poll() is not None:
                raise RuntimeError(f"{w.name} exited ({w.process.returncode}): {w.stderr()[-2000:]}")
        if time.monotonic() > deadline:
            raise RuntimeError(f"the workers did not beat within {timeout:.0f} s")
        time.sleep(0.05)


def wait_until_done(db: Database, ids: Sequence[int], timeout: float = RUN_TIMEOUT, poll: float = 0.02,
                    watch: Sequence[Child] = ()) -> float:
    """Wait until every job in ``ids`` is done; the monotonic time it was seen so."""
    deadline = time.monotonic() + timeout
    while count_done(db, ids) < len(ids):
        for w in watch:
            if w.process.poll() is not None:
                raise RuntimeError(f"{w.name} exited ({w.process.returncode}): {w.stderr()[-2000:]}")
        if time.monotonic() > deadline:
            raise RuntimeError(f"{len(ids) - count_done(db, ids)} of {len(ids)} jobs not done after {timeout:.0f} s")
        time.sleep(poll)
    return time.monotonic()


def wait_for_health(base_url: str, process: subprocess.Popen[bytes], output: Callable[[], str],
                    timeout: float = START_TIMEOUT) -> None:
    """Until ``cauce serve`` at ``base_url`` answers /healthz with 200; its ``output`` explains an early exit."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"cauce serve exited ({process.returncode}): {output()[-2000:]}")
        try:
            with urllib.request.urlopen(f"{base_url}/healthz", timeout=2) as answer:
                if answer.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            time.sleep(0.1)
    raise RuntimeError(f"cauce serve did not answer /healthz within {timeout:.0f} s")


def wait_healthy(base_url: str, server: Child, timeout: float = START_TIMEOUT) -> None:
    wait_for_health(base_url, server.process, server.stderr, timeout)


def api_call(base_url: str, token: str, method: str, path: str, body: dict[str, Any] | None = None,
             timeout: float = REQUEST_TIMEOUT) -> tuple[int, Any]:
    """One JSON API request on a new connection: (status, decoded body). HTTP errors are answers, not raised."""
    data = json.dumps(body).encode("utf-8") if body is not None else None
    request = urllib.request.Request(f"{base_url}/api/v1{path}", data=data, method=method,
                                     headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as error:
        with error:
            raw = error.read()
        try:
            return error.code, json.loads(raw)
        except ValueError:
            return error.code, raw.decode("utf-8", errors="replace")
