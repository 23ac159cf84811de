"""Instancia (diagram, history, tasks, incidents, who may open it) and "Mis solicitudes"."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask

from bench.handlers import BENCH_HANDLERS
from engine.db import Database
from engine.errors import StepFailed
from engine.runtime import Engine
from handlers.errors import HandlerInputError
from tests.engine.pro_maa_16_driver import ANSWERS, billing_instance, billing_task, run_worker, start
from tests.webui.conftest import SignedIn


def _broken(ctx: Any, payment: str) -> Any:
    raise RuntimeError("sistema académico no disponible")


def _failed_start(db: Database) -> StepFailed:
    broken = Engine(db, {**BENCH_HANDLERS, "describe_payment": _broken}, input_errors=(HandlerInputError,))
    with pytest.raises(StepFailed) as caught:
        broken.start("pro_maa_16", "coord.bogota", {
            "payment": "PG-1003", "adjustment": "anulacion", "reason": "baja_academica",
            "justification": "Baja académica definitiva del estudiante."})
    return caught.value


def test_the_instance_page(sign_in: Callable[[str], SignedIn], engine: Engine, db: Database) -> None:
    view = start(db, "PG-1001")
    actor, data = ANSWERS["Activity_revisar_solicitud"]
    engine.claim(view.open_tasks[0].id, actor)
    view = engine.complete(view.open_tasks[0].id, actor, data)
    run_worker(db)  # the request reaches billing's pool
    billing_task_id = billing_task(db, view.id).id
    engine.claim(billing_task_id, "fact.luis")
    page = sign_in("coord.bogota").get(f"/instancias/{view.id}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert f"Caso {view.business_key}" in html and "En espera" in html
    assert f'data-diagram-url="/instancias/{view.id}/diagrama.bpmn"' in html
    assert 'data-active="Event_factura_anulada"' in html and 'data-failed=""' in html  # waits for billing
    assert "Mensajes esperados" in html and "factura_anulada" in html and "PG-1001" in html
    assert "Activity_revisar_solicitud" in html.split('data-completed="')[1].split('"')[0]
    assert "/static/js/instance.js" in html and "vendor/bpmn-js/bpmn-navigated-viewer.production.min.js" in html
    assert "<script>" not in html  # the CSP allows no inline script
    billing = sign_in("fact.luis").get(f"/instancias/{billing_instance(db, view.id)}").get_data(as_text=True)
    assert "Tareas actuales" in billing and "Anular factura electrónica" in billing and "fact.luis" in billing
    assert 'data-active="Activity_anular_factura"' in billing
    assert "Historial" in html and "Completó la tarea" in html and "aprobar" in html and "Reclamó la tarea" in html
    assert "Notas" in html
    assert "Reintentar" not in html


def test_who_may_open_an_instance(sign_in: Callable[[str], SignedIn], db: Database, engine: Engine) -> None:
    view = start(db, "PG-1001")
    url = f"/instancias/{view.id}"
    for reader in ("coord.bogota", "tic.ana", "conta.maria", "supervisor.raul"):
        assert sign_in(reader).get(url).status_code == 200, reader
    assert sign_in("fact.luis").get(url).status_code == 403  # billing works in its own pool's instances
    other = sign_in("estudiante.camila")
    assert other.get(url).status_code == 404  # not theirs: as if it did not exist
    assert other.get(f"{url}/diagrama.bpmn").status_code == 404
    assert sign_in("cartera.juan").get(url).status_code == 403  # staff of another process
    assert sign_in("tic.ana").get("/instancias/999999").status_code == 404
    mine = engine.start("simple", "tic.ana", {})
    assert sign_in("coord.bogota").get(f"/instancias/{mine.id}").status_code == 403


def test_the_diagram_is_the_versions_bpmn(sign_in: Callable[[str], SignedIn], db: Database) -> None:
    view = start(db, "PG-1001")
    answer = sign_in("tic.ana").get(f"/instancias/{view.id}/diagrama.bpmn")
    xml = answer.get_data(as_text=True)
    assert answer.status_code == 200 and answer.mimetype == "application/xml"
    assert 'id="pro_maa_16"' in xml and "Activity_revisar_solicitud" in xml and "BPMNShape" in xml


def test_only_supervisors_retry_and_the_retry_works(sign_in: Callable[[str], SignedIn], db: Database,
                                                   engine: Engine) -> None:
    failure = _failed_start(db)
    url = f"/instancias/{failure.instance_id}"
    staff = sign_in("tic.ana")
    html = staff.get(url).get_data(as_text=True)
    assert "Incidentes" in html and "sistema académico no disponible" in html and "Con error" in html
    assert 'data-failed="Activity_consultar_pago"' in html
    assert "Reintentar" not in html
    assert staff.post(f"/incidentes/{failure.incident_id}/reintentar").status_code == 403
    boss = sign_in("supervisor.raul")
    assert "Reintentar" in boss.get(url).get_data(as_text=True)
    answer = boss.post(f"/incidentes/{failure.incident_id}/reintentar")
    assert answer.status_code == 302 and answer.headers["Location"] == url
    html = boss.get(url).get_data(as_text=True)
    assert "Se reintentó el paso" in html and "«En curso»" in html
    assert "Resuelto por supervisor.raul" in html
    detail = engine.show(failure.instance_id)
    assert detail.instance.status == "running"
    assert [t.element_id for t in detail.instance.open_tasks] == ["Activity_revisar_solicitud"]
    again = boss.post(f"/incidentes/{failure.incident_id}/reintentar")
    assert again.status_code == 409 and "ya fue resuelto" in again.get_data(as_text=True)


def test_a_retry_that_fails_again_is_reported(app: Flask, sign_in: Callable[[str], SignedIn],
                                              db: Database) -> None:
    failure = _failed_start(db)
    app.extensions["cauce_engine"] = Engine(db, {**BENCH_HANDLERS, "describe_payment": _broken},
                                            input_errors=(HandlerInputError,))
    boss = sign_in("supervisor.raul")
    answer = boss.post(f"/incidentes/{failure.incident_id}/reintentar")
    assert answer.status_code == 302
    html = boss.get(answer.headers["Location"]).get_data(as_text=True)
    assert "El reintento volvió a fallar: sistema académico no disponible" in html


def test_mis_solicitudes_lists_only_own_instances(sign_in: Callable[[str], SignedIn], db: Database,
                                                  engine: Engine) -> None:
    first = start(db, "PG-1001")
    engine.complete(first.open_tasks[0].id, *ANSWERS["Activity_revisar_solicitud"])
    second = start(db, "PG-1003")
    theirs = start(db, "PG-1004", requester="coord.medellin")
    page = sign_in("coord.bogota").get("/mis-solicitudes")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "Mis solicitudes" in html
    assert html.index(str(second.business_key)) < html.index(str(first.business_key))  # newest first
    assert str(theirs.business_key) not in html
    assert "En espera" in html and "Revisar solicitud" in html and "En curso" in html
    assert "Factura anulada por Facturación" in html  # what the first case waits for, by its name
    other = sign_in("coord.medellin").get("/mis-solicitudes").get_data(as_text=True)
    assert str(theirs.business_key) in other and str(first.business_key) not in other
    assert "No ha iniciado solicitudes." in sign_in("tic.ana").get("/mis-solicitudes").get_data(as_text=True)
    assert sign_in("coord.bogota").get("/mis-solicitudes?pagina=x").status_code == 200
