"""Defects a security review found, each pinned by a test: who may see a colleague's case, ids and numbers
out of range, NUL characters, cross-site sign-in, stale sessions, Markdown in data, parallel password guesses."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from flask import Flask

from engine.db import Database
from engine.runtime import Engine
from tests.engine.pro_maa_16_driver import run_to_end, start
from tests.webui.conftest import SignedIn
from tests.webui.test_api import new_token
from webui.instructions import render_instructions

HUGE = "100000000000000000000"


def test_a_coordinator_does_not_see_a_colleagues_request(engine: Engine, db: Database, app: Flask,
                                                         sign_in: Callable[[str], SignedIn]) -> None:
    view = start(db, "PG-1003")  # started by coord.bogota
    task_id = view.open_tasks[0].id
    attachment = engine.add_attachment(view.id, "coord.bogota", "privado.txt", "text/plain", b"secreto")
    other = sign_in("coord.medellin")
    assert other.get(f"/instancias/{view.id}").status_code == 403
    assert other.get(f"/tareas/{task_id}").status_code == 403
    assert other.get(f"/adjuntos/{attachment.id}").status_code == 403
    assert other.post(f"/tareas/{task_id}/comentarios", data={"texto": "hola"}).status_code == 403
    headers = {"Authorization": f"Bearer {new_token(engine, 'coord.medellin')}"}
    assert app.test_client().get(f"/api/v1/instances/{view.id}", headers=headers).status_code == 403
    assert sign_in("coord.bogota").get(f"/instancias/{view.id}").status_code == 200


def test_a_requester_learns_nothing_from_the_inbox_buttons(engine: Engine, db: Database,
                                                           sign_in: Callable[[str], SignedIn]) -> None:
    view = start(db, "PG-1003")
    task_id = view.open_tasks[0].id
    camila = sign_in("estudiante.camila")
    assert camila.post(f"/bandeja/tareas/{task_id}/reclamar").status_code == 404
    run_to_end(db, view)  # the task is completed by tic.ana now
    answer = camila.post(f"/bandeja/tareas/{task_id}/liberar")
    assert answer.status_code == 404 and "tic.ana" not in answer.get_data(as_text=True)


@pytest.mark.parametrize("url", [f"/tareas/{HUGE}", f"/instancias/{HUGE}", f"/adjuntos/{HUGE}",
                                 f"/instancias/{HUGE}/diagrama.bpmn", "/tareas/0"])
def test_ids_out_of_range_are_404(engine: Engine, sign_in: Callable[[str], SignedIn], url: str) -> None:
    assert sign_in("tic.ana").get(url).status_code == 404


def test_page_numbers_and_dates_out_of_range(engine: Engine, sign_in: Callable[[str], SignedIn]) -> None:
    me = sign_in("coord.bogota")
    assert me.get(f"/mis-solicitudes?pagina={HUGE}").status_code == 200
    assert me.get("/mis-solicitudes?pagina=²").status_code == 200
    tic = sign_in("tic.ana")
    answer = tic.get("/bandeja?hasta=9999-12-31")
    assert answer.status_code == 400 and "hasta" in answer.get_data(as_text=True)
    assert tic.get(f"/bandeja?pagina={HUGE}").status_code == 400


def test_nul_characters_are_refused_with_the_field(engine: Engine, db: Database, app: Flask,
                                                   sign_in: Callable[[str], SignedIn]) -> None:
    view = start(db, "PG-1003")
    task_id = view.open_tasks[0].id
    tic = sign_in("tic.ana")
    assert tic.get("/bandeja?caso=a%00b").status_code == 400
    answer = tic.post(f"/tareas/{task_id}/comentarios", data={"texto": "a\x00b"})
    assert answer.status_code == 400 and "texto" in answer.get_data(as_text=True)
    headers = {"Authorization": f"Bearer {new_token(engine, 'tic.ana')}"}
    body = {"decision": "rechazar", "observaciones": "a\u0000bcdefghijkl"}
    refused = app.test_client().post(f"/api/v1/tasks/{task_id}/complete", json=body, headers=headers)
    assert refused.status_code == 400 and refused.get_json()["errors"][0]["field"] == "observaciones"
    assert engine.show(view.id).incidents == []


def test_sign_in_posted_from_another_site_is_refused(app: Flask) -> None:
    client = app.test_client()
    form = {"username": "tic.ana", "password": "cauce2026"}
    assert client.post("/iniciar-sesion", data=form, headers={"Origin": "https://evil.example"}).status_code == 400
    assert client.post("/iniciar-sesion", data=form, headers={"Origin": "http://localhost"}).status_code == 302


def test_signing_in_again_ends_the_previous_session(app: Flask) -> None:
    client = app.test_client()
    client.post("/iniciar-sesion", data={"username": "tic.ana", "password": "cauce2026"})
    first = client.get_cookie("cauce_session")
    assert first is not None
    client.post("/iniciar-sesion", data={"username": "fact.luis", "password": "cauce2026"})
    stale = app.test_client()
    stale.set_cookie("cauce_session", first.value)
    assert stale.get("/bandeja").status_code == 302


def test_data_cannot_add_markdown_links_to_instructions() -> None:
    html = render_instructions("Pago {{ p }}: {{ x }}", {"p": "PG-1001", "x": "[phish](https://evil.example)"})
    assert "<a " not in html and "PG-1001" in html


def test_parallel_password_guesses_are_counted_one_by_one(app: Flask) -> None:
    answers: list[int] = []
    barrier = threading.Barrier(12)

    def guess() -> None:
        client = app.test_client()
        barrier.wait()
        answers.append(client.post("/iniciar-sesion", data={"username": "tic.ana", "password": "mala"}).status_code)

    threads = [threading.Thread(target=guess) for _ in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(answers) == [401] * 5 + [429] * 7
