"""The app factory wires the engine; the home page and the health check answer."""

from __future__ import annotations

from engine.runtime import Engine
from webui.app import create_app


def test_home_lists_deployed_processes_in_spanish(engine: Engine) -> None:
    engine.start("simple", "tic.ana", {})
    client = create_app(engine=engine).test_client()
    page = client.get("/")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Procesos desplegados" in html and "pro_maa_16" in html
    assert "Tareas abiertas: 1" in html


def test_health_reports_the_database(engine: Engine) -> None:
    client = create_app(engine=engine).test_client()
    answer = client.get("/healthz")
    assert answer.status_code == 200
    assert answer.get_json()["status"] == "ok"


def test_unknown_page_is_a_404(engine: Engine) -> None:
    assert create_app(engine=engine).test_client().get("/no-existe").status_code == 404
