"""The portal's reads: who may start what, who may see an instance, diagram marks, and "Mis solicitudes"."""

from __future__ import annotations

from typing import Any

import pytest

from bench.handlers import BENCH_HANDLERS
from engine.db import Database
from engine.errors import Forbidden, NotFound, StepFailed
from engine.runtime import Engine
from handlers.errors import HandlerInputError
from tests.engine.pro_maa_16_driver import ANSWERS, start


def _broken(ctx: Any, payment: str) -> Any:
    raise RuntimeError("sistema académico no disponible")


def test_each_user_may_start_the_processes_of_their_roles(engine: Engine) -> None:
    cases = {p.process_id for p in engine.case_catalog("estudiante.camila")}
    assert len(cases) == 17 and "devolucion_saldos" in cases  # case types: anyone may open one
    # plan_de_pago (the Oficina's payment plans) starts in the requester's lane: anyone may, like a case type
    assert {p.process_id for p in engine.startable_processes("coord.bogota")} - cases == {"pro_maa_16", "plan_de_pago"}
    assert {p.process_id for p in engine.startable_processes("tic.ana")} - cases == {"loop", "simple", "plan_de_pago"}
    assert {p.process_id for p in engine.startable_processes("estudiante.camila")} == cases | {"plan_de_pago"}
    assert engine.startable_processes("nadie") == []
    form = engine.start_form_of("pro_maa_16", "coord.bogota")
    assert form.start_role == "coordinacion_administrativa" and form.schema is not None
    assert form.ui_schema["ui:order"] == ["payment", "adjustment", "reason", "justification"]
    assert form.instructions and "Solicitud de anulación" in form.instructions
    with pytest.raises(Forbidden, match="coordinacion_administrativa"):
        engine.start_form_of("pro_maa_16", "tic.ana")
    with pytest.raises(NotFound):
        engine.start_form_of("no_existe", "coord.bogota")


def test_who_may_see_an_instance(engine: Engine, db: Database) -> None:
    view = start(db, "PG-1001")
    for reader in ("coord.bogota", "tic.ana", "supervisor.raul", "admin"):
        assert engine.instance_page(view.id, reader).detail.instance.id == view.id
    with pytest.raises(NotFound, match=f"No existe la instancia {view.id}"):
        engine.instance_page(view.id, "estudiante.camila")  # a requester may not learn it exists
    with pytest.raises(Forbidden):
        engine.instance_page(view.id, "cartera.juan")  # staff of no lane of PRO-MAA-16
    with pytest.raises(NotFound):
        engine.instance_page(999_999, "supervisor.raul")
    assert engine.instance_page(view.id, "supervisor.raul").may_retry
    assert not engine.instance_page(view.id, "tic.ana").may_retry
    xml = engine.diagram_of(view.id, "tic.ana")
    assert xml.lstrip().startswith("<?xml") and 'id="pro_maa_16"' in xml and "bpmndi:BPMNDiagram" in xml
    with pytest.raises(NotFound):
        engine.diagram_of(view.id, "estudiante.camila")


def test_marks_follow_the_steps(engine: Engine, db: Database) -> None:
    view = start(db, "PG-1001")
    marks = engine.instance_page(view.id, "coord.bogota").marks
    assert marks.active == ["Activity_revisar_solicitud"] and marks.failed == []
    assert marks.completed == ["Activity_consultar_pago", "Event_solicitud", "Gateway_autorizado"]
    actor, data = ANSWERS["Activity_revisar_solicitud"]
    view = engine.complete(view.open_tasks[0].id, actor, data)
    marks = engine.instance_page(view.id, "coord.bogota").marks
    assert marks.active == ["Event_factura_anulada"]  # it waits for billing's answer
    assert {"Activity_revisar_solicitud", "Gateway_aprobada", "Gateway_facturado", "Gateway_factura_utilizada",
            "Event_pedir_anulacion_factura"} <= set(marks.completed)
    assert "Event_factura_anulada" not in marks.completed


def test_a_failed_step_is_marked(engine: Engine, db: Database) -> None:
    broken = Engine(db, {**BENCH_HANDLERS, "describe_payment": _broken}, input_errors=(HandlerInputError,))
    with pytest.raises(StepFailed) as caught:
        broken.start("pro_maa_16", "coord.bogota", {
            "payment": "PG-1003", "adjustment": "anulacion", "reason": "baja_academica",
            "justification": "Baja académica definitiva del estudiante."})
    page = engine.instance_page(caught.value.instance_id, "supervisor.raul")
    assert page.marks.failed == ["Activity_consultar_pago"] and page.marks.active == []
    assert page.detail.instance.status == "error"


def test_instances_started_by_lists_own_instances_newest_first(engine: Engine, db: Database) -> None:
    first = start(db, "PG-1001")
    second = start(db, "PG-1003")
    start(db, "PG-1004", requester="coord.medellin")
    page = engine.instances_started_by("coord.bogota", per_page=1)
    assert page.total == 2 and page.pages == 2 and [i.id for i in page.items] == [second.id]
    assert page.items[0].current_steps == ["Revisar solicitud"]
    assert page.items[0].process_name.startswith("PRO-MAA-16") and page.items[0].status == "running"
    assert [i.id for i in engine.instances_started_by("coord.bogota", page=2, per_page=1).items] == [first.id]
    assert engine.instances_started_by("tic.ana").total == 0
