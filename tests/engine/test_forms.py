"""Form data is checked against its JSON schema with Spanish messages, each on the field at fault; bad data
changes nothing: no instance is created, no task is closed."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import func, select

from engine.db import Database
from engine.errors import FieldError, InvalidData
from engine.forms import validate_form
from engine.models import Event, HumanTask, Instance, TaskStatus
from engine.runtime import Engine
from tests.conftest import PROCESSES

SOLICITUD = json.loads((PROCESSES / "pro_maa_16" / "solicitud.schema.json").read_text(encoding="utf-8"))
REVISION = json.loads((PROCESSES / "pro_maa_16" / "revision.schema.json").read_text(encoding="utf-8"))
GOOD = {"payment": "PG-1001", "adjustment": "anulacion", "reason": "correccion_estimacion",
        "justification": "Cambio de tarifa por traslado de plan académico."}

SMALL = {
    "type": "object",
    "properties": {
        "codigo": {"type": "string", "readOnly": True},
        "cuotas": {"type": "integer", "minimum": 1, "maximum": 12},
        "correo": {"type": "string", "format": "email"},
        "canal": {"type": "string", "enum": ["web", "caja"]},
    },
}


def _errors(schema: dict[str, Any] | None, data: Any) -> list[FieldError]:
    with pytest.raises(InvalidData) as raised:
        validate_form(schema, data)
    assert raised.value.status == 400
    return raised.value.errors


def test_good_data_passes_and_is_copied() -> None:
    clean = validate_form(SOLICITUD, GOOD)
    assert clean == GOOD
    assert clean is not GOOD


@pytest.mark.parametrize("missing", ["payment", "adjustment", "reason", "justification"])
def test_required_field_missing(missing: str) -> None:
    data = {k: v for k, v in GOOD.items() if k != missing}
    assert _errors(SOLICITUD, data) == [FieldError(missing, "Este campo es obligatorio.")]


def test_every_missing_field_is_named() -> None:
    assert _errors(SOLICITUD, {}) == [FieldError(name, "Este campo es obligatorio.")
                                      for name in ("adjustment", "justification", "payment", "reason")]


@pytest.mark.parametrize(("field", "value", "message"), [
    ("payment", 1001, "Tipo de dato no válido: se esperaba texto."),
    ("payment", None, "Tipo de dato no válido: se esperaba texto."),
    ("payment", "PG1001", "El formato no es válido."),
    ("payment", "pg-1001", "El formato no es válido."),
    ("adjustment", "devolucion", "Valor no permitido."),
    ("reason", "capricho", "Valor no permitido."),
    ("reason", 3, "Tipo de dato no válido: se esperaba texto."),
    ("justification", "Muy corta", "Debe tener al menos 20 caracteres."),
    ("justification", "x" * 2001, "Debe tener como máximo 2000 caracteres."),
], ids=["type_int", "type_null", "pattern", "pattern_case", "oneOf_adjustment", "oneOf_reason", "oneOf_type",
        "minLength", "maxLength"])
def test_bad_value_names_its_field(field: str, value: Any, message: str) -> None:
    assert _errors(SOLICITUD, {**GOOD, field: value}) == [FieldError(field, message)]


def test_unknown_extra_field_is_refused_once() -> None:
    errors = _errors(SOLICITUD, {**GOOD, "amount": 5, "approved": True})
    assert errors == [FieldError("amount", "Campo no permitido en este formulario."),
                      FieldError("approved", "Campo no permitido en este formulario.")]


def test_extra_field_refused_even_when_the_schema_allows_additional_properties() -> None:
    assert _errors(SMALL, {"canal": "web", "estado": "aprobado"}) == [
        FieldError("estado", "Campo no permitido en este formulario.")]


def test_read_only_field_is_refused() -> None:
    assert _errors(SMALL, {"codigo": "X-1", "canal": "web"}) == [FieldError("codigo", "Campo de solo lectura.")]


@pytest.mark.parametrize(("data", "expected"), [
    ({"cuotas": 0}, FieldError("cuotas", "Debe ser mayor o igual a 1.")),
    ({"cuotas": 13}, FieldError("cuotas", "Debe ser menor o igual a 12.")),
    ({"cuotas": 1.5}, FieldError("cuotas", "Tipo de dato no válido: se esperaba número entero.")),
    ({"cuotas": True}, FieldError("cuotas", "Tipo de dato no válido: se esperaba número entero.")),
    ({"correo": "sin-arroba"}, FieldError("correo", "El formato no es válido (email).")),
    ({"canal": "fax"}, FieldError("canal", "Valor no permitido.")),
], ids=["minimum", "maximum", "not_integer", "bool_not_integer", "format", "enum"])
def test_other_keywords(data: dict[str, Any], expected: FieldError) -> None:
    assert _errors(SMALL, data) == [expected]


@pytest.mark.parametrize("data", [None, [], ["payment"], "PG-1001", 5], ids=["none", "list", "list2", "str", "int"])
def test_data_that_is_not_an_object(data: Any) -> None:
    assert _errors(SOLICITUD, data) == [FieldError("(formulario)", "Los datos deben ser un objeto JSON.")]


def test_conditional_requirement_of_the_review() -> None:
    # a field left empty is there as None, so expressions may test it
    assert validate_form(REVISION, {"decision": "aprobar"}) == {"decision": "aprobar", "observaciones": None}
    assert _errors(REVISION, {"decision": "rechazar"}) == [FieldError("observaciones", "Este campo es obligatorio.")]
    assert _errors(REVISION, {"decision": "rechazar", "observaciones": "corta"}) == [
        FieldError("observaciones", "Debe tener al menos 10 caracteres.")]


def test_task_without_form_accepts_nothing() -> None:
    assert validate_form(None, {}) == {}
    assert _errors(None, {"ok": True}) == [FieldError("ok", "Esta tarea no tiene formulario: campo no permitido.")]


def test_message_lists_every_field() -> None:
    with pytest.raises(InvalidData) as raised:
        validate_form(SOLICITUD, {**GOOD, "payment": "X", "adjustment": "otra"})
    assert raised.value.message == ("Los datos enviados no son válidos. adjustment: Valor no permitido.; "
                                    "payment: El formato no es válido.")


# -- through the engine ----------------------------------------------------------------------------------------

def _count(db: Database, model: type) -> int:
    with db.read() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def test_start_with_bad_data_creates_no_instance(engine: Engine) -> None:
    bad = {**GOOD, "payment": "PG1001", "justification": "corta", "extra": 1}
    with pytest.raises(InvalidData) as raised:
        engine.start("pro_maa_16", "coord.bogota", bad)
    assert raised.value.errors == [
        FieldError("extra", "Campo no permitido en este formulario."),
        FieldError("justification", "Debe tener al menos 20 caracteres."),
        FieldError("payment", "El formato no es válido."),
    ]
    with pytest.raises(InvalidData) as raised:
        engine.start("pro_maa_16", "coord.bogota", {})
    assert {e.field for e in raised.value.errors} == {"payment", "adjustment", "reason", "justification"}
    assert (_count(engine.db, Instance), _count(engine.db, HumanTask), _count(engine.db, Event)) == (0, 0, 0)

    view = engine.start("pro_maa_16", "coord.bogota", GOOD)
    assert view.id == 1 and _count(engine.db, Instance) == 1


def _snapshot(db: Database, instance_id: int, task_id: int) -> tuple[Any, ...]:
    with db.read() as session:
        instance = session.get(Instance, instance_id)
        task = session.get(HumanTask, task_id)
        assert instance is not None and task is not None
        events = session.scalar(select(func.count()).select_from(Event).where(Event.instance_id == instance_id))
        return (instance.row_version, instance.steps, instance.status, json.dumps(instance.state, sort_keys=True),
                instance.updated_at, task.status, task.assignee, task.completed_by, events)


@pytest.mark.parametrize(("data", "expected"), [
    ({"decision": "rechazar"}, [FieldError("observaciones", "Este campo es obligatorio.")]),
    ({"decision": "quizas"}, [FieldError("decision", "Valor no permitido.")]),
    ({"decision": "aprobar", "approved": True}, [FieldError("approved", "Campo no permitido en este formulario.")]),
    ({}, [FieldError("decision", "Este campo es obligatorio.")]),
], ids=["conditional", "oneOf", "extra", "empty"])
def test_complete_with_bad_data_leaves_the_task_open(engine: Engine, data: dict[str, Any],
                                                     expected: list[FieldError]) -> None:
    view = engine.start("pro_maa_16", "coord.bogota", GOOD)
    [task] = view.open_tasks
    assert (task.element_id, task.role) == ("Activity_revisar_solicitud", "direccion_tic")
    before = _snapshot(engine.db, view.id, task.id)
    with pytest.raises(InvalidData) as raised:
        engine.complete(task.id, "tic.ana", data)
    assert raised.value.errors == expected
    assert _snapshot(engine.db, view.id, task.id) == before
    assert before[5] == TaskStatus.OPEN
    assert engine.get_task(task.id).status == "open"
    assert [t.id for t in engine.tasks_for("tic.ana")] == [task.id]

    after = engine.complete(task.id, "tic.ana", {"decision": "aprobar"})
    assert task.id not in [t.id for t in after.open_tasks]
    assert engine.get_task(task.id).completed_by == "tic.ana"
