"""The diff between two versions names every element added, removed or changed in what runs, never layout."""

from __future__ import annotations

import json

from engine.model_diff import diff_files
from tests.conftest import BENCH_MODELS

SIMPLE = {p.name: p.read_text(encoding="utf-8") for p in (BENCH_MODELS / "simple").iterdir()}
BPMN = SIMPLE["simple.bpmn"]


def _with(old: str, new: str, text: str = BPMN) -> dict[str, str]:
    assert text.count(old) == 1, old
    return {**SIMPLE, "simple.bpmn": text.replace(old, new)}


def _changed(new: dict[str, str]) -> dict[str, list[str]]:
    diff = diff_files(SIMPLE, new)
    assert diff.added == [] and diff.removed == []
    return {c.element_id: c.details for c in diff.changed}


def test_same_files_have_no_difference() -> None:
    diff = diff_files(SIMPLE, dict(SIMPLE))
    assert (diff.added, diff.removed, diff.changed, diff.files_changed) == ([], [], [], [])


def test_a_renamed_task_shows_old_and_new_name() -> None:
    new = _with('name="Primera revisión"', 'name="Primera revisión del monto"')
    diff = diff_files(SIMPLE, new)
    assert [(c.file, c.element_id, c.element_type, c.name) for c in diff.changed] == [
        ("simple.bpmn", "Activity_primera_revision", "userTask", "Primera revisión del monto")]
    assert diff.changed[0].details == ["nombre: «Primera revisión» → «Primera revisión del monto»"]
    assert diff.files_changed == ["simple.bpmn"]


def test_condition_handler_parameter_instructions_and_properties() -> None:
    text = BPMN.replace("is_large(amount)", "amount &gt; 5000")
    text = text.replace('value="\'simple\'"', 'value="\'otro\'"')
    text = text.replace("Indique el monto a revisar.", "Indique el monto.")
    text = text.replace('value="primera.uischema.json"', 'value="otra.uischema.json"')
    text = text.replace('spiffworkflow:serviceTaskOperator id="record_step" resultVariable="recorded"',
                        'spiffworkflow:serviceTaskOperator id="is_large" resultVariable="recorded"')
    changed = _changed({**SIMPLE, "simple.bpmn": text})
    assert changed["Flow_grande_si"] == ["condición: «is_large(amount)» → «amount > 5000»"]
    assert changed["Activity_record_step"] == ["parámetro label: «'simple'» → «'otro'»",
                                               "servicio: «record_step» → «is_large»"]
    assert changed["Activity_primera_revision"] == [
        "instrucciones: «Indique el monto a revisar.» → «Indique el monto.»",
        "propiedad formUiSchemaFilename: «primera.uischema.json» → «otra.uischema.json»"]
    assert "record_step" not in changed  # the operator's id names a handler, not an element


def test_lane_role_and_lane_membership() -> None:
    text = BPMN.replace('name="direccion_tic"', 'name="tesoreria"')
    changed = _changed({**SIMPLE, "simple.bpmn": text})
    assert changed["Lane_direccion_tic"] == ["rol del carril: «direccion_tic» → «tesoreria»"]
    assert changed["Activity_segunda_revision"] == ["carril: «direccion_tic» → «tesoreria»"]


def test_flows_rewired_and_default_changed() -> None:
    text = BPMN.replace('default="Flow_grande_no"', 'default="Flow_grande_si"')
    text = text.replace('sourceRef="Activity_record_step" targetRef="Activity_segunda_revision"',
                        'sourceRef="Activity_record_step" targetRef="Event_fin"')
    changed = _changed({**SIMPLE, "simple.bpmn": text})
    assert changed["Gateway_grande"] == ["flujo por defecto: «Flow_grande_no» → «Flow_grande_si»"]
    assert changed["Flow_paso_registrado"] == ["destino: «Activity_segunda_revision» → «Event_fin»"]


def test_added_and_removed_elements() -> None:
    text = BPMN.replace(
        '<bpmn:endEvent id="Event_fin" name="Fin">',
        '<bpmn:boundaryEvent id="Event_plazo" name="Plazo" attachedToRef="Activity_segunda_revision">'
        '<bpmn:timerEventDefinition id="Timer_plazo"><bpmn:timeDuration>"P3D"</bpmn:timeDuration>'
        '</bpmn:timerEventDefinition></bpmn:boundaryEvent>\n'
        '    <bpmn:endEvent id="Event_fin" name="Fin">')
    text = text.replace('    <bpmn:sequenceFlow id="Flow_paso_registrado" sourceRef="Activity_record_step" '
                        'targetRef="Activity_segunda_revision" />\n', "")
    diff = diff_files(SIMPLE, {**SIMPLE, "simple.bpmn": text})
    assert [(c.element_id, c.element_type, c.name) for c in diff.added] == [("Event_plazo", "boundaryEvent", "Plazo")]
    assert [(c.element_id, c.element_type) for c in diff.removed] == [("Flow_paso_registrado", "sequenceFlow")]
    assert "Timer_plazo" not in {c.element_id for c in diff.added}  # part of its event


def test_a_timer_change_is_a_change_of_its_event() -> None:
    with_timer = BPMN.replace(
        '<bpmn:endEvent id="Event_fin" name="Fin">',
        '<bpmn:boundaryEvent id="Event_plazo" attachedToRef="Activity_segunda_revision">'
        '<bpmn:timerEventDefinition id="Timer_plazo"><bpmn:timeDuration>"P3D"</bpmn:timeDuration>'
        '</bpmn:timerEventDefinition></bpmn:boundaryEvent>\n    <bpmn:endEvent id="Event_fin" name="Fin">')
    old = {**SIMPLE, "simple.bpmn": with_timer}
    new = {**SIMPLE, "simple.bpmn": with_timer.replace('"P3D"', '"P5D"')}
    diff = diff_files(old, new)
    assert [(c.element_id, c.details) for c in diff.changed] == [
        ("Event_plazo", ['temporizador (duración): «"P3D"» → «"P5D"»'])]


def test_layout_only_changes_are_no_difference() -> None:
    new = _with('<dc:Bounds x="300" y="180" width="120" height="80" />',
                '<dc:Bounds x="310" y="190" width="120" height="80" />')
    diff = diff_files(SIMPLE, new)
    assert (diff.added, diff.removed, diff.changed, diff.files_changed) == ([], [], [], [])


def test_forms_compare_as_json_and_files_come_and_go() -> None:
    reformatted = json.dumps(json.loads(SIMPLE["primera.schema.json"]), indent=4)
    changed = json.loads(SIMPLE["segunda.schema.json"])
    changed["properties"]["ok"]["title"] = "¿Conforme?"
    new = {**SIMPLE, "primera.schema.json": reformatted, "segunda.schema.json": json.dumps(changed),
           "tercera.schema.json": "{}"}
    del new["primera.uischema.json"]
    diff = diff_files(SIMPLE, new)
    assert diff.files_changed == ["segunda.schema.json"]
    assert diff.files_added == ["tercera.schema.json"]
    assert diff.files_removed == ["primera.uischema.json"]


def test_an_unreadable_bpmn_is_a_changed_file_without_elements() -> None:
    new = {**SIMPLE, "simple.bpmn": '<?xml version="1.0"?>\n<!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>'}
    diff = diff_files(SIMPLE, new)
    assert diff.files_changed == ["simple.bpmn"]
    assert diff.added == [] and diff.changed == []
    assert len(diff.removed) > 5  # every element of the old version is gone from what can be read
