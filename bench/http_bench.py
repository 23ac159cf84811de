"""The JSON API measured against the engine it wraps, in one run.

``measure_http`` prepares a fresh SQLite database (``cauce demo`` with ``CAUCE_HANDLERS=bench``, which also deploys
bench/models), creates a token for tic.ana with ``cauce token``, serves the app with ``cauce serve`` on a free port of
127.0.0.1, and runs the ``simple`` process (start, then its two tasks) through the API with urllib: three requests
per instance, a new connection each. Alternating with it, the same instances run through an in-process Engine on
the same database (``bench.runs.run_persisted``). Reports both rates and their ratio (target >= 0.25).

Run it alone: ``.venv/bin/python -m bench.http_bench [--instances N]`` prints one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from bench.fleet import free_port, wait_for_health
from bench.handlers import BENCH_HANDLERS
from bench.runs import SIMPLE_ANSWERS, Case, rate, run_persisted
from engine.config import PROJECT_ROOT
from engine.db import Database
from engine.runtime import Engine
from handlers.errors import HandlerInputError

HOST = "127.0.0.1"
REQUEST_TIMEOUT = 10.0
START_TIMEOUT = 60.0
SETUP_TIMEOUT = 120.0
REPEATS = 3


def _cauce(env: dict[str, str], *args: str) -> Any:
    done = subprocess.run([sys.executable, "-m", "cli.main", *args, "--json"], cwd=PROJECT_ROOT, env=env,
                          capture_output=True, text=True, timeout=SETUP_TIMEOUT, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"cauce {' '.join(args)} failed: {done.stdout.strip()} {done.stderr.strip()}")
    return json.loads(done.stdout)


class Client:
    """The API over plain urllib: one connection per request, as a simple script would do."""

    def __init__(self, base: str, token: str) -> None:
        self.base = base
        self.headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}

    def call(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        data = json.dumps(body).encode("utf-8") if body is not None else None
        request = urllib.request.Request(self.base + path, data=data, method=method, headers=self.headers)
        with urllib.request.urlopen(request, timeout=REQUEST_TIMEOUT) as answer:
            return json.loads(answer.read())


def run_http(client: Client, count: int) -> float:
    """``count`` instances of ``simple``: start, then complete each open task with its bench answer."""
    started = time.perf_counter()
    for _ in range(count):
        view = client.call("POST", "/processes/simple/instances", {})
        while view["open_tasks"]:
            task = view["open_tasks"][0]
            _, data = SIMPLE_ANSWERS[task["element_id"]]
            view = client.call("POST", f"/tasks/{task['id']}/complete", data)
        if view["status"] != "completed":
            raise RuntimeError(f"instance {view['id']} ended {view['status']}")
    return rate(count, time.perf_counter() - started)


def _stop(server: subprocess.Popen[bytes]) -> None:
    if server.poll() is None:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=10)


def measure_http(instances: int = 100, repeats: int = REPEATS) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="cauce-http-bench-") as tmp:
        home = Path(tmp)
        url = f"sqlite:///{home / 'http.db'}"
        env = {k: v for k, v in os.environ.items() if k not in ("CAUCE_DEBUG", "CAUCE_PROCESSES_DIR")}
        env.update(DATABASE_URL=url, CAUCE_INSTANCE_DIR=str(home), CAUCE_HANDLERS="bench", PYTHONIOENCODING="utf-8")
        _cauce(env, "demo")
        token = _cauce(env, "token", "tic.ana", "--name", "http-bench")["token"]
        port = free_port()
        base_url = f"http://{HOST}:{port}"
        log = home / "serve.log"
        with log.open("wb") as out:
            server = subprocess.Popen([sys.executable, "-m", "cli.main", "serve", "--host", HOST, "--port", str(port)],
                                      cwd=PROJECT_ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
            db = Database(url)
            try:
                wait_for_health(base_url, server, log.read_text, START_TIMEOUT)
                client = Client(f"{base_url}/api/v1", token)
                engine = Engine(db, BENCH_HANDLERS, input_errors=(HandlerInputError,))
                case = Case("simple", "tic.ana", {}, SIMPLE_ANSWERS)
                warm = max(3, instances // 10)
                run_http(client, warm)
                run_persisted(engine, [case] * warm)
                http, inprocess = [], []
                for _ in range(repeats):
                    http.append(run_http(client, instances))
                    inprocess.append(run_persisted(engine, [case] * instances))
            finally:
                _stop(server)
                db.dispose()
    http_rate, inprocess_rate = statistics.median(http), statistics.median(inprocess)
    return {
        "http_instances_per_s": round(http_rate, 1),
        "inprocess_instances_per_s": round(inprocess_rate, 1),
        "http_vs_inprocess_ratio": round(http_rate / inprocess_rate, 3),
        "http_ms_per_request": round(1000 / (http_rate * 3), 3),
        "requests_per_instance": 3,
        "instances": instances,
        "repeats": repeats,
        "server": "cauce serve (gunicorn, 1 process, 4 threads), SQLite file, one connection per request",
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="The JSON API against the in-process engine (simple process).")
    parser.add_argument("--instances", type=int, default=100)
    parser.add_argument("--repeats", type=int, default=REPEATS)
    args = parser.parse_args(argv)
    print(json.dumps(measure_http(instances=max(1, args.instances), repeats=max(1, args.repeats))))


if __name__ == "__main__":
    main()
