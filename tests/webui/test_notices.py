"""Avisos: the requester reads the outcome the process sent them; staff read what was sent to their roles."""

from __future__ import annotations

from collections.abc import Callable

from engine.db import Database
from engine.runtime import Engine
from tests.engine.pro_maa_16_driver import run_to_end, start
from tests.webui.conftest import SignedIn


def test_requester_reads_the_final_notice_with_a_link_to_the_request(
        engine: Engine, db: Database, sign_in: Callable[[str], SignedIn]) -> None:
    view = start(db, "PG-1001")
    run_to_end(db, view)
    page = sign_in("coord.bogota").get("/avisos").get_data(as_text=True)
    assert "Ajuste registrado" in page
    assert f'href="/instancias/{view.id}"' in page


def test_role_notices_reach_the_role_and_nobody_else(engine: Engine, db: Database,
                                                     sign_in: Callable[[str], SignedIn]) -> None:
    run_to_end(db, start(db, "PG-1001"))
    assert "para el rol direccion_tic" in sign_in("tic.ana").get("/avisos").get_data(as_text=True)
    other = sign_in("estudiante.camila").get("/avisos").get_data(as_text=True)
    assert "No tiene avisos." in other


def test_avisos_needs_sign_in(app: object) -> None:
    client = app.test_client()  # type: ignore[attr-defined]
    assert client.get("/avisos").status_code == 302
