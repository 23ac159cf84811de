"""Deploy-time checks of timers and messages: each defect named with its file, element and line."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from engine.errors import ModelInvalid
from engine.runtime import Engine
from tests.engine.events_helpers import EVENT_MODELS


def _variant(tmp_path: Path, model: str, old: str, new: str) -> Path:
    folder = tmp_path / model
    shutil.copytree(EVENT_MODELS / model, folder)
    bpmn = folder / f"{model}.bpmn"
    text = bpmn.read_text(encoding="utf-8")
    assert old in text
    bpmn.write_text(text.replace(old, new, 1), encoding="utf-8")
    return folder


def _line_of(folder: Path, model: str, needle: str) -> int:
    lines = (folder / f"{model}.bpmn").read_text(encoding="utf-8").splitlines()
    return next(number for number, line in enumerate(lines, 1) if needle in line)


def test_the_event_models_are_valid(engine: Engine) -> None:
    reports = engine.validate([EVENT_MODELS])
    assert [(r.model, r.problems) for r in reports if not r.ok] == []


@pytest.mark.parametrize(("model", "old", "new", "element", "needle", "words"), [
    ("sla_timers", '"P1D"', '"P1X"', "Event_recordatorio", '"P1X"', ("«P1X» no es válida",)),
    ("sla_timers", '"P3D"', '"3 días"', "Event_escalar", "3 días", ("empieza por P",)),
    ("sla_timers", '"PT2H"', "PT2H", "Event_espera", ">PT2H<", ("nombres desconocidos: PT2H",)),
    ("sla_timers", '"PT2H"', "3", "Event_espera", ">3<", ("texto ISO 8601 entre comillas",)),
    ("corte_diario", '"R3/2026-03-03T08:00:00Z/P1D"', '"cada día"', "Event_cada_dia", "cada día",
     ("empieza por R",)),
    ("tic_espera_factura", 'value="str(numero_factura)"', 'value="str(numero_de_factura)"',
     "Event_factura_anulada", "numero_de_factura", ("nombres desconocidos: numero_de_factura",)),
    ("tic_espera_factura", 'messageRef="Message_factura_anulada"', 'messageRef="Message_no_existe"',
     "Event_factura_anulada", "Message_no_existe", ("«Message_no_existe», que no existe",)),
    ("facturacion_anula", '{"factura": solicitud["factura"], "motivo": motivo}', '{"factura": factura_x}',
     "Event_avisar", "factura_x", ("nombres desconocidos: factura_x",)),
], ids=["bad-duration", "duration-not-iso", "unquoted-duration", "number-as-timer", "bad-cycle",
        "unknown-correlation-name", "unknown-message", "unknown-payload-name"])
def test_a_bad_timer_or_message_fails_the_deploy_where_it_is(engine: Engine, tmp_path: Path, model: str, old: str,
                                                            new: str, element: str, needle: str,
                                                            words: tuple[str, ...]) -> None:
    folder = _variant(tmp_path, model, old, new)
    with pytest.raises(ModelInvalid) as raised:
        engine.deploy([folder], "disenador.eva")
    problems = [p for p in raised.value.problems if p.element_id == element]
    assert problems, raised.value.problems
    problem = problems[0]
    assert problem.file == f"{model}.bpmn"
    assert problem.line == _line_of(folder, model, needle)
    for word in words:
        assert word in problem.message


def test_a_correlation_key_outside_a_message_event_is_refused(engine: Engine, tmp_path: Path) -> None:
    folder = _variant(tmp_path, "sla_timers", '<spiffworkflow:property name="formJsonSchemaFilename" '
                      'value="revisar.schema.json" />', '<spiffworkflow:property name="formJsonSchemaFilename" '
                      'value="revisar.schema.json" />\n<spiffworkflow:property name="correlationKey" value="x" />')
    [report] = engine.validate([folder])
    assert [(p.element_id, p.message) for p in report.problems] == [
        ("Activity_revisar", "correlationKey solo tiene sentido en un evento de mensaje")]


def test_a_message_cannot_start_two_processes(engine: Engine, tmp_path: Path) -> None:
    # PRO-MAA-16's billing pool is started by "anular_factura"; a second process started by it is refused
    folder = _variant(tmp_path, "facturacion_anula", 'name="pedir_anulacion"', 'name="anular_factura"')
    with pytest.raises(ModelInvalid) as raised:
        engine.deploy([folder], "disenador.eva")
    [problem] = raised.value.problems
    assert problem.element_id == "facturacion_anula"
    assert "«anular_factura» ya inicia el proceso pro_maa_16_facturacion" in problem.message
