"""Two people complete the same task at the same moment: exactly one wins, the other is told who did."""

from __future__ import annotations

import threading
from typing import Any

from sqlalchemy import func, select

from engine.db import Database
from engine.errors import AlreadyCompleted
from engine.models import Event, HumanTask, TaskStatus
from engine.runtime import Engine
from handlers.ledger.models import Entry
from tests.conftest import make_engine
from tests.engine.pro_maa_16_driver import start


def _race(db: Database, task_id: int, actor: str, data: dict[str, Any], contenders: int) -> list[Any]:
    barrier = threading.Barrier(contenders)
    results: list[Any] = [None] * contenders

    def worker(i: int) -> None:
        engine = make_engine(db)  # one engine per thread, as separate app processes would have
        barrier.wait()
        try:
            results[i] = engine.complete(task_id, actor, data)
        except Exception as exc:  # collected and asserted below
            results[i] = exc

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(contenders)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads)
    return results


def test_concurrent_completions_of_one_task_have_exactly_one_winner(engine: Engine, db: Database) -> None:
    view = start(db, "PG-1003")
    task_id = view.open_tasks[0].id
    approve = {"decision": "aprobar"}
    results = _race(db, task_id, "tic.ana", approve, contenders=4)
    winners = [r for r in results if not isinstance(r, Exception)]
    losers = [r for r in results if isinstance(r, Exception)]
    assert len(winners) == 1
    assert len(losers) == 3 and all(isinstance(r, AlreadyCompleted) for r in losers)
    assert all("ya fue completada por tic.ana" in str(r) for r in losers)
    with db.read() as session:
        task = session.get(HumanTask, task_id)
        assert task is not None and task.status == TaskStatus.COMPLETED and task.completed_by == "tic.ana"
        completions = session.scalar(select(func.count()).select_from(Event).where(
            Event.kind == "task_completed", Event.instance_id == view.id))
        assert completions == 1
        next_tasks = session.scalar(select(func.count()).select_from(HumanTask).where(
            HumanTask.instance_id == view.id, HumanTask.status == TaskStatus.OPEN))
        assert next_tasks == 1


def test_concurrent_ledger_steps_write_once(engine: Engine, db: Database) -> None:
    """The step that annuls credits runs once however many people press the button."""
    view = start(db, "PG-1003")
    make_engine(db).complete(view.open_tasks[0].id, "tic.ana", {"decision": "aprobar"})
    release = make_engine(db).tasks_for("tic.ana")[0]
    with db.read() as session:
        before = session.scalar(select(func.count()).select_from(Entry))
    results = _race(db, release.id, "tic.ana", {"confirmacion": True}, contenders=3)
    assert sum(not isinstance(r, Exception) for r in results) == 1
    with db.read() as session:
        after = session.scalar(select(func.count()).select_from(Entry))
    assert after is not None and before is not None
    annulled = make_engine(db).show(view.id).data["abono_anulado"]["annulled_credits"]
    assert annulled >= 1
    assert after - before == annulled  # each abono reversed once, not once per contender


def test_a_completed_task_answers_who_and_when(engine: Engine, db: Database) -> None:
    view = start(db, "PG-1003")
    task_id = view.open_tasks[0].id
    make_engine(db).complete(task_id, "tic.ana", {"decision": "aprobar"})
    try:
        make_engine(db).complete(task_id, "tic.ana", {"decision": "aprobar"})
    except AlreadyCompleted as exc:
        assert exc.by == "tic.ana" and exc.at is not None and exc.status == 409
    else:
        raise AssertionError("a second completion must be refused")
