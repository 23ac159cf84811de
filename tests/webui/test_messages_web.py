"""Messages in the web app: "Mensajes sin destinatario" on Incidentes (retry, discard with a reason), the
instance page's "Esperas" and "Mensajes", and the JSON API that sends and lists messages."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from engine.db import Database
from engine.jobs import Job, JobStatus
from engine.messages import DELIVER_KIND, Message, MessageStatus
from engine.runtime import Engine
from engine.worker import Worker
from tests.engine.events_helpers import EVENT_MODELS, Clock
from tests.webui.conftest import SignedIn
from tests.webui.test_api import Api, conforms, error, new_token


@pytest.fixture
def clock(engine: Engine) -> Clock:
    engine.clock = clock = Clock()
    return clock


@pytest.fixture
def api(app: Flask, engine: Engine) -> Callable[[str], Api]:
    return lambda username: Api(app, new_token(engine, username))


def _work(engine: Engine, clock: Clock) -> int:
    ran = 0
    while batch := Worker(engine, "w1", clock=clock).run_once():
        ran += batch
    return ran


def _unmatched(engine: Engine, clock: Clock, key: str = "F-1") -> int:
    message_id = engine.send_message("anulacion_hecha", key, {"factura": key}, "tic.ana")
    assert message_id is not None and _work(engine, clock) == 1
    return message_id


def _status(db: Database, message_id: int) -> MessageStatus:
    with db.read() as session:
        row = session.get(Message, message_id)
        assert row is not None
        return row.status


def _row(html: str, message_id: int) -> str:
    found = re.search(rf'<tr id="mensaje-{message_id}".*?</tr>', html, re.S)
    assert found, f"message {message_id} is not on the board"
    return found.group(0)


# --- Incidentes: "Mensajes sin destinatario" --------------------------------------------------------------------

def test_supervisors_see_unmatched_messages_with_both_actions(engine: Engine, db: Database, clock: Clock,
                                                              sign_in: Callable[[str], SignedIn]) -> None:
    raul = sign_in("supervisor.raul")
    assert "No hay mensajes sin destinatario." in raul.get("/incidentes").get_data(as_text=True)
    external = _unmatched(engine, clock)
    engine.deploy([EVENT_MODELS / "tic_espera_factura"], "disenador.eva")
    view = engine.start("tic_espera_factura", "tic.ana", {"numero_factura": "F-31"})  # asks billing: nobody waits
    assert _work(engine, clock) == 1
    with db.read() as session:
        ids = {name: id_ for name, id_ in session.execute(select(Message.name, Message.id))}
    assert ids["anulacion_hecha"] == external
    page = raul.get("/incidentes")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "Mensajes sin destinatario" in html
    assert "Por entregar: 0 · Entregas detenidas: 0" in html
    row = _row(html, external)
    assert "anulacion_hecha" in row and "F-1" in row and "tic.ana" in row
    assert "{&#34;factura&#34;: &#34;F-1&#34;}" in row  # the content, escaped
    assert "Ninguna instancia espera el mensaje «anulacion_hecha»" in row
    assert "02/03/2026 08:00" in row  # 13:00 UTC in Bogotá
    thrown = _row(html, ids["pedir_anulacion"])
    assert f'href="/instancias/{view.id}"' in thrown and str(view.business_key) in thrown
    assert f'action="/mensajes/{ids["pedir_anulacion"]}/reintentar"' in thrown and "Reintentar entrega" in thrown
    assert f'action="/mensajes/{ids["pedir_anulacion"]}/descartar"' in thrown and 'name="motivo"' in thrown
    assert thrown.count(f'name="csrf_token" value="{raul.csrf}"') == 2
    assert html.index(f'id="mensaje-{external}"') < html.index(f'id="mensaje-{ids["pedir_anulacion"]}"')  # oldest first


def test_discard_needs_a_reason_then_leaves_the_board(engine: Engine, db: Database, clock: Clock,
                                                      sign_in: Callable[[str], SignedIn]) -> None:
    message_id = _unmatched(engine, clock)
    raul = sign_in("supervisor.raul")
    refused = raul.post(f"/mensajes/{message_id}/descartar", data={"motivo": "   "})
    html = refused.get_data(as_text=True)
    assert refused.status_code == 400
    assert "Escriba por qué se descarta el mensaje." in _row(html, message_id)  # beside its own form
    assert _status(db, message_id) == MessageStatus.UNMATCHED

    done = raul.post(f"/mensajes/{message_id}/descartar", data={"motivo": "Factura de pruebas"})
    assert done.status_code == 302 and done.headers["Location"] == "/incidentes#mensajes"
    after = raul.get("/incidentes").get_data(as_text=True)
    assert "Se descartó el mensaje «anulacion_hecha»" in after and f'id="mensaje-{message_id}"' not in after
    with db.read() as session:
        row = session.get(Message, message_id)
        assert row is not None and row.status == MessageStatus.DISCARDED
        assert row.note == "Descartado por supervisor.raul: Factura de pruebas"

    again = raul.post(f"/mensajes/{message_id}/descartar", data={"motivo": "otra vez"})
    assert again.status_code == 409 and "ya no está sin destinatario" in again.get_data(as_text=True)
    assert raul.post(f"/mensajes/{message_id}/reintentar").status_code == 409
    assert raul.post("/mensajes/999999/descartar", data={"motivo": "x"}).status_code == 404
    assert raul.post("/mensajes/99999999999/descartar", data={"motivo": "x"}).status_code == 404  # id out of range


def test_retry_delivery_queues_it_again(engine: Engine, db: Database, clock: Clock,
                                        sign_in: Callable[[str], SignedIn]) -> None:
    message_id = _unmatched(engine, clock, key="F-40")
    raul = sign_in("supervisor.raul")
    answer = raul.post(f"/mensajes/{message_id}/reintentar")
    assert answer.status_code == 302 and answer.headers["Location"] == "/incidentes#mensajes"
    html = raul.get("/incidentes").get_data(as_text=True)
    assert "volvió a la cola de entrega" in html and "Por entregar: 1" in html
    assert f'id="mensaje-{message_id}"' not in html
    with db.read() as session:
        assert session.scalars(select(Job).where(Job.kind == DELIVER_KIND,
                                                 Job.status == JobStatus.PENDING)).one().payload == {
            "message_id": message_id}

    # Delivered to whoever waits by then.
    engine.deploy([EVENT_MODELS / "tic_espera_factura"], "disenador.eva")
    view = engine.start("tic_espera_factura", "tic.ana", {"numero_factura": "F-40"})
    _work(engine, clock)
    assert _status(db, message_id) == MessageStatus.DELIVERED
    assert engine.show(view.id).data["anulacion"] == {"factura": "F-40"}


def test_only_supervisors_and_only_with_the_csrf_token(engine: Engine, db: Database, clock: Clock,
                                                       sign_in: Callable[[str], SignedIn]) -> None:
    message_id = _unmatched(engine, clock)
    ana = sign_in("tic.ana")
    assert ana.get("/incidentes").status_code == 403
    assert ana.post(f"/mensajes/{message_id}/reintentar").status_code == 403
    assert ana.post(f"/mensajes/{message_id}/descartar", data={"motivo": "no me gusta"}).status_code == 403
    raul = sign_in("supervisor.raul")
    forged = raul.client.post(f"/mensajes/{message_id}/descartar", data={"motivo": "sin token"})
    assert forged.status_code == 400 and "token CSRF" in forged.get_data(as_text=True)
    nul = raul.post(f"/mensajes/{message_id}/descartar", data={"motivo": "a\x00b"})
    assert nul.status_code == 400 and "motivo" in nul.get_data(as_text=True)
    assert _status(db, message_id) == MessageStatus.UNMATCHED
    assert sign_in("admin").get("/incidentes").status_code == 200


# --- the instance page ------------------------------------------------------------------------------------------

def test_instance_page_shows_its_timers(engine: Engine, clock: Clock, sign_in: Callable[[str], SignedIn]) -> None:
    engine.deploy([EVENT_MODELS / "sla_timers"], "disenador.eva")
    view = engine.start("sla_timers", "tic.ana", {})
    html = sign_in("tic.ana").get(f"/instancias/{view.id}").get_data(as_text=True)
    assert "<h2>Esperas</h2>" in html and "<h3>Temporizadores</h3>" in html
    # 13:00 UTC is 08:00 in Bogotá: one day, then three days after the start, soonest first.
    assert re.search(r"vence el 03/03/2026 08:00.*vence el 05/03/2026 08:00", html, re.S)
    assert "Mensajes esperados" not in html and "<h2>Mensajes</h2>" not in html

    engine.terminate(view.id, "supervisor.raul")
    assert "<h2>Esperas</h2>" not in sign_in("supervisor.raul").get(f"/instancias/{view.id}").get_data(as_text=True)


def test_instance_page_shows_awaited_sent_and_received_messages(engine: Engine, clock: Clock,
                                                                sign_in: Callable[[str], SignedIn]) -> None:
    engine.deploy([EVENT_MODELS / "tic_espera_factura"], "disenador.eva")
    view = engine.start("tic_espera_factura", "tic.ana", {"numero_factura": "F-55"})
    _work(engine, clock)
    ana = sign_in("tic.ana")
    html = ana.get(f"/instancias/{view.id}").get_data(as_text=True)
    assert "<h3>Mensajes esperados</h3>" in html and "Temporizadores" not in html
    assert re.search(r"<td>anulacion_hecha</td><td>F-55</td><td>Event_factura_anulada</td>", html)
    assert "<h3>Enviados</h3>" in html and "pedir_anulacion" in html and "Sin destinatario" in html
    assert "Ninguna instancia todavía" in html and "<h3>Recibidos</h3>" not in html
    assert "Envió un mensaje" in html  # the history names the event

    clock.advance(minutes=3)
    engine.send_message("anulacion_hecha", "F-55", {"anulada": True}, "fact.luis")
    _work(engine, clock)
    html = ana.get(f"/instancias/{view.id}").get_data(as_text=True)
    assert "<h2>Esperas</h2>" not in html and "<h3>Recibidos</h3>" in html
    received = html.split("<h3>Recibidos</h3>")[1]
    assert "fact.luis" in received and "Entregado" in received and "02/03/2026 08:03" in received
    assert "Recibió un mensaje" in html


# --- the API ----------------------------------------------------------------------------------------------------

def test_api_sends_a_message_once_and_delivers_it(api: Callable[[str], Api], engine: Engine, db: Database,
                                                  clock: Clock) -> None:
    engine.deploy([EVENT_MODELS / "tic_espera_factura"], "disenador.eva")
    view = engine.start("tic_espera_factura", "tic.ana", {"numero_factura": "F-60"})
    luis = api("fact.luis")
    body = {"nombre": "anulacion_hecha", "clave": "F-60", "contenido": {"anulada": True}, "id": "anulacion-F-60"}
    sent = conforms(luis.post("/mensajes", body), 202, "MessageAccepted")
    assert sent["duplicado"] is False and isinstance(sent["mensaje"], int)
    assert conforms(luis.post("/mensajes", body), 200, "MessageDuplicate") == {"duplicado": True}
    _work(engine, clock)
    assert engine.show(view.id).data["anulacion"] == {"anulada": True}
    with db.read() as session:
        row = session.get(Message, sent["mensaje"])
        assert row is not None and row.sender == "fact.luis" and row.target_instance_id == view.id
        assert len(session.scalars(select(Message).where(Message.name == "anulacion_hecha")).all()) == 1

    # No key and no content: delivered as {} to nobody, kept as unmatched; an integer key is taken as text.
    bare = conforms(luis.post("/mensajes", {"nombre": "aviso"}), 202, "MessageAccepted")
    numbered = conforms(luis.post("/mensajes", {"nombre": "aviso", "clave": 77, "contenido": [1, "dos"]}), 202,
                        "MessageAccepted")
    _work(engine, clock)
    with db.read() as session:
        first, second = (session.get(Message, m["mensaje"]) for m in (bare, numbered))
        assert first is not None and (first.correlation_key, first.payload, first.status) == (
            None, {}, MessageStatus.UNMATCHED)
        assert second is not None and (second.correlation_key, second.payload) == ("77", [1, "dos"])


@pytest.mark.parametrize(("body", "fields"), [
    ({}, ["nombre"]),
    ({"nombre": ""}, ["nombre"]),
    ({"nombre": "x" * 201}, ["nombre"]),
    ({"nombre": 5}, ["nombre"]),
    ({"nombre": "a\x00b"}, ["nombre"]),
    ({"nombre": "aviso", "clave": "k" * 201}, ["clave"]),
    ({"nombre": "aviso", "clave": ["F-1"]}, ["clave"]),
    ({"nombre": "aviso", "clave": True}, ["clave"]),
    ({"nombre": "aviso", "id": ""}, ["id"]),
    ({"nombre": "aviso", "id": "i" * 201}, ["id"]),
    ({"nombre": "aviso", "id": 12}, ["id"]),
    ({"nombre": "aviso", "contenido": {"texto": "a\x00b"}}, ["contenido"]),
    ({"nombre": "aviso", "contenido": "x" * 100_001}, ["contenido"]),
    ({"nombre": "aviso", "name": "aviso"}, ["name"]),
    ({"nombre": 1, "clave": {}, "extra": 1}, ["extra", "nombre", "clave"]),
])
def test_api_bad_messages_are_400_naming_the_field(api: Callable[[str], Api], db: Database, body: dict[str, Any],
                                                   fields: list[str]) -> None:
    answer = error(api("tic.ana").post("/mensajes", body), 400)
    assert [e["field"] for e in answer["errors"]] == fields
    with db.read() as session:
        assert session.scalars(select(Message)).first() is None


@pytest.mark.parametrize("raw", ["[1]", "no es json", '{"nombre": NaN}'])
def test_api_a_body_that_is_not_a_json_object_is_a_400(api: Callable[[str], Api], raw: str) -> None:
    assert [e["field"] for e in error(api("tic.ana").post("/mensajes", raw=raw), 400)["errors"]] == ["(cuerpo)"]


def test_api_who_may_send_and_list(api: Callable[[str], Api], engine: Engine, clock: Clock) -> None:
    refused = error(api("estudiante.camila").post("/mensajes", {"nombre": "aviso"}), 403)
    assert "personal" in refused["error"]
    message_id = _unmatched(engine, clock, key="F-70")
    for username in ("tic.ana", "coord.bogota", "estudiante.camila", "nacer.admin"):
        error(api(username).get("/mensajes"), 403)

    raul = api("supervisor.raul")
    listed = conforms(raul.get("/mensajes?estado=unmatched"), 200, "MessageList")
    assert listed["estado"] == "unmatched"
    (item,) = listed["mensajes"]
    assert (item["id"], item["name"], item["correlation_key"], item["status"], item["sender"]) == (
        message_id, "anulacion_hecha", "F-70", "unmatched", "tic.ana")
    assert item["payload"] == {"factura": "F-70"} and item["created_at"].startswith("2026-03-02T13:00")
    assert conforms(raul.get("/mensajes"), 200, "MessageList")["mensajes"] == listed["mensajes"]  # the default
    assert conforms(api("admin").get("/mensajes?estado=delivered"), 200, "MessageList")["mensajes"] == []
    assert [e["field"] for e in error(raul.get("/mensajes?estado=perdido"), 400)["errors"]] == ["estado"]
