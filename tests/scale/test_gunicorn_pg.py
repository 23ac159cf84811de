"""Two app servers (``cauce serve --workers 2``: gunicorn, two processes each) on one PostgreSQL database, and many
HTTP clients completing the SAME tasks at the same moment through the JSON API.

Eight client threads, as four users of the same role, half on each server, fire at one task together (a barrier
per task), first at every instance's first review and then at its second. Per task exactly one 200; every other
answer a 409 whose Spanish message names the winner; never a 500. The database agrees: one ``task_completed``
event per task, completed by the winner, the service task between the reviews run once, every instance completed.
"""

from __future__ import annotations

import threading
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from bench.fleet import api_call, cauce_env, children, free_port, start_simple, wait_healthy
from engine.db import utcnow
from engine.identity import ensure_user
from engine.models import Event, HumanTask, Instance, TaskStatus
from tests.scale.conftest import Seeded
from webui.tokens import create_token

pytestmark = pytest.mark.slow

USERS = ("tic.ana", "tic.beto", "tic.carla", "tic.dario")  # all of direccion_tic, the role of simple's lane
CLIENTS = 8
INSTANCES = 24
ANSWERS: dict[str, dict[str, Any]] = {
    "Activity_primera_revision": {"amount": 5000},  # large: the service task runs between the two reviews
    "Activity_segunda_revision": {"ok": True},
}
BARRIER_TIMEOUT = 60.0
RUN_TIMEOUT = 120.0


def _race(bases: list[str], tokens: dict[str, str], tasks: list[tuple[int, str]]) -> list[dict[str, Any]]:
    """All CLIENTS complete each task together; one record per request."""
    records: list[dict[str, Any]] = []
    lock = threading.Lock()
    barrier = threading.Barrier(CLIENTS)
    failures: list[BaseException] = []

    def client(i: int) -> None:
        user, base = USERS[i % len(USERS)], bases[i % len(bases)]
        try:
            for task_id, element_id in tasks:
                barrier.wait(timeout=BARRIER_TIMEOUT)
                status, body = api_call(base, tokens[user], "POST", f"/tasks/{task_id}/complete",
                                        ANSWERS[element_id])
                with lock:
                    records.append({"task": task_id, "user": user, "base": base, "status": status, "body": body})
        except BaseException as exc:  # reported below; the barrier is broken so the others stop too
            failures.append(exc)
            barrier.abort()

    threads = [threading.Thread(target=client, args=(i,), daemon=True) for i in range(CLIENTS)]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + RUN_TIMEOUT
    for thread in threads:
        thread.join(timeout=max(deadline - time.monotonic(), 0.1))
    assert not any(thread.is_alive() for thread in threads), "the HTTP clients did not finish in time"
    assert not failures, failures
    return records


def _check_round(records: list[dict[str, Any]], tasks: list[tuple[int, str]]) -> dict[int, dict[str, Any]]:
    """One 200 per task, every other answer a 409 naming the winner; the winners' answers by task."""
    assert len(records) == CLIENTS * len(tasks)
    assert set(Counter(r["status"] for r in records)) <= {200, 409}, Counter(r["status"] for r in records)
    winners: dict[int, dict[str, Any]] = {}
    by_task: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for record in records:
        by_task[record["task"]].append(record)
    for task_id, _ in tasks:
        won = [r for r in by_task[task_id] if r["status"] == 200]
        assert len(won) == 1, (task_id, [(r["status"], r["body"]) for r in by_task[task_id]])
        winner = winners[task_id] = won[0]
        for lost in by_task[task_id]:
            if lost is winner:
                continue
            assert lost["body"]["status"] == 409
            assert lost["body"]["error"].startswith(f"La tarea {task_id} ya fue completada por {winner['user']} el "), \
                lost["body"]
    return winners


def test_two_gunicorn_servers_complete_the_same_tasks_exactly_once(pg: Seeded, tmp_path: Path) -> None:
    now = utcnow()
    with pg.db.write() as session:
        for user in USERS[1:]:
            ensure_user(session, user, f"{user} (Dirección TIC)", ["direccion_tic"], now)
        tokens = {user: create_token(session, user, "escala", now) for user in USERS}
    started = start_simple(pg.engine, INSTANCES)
    first_round = [(task, "Activity_primera_revision") for _, task in started]

    env = cauce_env(pg.url, tmp_path)
    with children(tmp_path, env) as group:
        ports = [free_port(), free_port()]
        servers = [group.spawn(f"serve{n}", "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", "2",
                               "--threads", "4") for n, port in enumerate(ports)]
        bases = [f"http://127.0.0.1:{port}" for port in ports]
        for base, server in zip(bases, servers, strict=True):
            wait_healthy(base, server)

        winners = _check_round(_race(bases, tokens, first_round), first_round)
        second_round = []
        for task_id, _ in first_round:
            [next_task] = winners[task_id]["body"]["open_tasks"]
            assert next_task["element_id"] == "Activity_segunda_revision"
            second_round.append((next_task["id"], next_task["element_id"]))
        winners.update(_check_round(_race(bases, tokens, second_round), second_round))

        # What the API says about each instance afterwards, asked of both servers.
        for n, (instance_id, _) in enumerate(started):
            status, detail = api_call(bases[n % 2], tokens["tic.ana"], "GET", f"/instances/{instance_id}")
            assert status == 200 and detail["instance"]["status"] == "completed", detail
        codes = group.stop_all()
    assert codes == [0, 0], [s.stderr()[-2000:] for s in servers]

    assert {w["base"] for w in winners.values()} == set(bases)  # both servers completed tasks
    assert all(w["body"]["status"] == "completed" for task, w in winners.items() if task in dict(second_round))
    instance_ids = [instance_id for instance_id, _ in started]
    with pg.db.read() as session:
        tasks = {t.id: t for t in session.scalars(select(HumanTask).where(HumanTask.instance_id.in_(instance_ids)))}
        events = session.execute(select(Event.instance_id, Event.kind, Event.element_id, Event.detail)
                                 .where(Event.instance_id.in_(instance_ids))).all()
        statuses = Counter(i.status.value for i in session.scalars(select(Instance)
                                                                   .where(Instance.id.in_(instance_ids))))
    assert statuses == Counter({"completed": INSTANCES})
    assert set(tasks) == set(winners) and len(tasks) == 2 * INSTANCES
    for task_id, task in tasks.items():
        assert task.status == TaskStatus.COMPLETED and task.completed_by == winners[task_id]["user"]
    completed = Counter(e.detail["task_id"] for e in events if e.kind == "task_completed")
    assert completed == Counter({task_id: 1 for task_id in tasks})
    service_runs = Counter(e.instance_id for e in events
                           if e.kind == "task_run" and e.element_id == "Activity_record_step")
    assert service_runs == Counter({instance_id: 1 for instance_id in instance_ids})
    # No request failed inside a server: nothing logged at error level by either.
    for server in servers:
        log = server.stderr()
        assert log.count("Booting worker") == 2, log[-3000:]  # two app processes behind each address
        assert '"level": "error"' not in log and "[ERROR]" not in log and "[CRITICAL]" not in log, log[-3000:]
