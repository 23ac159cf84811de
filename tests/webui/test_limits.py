"""Request size limits answer in Spanish, before anything is read or stored."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import func, select

from engine.db import Database
from engine.models import Note
from engine.runtime import Engine
from tests.engine.pro_maa_16_driver import start
from tests.webui.conftest import SignedIn


def test_a_body_over_the_limit_is_a_413_and_stores_nothing(engine: Engine, db: Database,
                                                          sign_in: Callable[[str], SignedIn]) -> None:
    view = start(db, "PG-1003")
    me = sign_in("tic.ana")
    answer = me.post(f"/tareas/{view.open_tasks[0].id}/comentarios", data={"texto": "x" * (11 * 1024 * 1024)})
    assert answer.status_code == 413
    assert "Archivo demasiado grande" in answer.get_data(as_text=True)
    with db.read() as session:
        assert session.scalar(select(func.count()).select_from(Note)) == 0
