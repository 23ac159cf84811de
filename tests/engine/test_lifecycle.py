"""Claiming, releasing, suspending, resuming and terminating instances, each audited and authorized."""

from __future__ import annotations

import pytest

from engine.db import Database, utcnow
from engine.errors import AlreadyCompleted, Conflict, Forbidden
from engine.identity import ensure_user
from engine.runtime import Engine
from tests.conftest import make_engine
from tests.engine.pro_maa_16_driver import start


@pytest.fixture
def second_tic_user(db: Database) -> str:
    with db.write() as session:
        ensure_user(session, "tic.jorge", "Jorge (Dirección TIC)", ["direccion_tic"], utcnow())
    return "tic.jorge"


def test_claim_and_release(engine: Engine, db: Database, second_tic_user: str) -> None:
    view = start(db, "PG-1003")
    task_id = view.open_tasks[0].id
    assert engine.claim(task_id, "tic.ana").assignee == "tic.ana"
    assert engine.tasks_for("tic.ana", include_group=False)[0].id == task_id
    with pytest.raises(Forbidden, match="direccion_tic"):
        engine.claim(task_id, "fact.luis")
    with pytest.raises(Forbidden, match="Solo quien reclamó"):
        engine.release(task_id, second_tic_user)
    assert engine.release(task_id, "tic.ana").assignee is None
    kinds = [e.kind for e in engine.show(view.id).history]
    assert "task_claimed" in kinds and "task_released" in kinds


def test_a_claimed_task_belongs_to_its_claimant(engine: Engine, db: Database) -> None:
    from engine.db import utcnow
    from engine.identity import ensure_user

    with db.write() as session:
        ensure_user(session, "tic.jorge", "Jorge (Dirección TIC)", ["direccion_tic"], utcnow())
    view = start(db, "PG-1003")
    task_id = view.open_tasks[0].id
    engine.claim(task_id, "tic.ana")
    with pytest.raises(Conflict, match=r"ya la reclamó tic\.ana"):
        engine.claim(task_id, "tic.jorge")
    with pytest.raises(Forbidden, match=r"asignada a tic\.ana"):
        engine.complete(task_id, "tic.jorge", {"decision": "aprobar"})
    assert engine.tasks_for("tic.jorge") == []  # claimed tasks leave the group inbox


def test_suspend_blocks_work_until_resumed(engine: Engine, db: Database) -> None:
    view = start(db, "PG-1003")
    task_id = view.open_tasks[0].id
    with pytest.raises(Forbidden, match="supervisor"):
        engine.suspend(view.id, "tic.ana")
    assert engine.suspend(view.id, "supervisor.raul").status == "suspended"
    with pytest.raises(Conflict, match="suspended"):
        make_engine(db).complete(task_id, "tic.ana", {"decision": "aprobar"})
    with pytest.raises(Conflict, match="ya está suspended"):
        engine.suspend(view.id, "supervisor.raul")
    assert engine.resume(view.id, "supervisor.raul").status == "running"
    assert make_engine(db).complete(task_id, "tic.ana", {"decision": "aprobar"}).status == "running"


def test_terminate_cancels_open_tasks(engine: Engine, db: Database) -> None:
    view = start(db, "PG-1003")
    task_id = view.open_tasks[0].id
    ended = engine.terminate(view.id, "supervisor.raul")
    assert ended.status == "terminated" and ended.open_tasks == [] and ended.ended_at is not None
    with pytest.raises(AlreadyCompleted, match="cerrada"):
        engine.complete(task_id, "tic.ana", {"decision": "aprobar"})
    with pytest.raises(Conflict, match="ya terminó"):
        engine.resume(view.id, "supervisor.raul")
    assert engine.tasks_for("tic.ana") == []
    history = engine.show(view.id).history
    assert history[-1].kind == "status_changed" and history[-1].to_status == "terminated"
