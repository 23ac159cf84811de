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
import statistics
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from bench.fleet import (
    HOST,
    RUN_TIMEOUT,
    STOP_TIMEOUT,
    Child,
    api_call,
    bench_engine,
    cauce_env,
    children,
    enqueue_record_jobs,
    free_port,
    fresh_postgres_database,
    prepare,
    start_simple,
    wait_for_beats,
    wait_healthy,
    wait_until_done,
)
from engine.db import Database, utcnow
from engine.models import Event
from engine.worker import start_embedded
from webui.tokens import create_token

REPEATS = 5
WORKER_COUNTS = (1, 2, 4)
SERVER_COUNTS = (1, 2)
CLIENT_THREADS = 8
FIRST_REVIEW = {"amount": 5000}  # simple's first task; large, so its service task runs as well
INSTANCES = 8  # the jobs' events are spread over these

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
