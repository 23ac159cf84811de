"""Scale-out throughput: 1 worker process against 2 and 4, and 1 app process against 2, measured side by side.

``measure_workers`` needs a PostgreSQL server (the URL of any database on it: a throw-away database is created
next to it and dropped at the end). The database gets the standard roles, the demo users and ``bench/models``, and a
few ``simple`` instances the jobs belong to. Four ``cauce worker`` processes are started once and each has beaten
before anything is timed. One measurement lets N of them run (the others are paused with SIGSTOP while no job is
due, so a paused worker holds no job), enqueues ``jobs`` due ``service_task`` jobs in one transaction (each runs the
bench handler ``record_step`` and writes one ``job_run`` event in the job's own transaction), and times until every
job is done. The counts alternate inside each repeat, so each sees the same moments of the machine's noise; medians
are reported, with the ratios to 1 worker (``scale_ratio_4_vs_1``), and every sample.

``measure_embedded`` is the single-machine figure: one embedded worker thread (what ``cauce serve`` runs on
SQLite) in this process, on a SQLite file, with the same jobs.

``measure_http_scale`` (PostgreSQL) serves the JSON API with ``cauce serve --workers 1`` and ``--workers 2`` (both
started once, on two ports) and, in turn, has 8 client threads complete fresh distinct open tasks (``simple``'s
first review, which also runs its service task) through each: completions per second.

Run it: ``.venv/bin/python -m bench.worker_bench [--pg-url URL] [--jobs N] [--repeats R] [--no-http]``; the URL
defaults to ``CAUCE_BENCH_PG_URL`` or ``CAUCE_TEST_PG_URL``. Without one, only the SQLite figure is measured.
Prints one JSON object. About 1.5 minutes with the defaults on a 2-core machine.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections import Counter
from collections.abc import Iterator, Sequence
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
from engine.models import Event
from engine.runtime import Engine
from engine.worker import start_embedded
from handlers.errors import HandlerInputError
from webui.tokens import create_token

HOST = "127.0.0.1"
BENCH_MODELS = PROJECT_ROOT / "bench" / "models"
START_TIMEOUT = 60.0
RUN_TIMEOUT = 120.0
STOP_TIMEOUT = 20.0
REQUEST_TIMEOUT = 30.0
REPEATS = 5
WORKER_COUNTS = (1, 2, 4)
SERVER_COUNTS = (1, 2)
CLIENT_THREADS = 8
INSTANCES = 8  # the jobs' events are spread over these
FIRST_REVIEW = {"amount": 5000}  # simple's first task; large, so its service task runs as well


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


def wait_healthy(base_url: str, server: Child, timeout: float = START_TIMEOUT) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"cauce serve exited ({server.process.returncode}): {server.stderr()[-2000:]}")
        try:
            with urllib.request.urlopen(f"{base_url}/healthz", timeout=2) as answer:
                if answer.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            time.sleep(0.1)
    raise RuntimeError(f"cauce serve did not answer /healthz within {timeout:.0f} s")


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


# --- the measurements -------------------------------------------------------------------------------------------

def _job_events(db: Database, ids: Sequence[int]) -> int:
    with db.read() as session:
        return int(session.scalar(select(func.count()).select_from(Event).where(
            Event.kind == "job_run", Event.detail["job_id"].as_integer().in_(ids))) or 0)


def _cpu_seconds(pids: Sequence[int]) -> float | None:
    """User + system CPU seconds the processes have used so far (Linux /proc), or None where unknown."""
    total = 0.0
    try:
        ticks = os.sysconf("SC_CLK_TCK")
        for pid in pids:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / ticks  # utime, stime
    except (OSError, ValueError, IndexError):
        return None
    return total


def _backend_pids(database: str) -> list[int]:
    """The PostgreSQL server processes serving ``database`` on this machine (their titles name it)."""
    pids = []
    for entry in Path("/proc").iterdir() if Path("/proc").is_dir() else []:
        if entry.name.isdigit():
            try:
                title = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            except OSError:
                continue
            if title.startswith("postgres: ") and f" {database} " in title:
                pids.append(int(entry.name))
    return pids


def _use_workers(workers: Sequence[Child], active: int) -> None:
    """Let the first ``active`` worker processes run and pause the others (SIGSTOP). Called only while no job is
    due, so a paused worker holds no job: at most an empty claim or its own heartbeat row."""
    for n, worker in enumerate(workers):
        worker.process.send_signal(signal.SIGCONT if n < active else signal.SIGSTOP)


def measure_workers(server_url: str, job_count: int = 400, counts: Sequence[int] = WORKER_COUNTS,
                    repeats: int = REPEATS) -> dict[str, Any]:
    """``max(counts)`` worker processes are started once; for each measurement only N of them run (the others are
    paused), so start-up is paid once and every count is measured many times, alternating."""
    rates: dict[int, list[float]] = {n: [] for n in counts}
    cpu: dict[str, list[float]] = {"worker": [], "postgres": []}  # CPU ms per job, every measurement
    with fresh_postgres_database(server_url) as url, tempfile.TemporaryDirectory(prefix="cauce-wbench-") as tmp:
        db = Database(url)
        try:
            engine = prepare(db)
            instance_ids = [i for i, _ in start_simple(engine, INSTANCES)]
            with children(Path(tmp), cauce_env(url, Path(tmp))) as group:
                workers = [group.spawn(f"worker{n}", "worker", "--poll", "0.05", "--json") for n in range(max(counts))]
                wait_for_beats(db, workers)
                warm = enqueue_record_jobs(db, max(10, job_count // 4), instance_ids, "warm")
                wait_until_done(db, warm, watch=workers)
                for r in range(repeats):
                    for n in counts:
                        _use_workers(workers, n)
                        backends = _backend_pids(url.rpartition("/")[2])
                        cpu_before = _cpu_seconds([w.pid for w in workers]), _cpu_seconds(backends)
                        ids = enqueue_record_jobs(db, job_count, instance_ids, f"r{r}n{n}")
                        started = time.monotonic()
                        finished = wait_until_done(db, ids, watch=workers)
                        rates[n].append(job_count / (finished - started))
                        cpu_after = _cpu_seconds([w.pid for w in workers]), _cpu_seconds(backends)
                        for kind, before, after in zip(("worker", "postgres"), cpu_before, cpu_after, strict=True):
                            if before is not None and after is not None:
                                cpu[kind].append(1000 * (after - before) / job_count)
                        if _job_events(db, ids) != job_count:
                            raise RuntimeError(f"job_run events differ from the {job_count} jobs done")
                _use_workers(workers, len(workers))
                codes = group.stop_all()
            if any(code != 0 for code in codes):
                raise RuntimeError(f"a worker exited with {codes}")
        finally:
            db.dispose()
    medians = {n: statistics.median(v) for n, v in rates.items()}
    result: dict[str, Any] = {f"pg_workers_{n}_jobs_per_s": round(v, 1) for n, v in medians.items()}
    base = medians.get(1)
    if base:
        result.update({f"scale_ratio_{n}_vs_1": round(v / base, 3) for n, v in medians.items() if n != 1})
    for kind, values in cpu.items():
        if values:
            result[f"pg_{kind}_cpu_ms_per_job"] = round(statistics.median(values), 2)
    if cpu["worker"] and cpu["postgres"]:
        per_job = (statistics.median(cpu["worker"]) + statistics.median(cpu["postgres"])) / 1000
        result["pg_cpu_bound_jobs_per_s_per_core"] = round(1 / per_job, 1)  # what one core can give, at best
    result.update({"pg_jobs_per_measurement": job_count, "pg_repeats": repeats,
                   "pg_samples_jobs_per_s": {str(n): [round(x, 1) for x in v] for n, v in rates.items()}})
    return result


def measure_embedded(job_count: int = 400, repeats: int = REPEATS) -> dict[str, Any]:
    """One embedded worker thread on a SQLite file (the single-machine setup), same jobs."""
    rates = []
    with tempfile.TemporaryDirectory(prefix="cauce-wbench-sqlite-") as tmp:
        db = Database(f"sqlite:///{Path(tmp) / 'bench.db'}")
        try:
            engine = prepare(db)
            instance_ids = [i for i, _ in start_simple(engine, INSTANCES)]
            embedded = start_embedded(bench_engine(db), poll_seconds=0.05)
            try:
                for r in range(repeats + 1):  # the first is the warm-up
                    count = max(10, job_count // 4) if r == 0 else job_count
                    ids = enqueue_record_jobs(db, count, instance_ids, f"s{r}")
                    started = time.monotonic()
                    finished = wait_until_done(db, ids)
                    if r:
                        rates.append(count / (finished - started))
            finally:
                embedded.shutdown(timeout=STOP_TIMEOUT)
        finally:
            db.dispose()
    return {"sqlite_embedded_1_thread_jobs_per_s": round(statistics.median(rates), 1),
            "sqlite_jobs_per_measurement": job_count}


def _complete_all(base_url: str, tokens: Sequence[str], tasks: Sequence[int]) -> tuple[float, list[int]]:
    """CLIENT_THREADS threads complete ``tasks`` (a share each); completions per second and the statuses."""
    statuses: list[int] = []
    lock = threading.Lock()
    shares = [tasks[i::CLIENT_THREADS] for i in range(CLIENT_THREADS)]
    barrier = threading.Barrier(CLIENT_THREADS + 1)

    def client(i: int) -> None:
        barrier.wait(timeout=RUN_TIMEOUT)
        for task_id in shares[i]:
            status, _ = api_call(base_url, tokens[i % len(tokens)], "POST", f"/tasks/{task_id}/complete", FIRST_REVIEW)
            with lock:
                statuses.append(status)

    threads = [threading.Thread(target=client, args=(i,), daemon=True) for i in range(CLIENT_THREADS)]
    for thread in threads:
        thread.start()
    barrier.wait(timeout=RUN_TIMEOUT)
    started = time.monotonic()
    deadline = started + RUN_TIMEOUT
    for thread in threads:
        thread.join(timeout=max(deadline - time.monotonic(), 0.1))
    finished = time.monotonic()
    if any(thread.is_alive() for thread in threads):
        raise RuntimeError("HTTP clients did not finish in time")
    return len(tasks) / (finished - started), statuses


def _warm(base_url: str, token: str, processes: int) -> None:
    """Concurrent requests, so that every app process of the server has built its app before it is timed."""
    threads = [threading.Thread(target=api_call, args=(base_url, token, "GET", "/tasks"), daemon=True)
               for _ in range(4 * processes * 4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=RUN_TIMEOUT)


def measure_http_scale(server_url: str, tasks: int = 120, counts: Sequence[int] = SERVER_COUNTS,
                       repeats: int = REPEATS) -> dict[str, Any]:
    """One ``cauce serve --workers N`` per N, all started once on their own ports; measured in turn (an idle
    server costs nothing), each time on fresh open tasks."""
    rates: dict[int, list[float]] = {n: [] for n in counts}
    with fresh_postgres_database(server_url) as url, tempfile.TemporaryDirectory(prefix="cauce-hbench-") as tmp:
        db = Database(url)
        try:
            engine = prepare(db)
            with db.write() as session:
                tokens = [create_token(session, "tic.ana", f"bench-{i}", utcnow()) for i in range(2)]
            with children(Path(tmp), cauce_env(url, Path(tmp))) as group:
                bases: dict[int, str] = {}
                servers: dict[int, Child] = {}
                for n in counts:  # all start together; then each is waited for and warmed
                    port = free_port()
                    bases[n] = f"http://{HOST}:{port}"
                    servers[n] = group.spawn(f"serve{n}", "serve", "--host", HOST, "--port", str(port), "--workers",
                                             str(n), "--threads", "4")
                for n in counts:
                    wait_healthy(bases[n], servers[n])
                    _warm(bases[n], tokens[0], n)
                for _ in range(repeats):
                    for n in counts:
                        open_tasks = [task for _, task in start_simple(engine, tasks)]
                        per_s, statuses = _complete_all(bases[n], tokens, open_tasks)
                        if statuses.count(200) != tasks:
                            raise RuntimeError(f"HTTP completions: {Counter(statuses)}")
                        rates[n].append(per_s)
                group.stop_all()
        finally:
            db.dispose()
    medians = {n: statistics.median(v) for n, v in rates.items()}
    result: dict[str, Any] = {f"http_{n}_processes_completions_per_s": round(v, 1) for n, v in medians.items()}
    if medians.get(1):
        result.update({f"http_scale_ratio_{n}_vs_1": round(v / medians[1], 3) for n, v in medians.items() if n != 1})
    result.update({"http_tasks_per_measurement": tasks, "http_client_threads": CLIENT_THREADS, "http_repeats": repeats,
                   "http_samples_completions_per_s": {str(n): [round(x, 1) for x in v] for n, v in rates.items()},
                   "http_server": "cauce serve --workers N --threads 4 (gunicorn gthread), PostgreSQL, "
                                  "one connection per request"})
    return result


def run(server_url: str | None, job_count: int = 400, repeats: int = REPEATS, http_tasks: int = 120,
        http: bool = True, counts: Sequence[int] = WORKER_COUNTS) -> dict[str, Any]:
    started = time.monotonic()
    result: dict[str, Any] = {"cpus": os.cpu_count(), "load_average_1m_at_start": round(os.getloadavg()[0], 2)}
    result.update(measure_embedded(job_count, repeats))
    if server_url:
        result.update(measure_workers(server_url, job_count, counts, repeats))
        if http:
            result.update(measure_http_scale(server_url, http_tasks, repeats=repeats))
    else:
        result["pg"] = "not measured: pass --pg-url or set CAUCE_BENCH_PG_URL / CAUCE_TEST_PG_URL"
    result["seconds"] = round(time.monotonic() - started, 1)
    return result


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Worker and app-process throughput, 1 against N, side by side.")
    parser.add_argument("--pg-url", default=os.environ.get("CAUCE_BENCH_PG_URL") or os.environ.get("CAUCE_TEST_PG_URL"),
                        help="any database URL on the PostgreSQL server to use (a throw-away database is created)")
    parser.add_argument("--jobs", type=int, default=400, help="jobs per measurement")
    parser.add_argument("--repeats", type=int, default=REPEATS)
    parser.add_argument("--http-tasks", type=int, default=120, help="task completions per HTTP measurement")
    parser.add_argument("--no-http", action="store_true")
    args = parser.parse_args(argv)
    print(json.dumps(run(args.pg_url, max(1, args.jobs), max(1, args.repeats), max(1, args.http_tasks),
                         http=not args.no_http)))


if __name__ == "__main__":
    main()
