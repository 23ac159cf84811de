"""The BPMN editor in the browser: edit PRO-MAA-16, see a validation error on its element, fix it and deploy version
2 while an instance started on version 1 finishes there; and every shipped diagram survives the Modeler unchanged.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from engine.db import Database
from engine.model_diff import diff_files
from engine.runtime import Engine
from tests.conftest import make_engine
from tests.e2e.conftest import screenshot
from tests.e2e.test_sign_in_browser import sign_in
from tests.engine.pro_maa_16_driver import run_to_end, start

DESIGNER = "disenador.eva"
PROCESSES = Path(__file__).resolve().parent.parent.parent / "processes"
NEW_NAME = "Revisar solicitud recibida"
ROUND_TRIP = """async (files) => {
  const out = {};
  for (const name of Object.keys(files)) {
    await window.cauceModeler.importXML(files[name]);
    out[name] = (await window.cauceModeler.saveXML({ format: true })).xml;
  }
  return out;
}"""


def open_editor(page: Any, base: str, model: str) -> None:
    page.goto(f"{base}/disenador/modelos/{model}/editar")
    page.wait_for_selector("body[data-editor-ready]")


def select(page: Any, element_id: str) -> None:
    page.evaluate("id => { const m = window.cauceModeler;"
                  " m.get('selection').select(m.get('elementRegistry').get(id)); }", element_id)


def click_shape(page: Any, element_id: str) -> None:
    """Click a shape as a person would, once the canvas has brought it clear of the palette."""
    page.evaluate("id => { const m = window.cauceModeler; const c = m.get('canvas');"
                  " c.zoom(1); c.scrollToElement(m.get('elementRegistry').get(id), { top: 100, left: 300 }); }",
                  element_id)
    page.locator(f'g.djs-element[data-element-id="{element_id}"]').click()


def test_edit_break_fix_and_deploy_pro_maa_16(live_server: str, page: Any, db: Database, engine: Engine) -> None:
    old = start(db, "PG-1002", reason="baja_academica")
    assert old.version == 1
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    sign_in(page, live_server, DESIGNER)
    page.wait_for_url(re.compile(r".*/bandeja.*"))
    open_editor(page, live_server, "pro_maa_16")

    # Rename the review task with the panel's name field (clicking the shape selects it).
    click_shape(page, "Activity_revisar_solicitud")
    name = page.locator("#properties input[name=name]")
    assert name.input_value() == "Revisar solicitud"
    name.fill(NEW_NAME)
    name.press("Tab")
    assert page.evaluate("() => window.cauceModeler.get('elementRegistry').get('Activity_revisar_solicitud')"
                         ".businessObject.name") == NEW_NAME

    # Break a service task: no handler. Validating draws the problem on the element and lists it.
    select(page, "Activity_consultar_pago")
    page.locator("#properties select[name=handler]").select_option("")
    page.get_by_role("button", name="Validar").click()
    page.wait_for_selector('g.djs-element.cauce-error[data-element-id="Activity_consultar_pago"]')
    note = page.locator(".cauce-error-note").first
    assert "no indica qué handler llama" in note.inner_text()
    assert "Activity_consultar_pago" in page.locator("#problems").inner_text()
    page.locator("#problems .problem-link").filter(has_text="Activity_consultar_pago").first.click()
    screenshot(page, "13-disenador-editor")

    # Deploying now is refused by the server: nothing written.
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Desplegar nueva versión").click()
    page.wait_for_function("() => !document.getElementById('btn-deploy').disabled")
    assert "problema" in page.locator("#editor-status").inner_text()
    assert engine.model_files(DESIGNER, "pro_maa_16").version == 1

    # Fix it from the list: the problem selects its element; choose the handler again and give its parameter.
    page.locator("#problems .problem-link").filter(has_text="Activity_consultar_pago").first.click()
    page.locator("#properties select[name=handler]").select_option("describe_payment")
    parameter = page.locator("#properties input[name=param-payment]")
    parameter.fill("payment")
    parameter.press("Tab")
    page.locator("#properties input[name=resultVariable]").fill("pago")
    page.locator("#properties input[name=resultVariable]").press("Tab")
    page.get_by_role("button", name="Validar").click()
    page.wait_for_function("() => document.getElementById('editor-status').textContent.includes('Sin problemas')")
    assert page.locator(".cauce-error-note").count() == 0

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Desplegar nueva versión").click()
    page.wait_for_url(re.compile(r".*/editar\?version=2"))
    assert "Se desplegó la versión 2" in page.content()
    assert "Versión 2" in page.locator("#editor-origin").inner_text()
    assert errors == []

    # The instance started before finishes on version 1; a new one runs on version 2 with the new name.
    assert run_to_end(db, old) == ["Activity_revisar_solicitud"]
    finished = make_engine(db).show(old.id).instance
    assert (finished.status, finished.version) == ("completed", 1)
    new = start(db, "PG-1003", adjustment="reversa")
    assert new.version == 2 and [t.name for t in new.open_tasks] == [NEW_NAME]
    page.get_by_role("button", name="Cerrar sesión").click()
    sign_in(page, live_server, "tic.ana")
    page.wait_for_url(re.compile(r".*/bandeja.*"))
    assert page.get_by_role("link", name=NEW_NAME).count() >= 1
    page.goto(f"{live_server}/instancias/{new.id}")
    assert "versión 2" in page.content() and NEW_NAME in page.content()


def shipped_models() -> list[str]:
    # A _compartido folder holds parts every case model's version already includes among its files.
    return sorted({path.parent.name for path in PROCESSES.rglob("*.bpmn") if not path.parent.name.startswith("_")})


def test_every_shipped_diagram_round_trips_through_the_modeler(live_server: str, page: Any, engine: Engine) -> None:
    sign_in(page, live_server, DESIGNER)
    page.wait_for_url(re.compile(r".*/bandeja.*"))
    models = shipped_models()
    assert "pro_maa_16" in models and "devolucion_saldos" in models
    seen: set[str] = set()
    for model in models:
        open_editor(page, live_server, model)
        files = dict(engine.model_files(DESIGNER, model).files)
        bpmn = {name: text for name, text in files.items() if name.endswith(".bpmn")}
        seen.update(bpmn)
        saved = page.evaluate(ROUND_TRIP, bpmn)
        after = {**files, **saved}
        assert engine.validate_model(DESIGNER, model, after) == [], model
        diff = diff_files(files, after)
        assert (diff.added, diff.removed, diff.changed) == ([], [], []), (model, diff)
    assert {path.name for path in PROCESSES.rglob("*.bpmn")} <= seen


def test_foreign_extensions_survive_the_round_trip(live_server: str, page: Any, engine: Engine) -> None:
    files = dict(engine.model_files(DESIGNER, "pro_maa_16").files)
    xml = files["pro_maa_16.bpmn"].replace(
        'xmlns:spiffworkflow=', 'xmlns:camunda="http://camunda.org/schema/1.0/bpmn" xmlns:spiffworkflow=', 1)
    task = '<bpmn:userTask id="Activity_revisar_solicitud" name="Revisar solicitud"'
    xml = xml.replace(f"{task}>", f'{task} camunda:assignee="ana">', 1)
    xml = xml.replace('<spiffworkflow:property name="formJsonSchemaFilename" value="revision.schema.json" />',
                      '<spiffworkflow:property name="formJsonSchemaFilename" value="revision.schema.json" />'
                      '</spiffworkflow:properties><camunda:properties>'
                      '<camunda:property name="prioridad" value="alta" /></camunda:properties>'
                      "<spiffworkflow:properties>", 1)
    assert 'camunda:assignee="ana"' in xml and "camunda:properties" in xml
    sign_in(page, live_server, DESIGNER)
    page.wait_for_url(re.compile(r".*/bandeja.*"))
    open_editor(page, live_server, "pro_maa_16")
    saved = page.evaluate(ROUND_TRIP, {"pro_maa_16.bpmn": xml})["pro_maa_16.bpmn"]
    assert 'camunda:assignee="ana"' in saved
    assert re.search(r'<camunda:property name="prioridad" value="alta"\s*/>', saved)
    assert 'xmlns:camunda="http://camunda.org/schema/1.0/bpmn"' in saved
    after = {**files, "pro_maa_16.bpmn": saved}
    diff = diff_files({**files, "pro_maa_16.bpmn": xml}, after)
    assert (diff.added, diff.removed, diff.changed) == ([], [], [])


XML = "async () => (await window.cauceModeler.saveXML({ format: false })).xml.replaceAll(' />', '/>')"


def change(page: Any, name: str, value: str) -> None:
    """Set one of the panel's controls and commit it as leaving the field does."""
    control = page.locator(f"#properties [name={name}]")
    if control.evaluate("c => c.tagName") == "SELECT":
        control.select_option(value)
    else:
        control.fill(value)
        control.press("Tab")


def test_the_panel_edits_what_cauce_reads_and_undo_restores_it(live_server: str, page: Any) -> None:
    sign_in(page, live_server, DESIGNER)
    page.wait_for_url(re.compile(r".*/bandeja.*"))
    open_editor(page, live_server, "devolucion_saldos")
    assert page.locator("#file-switcher-label").is_visible()  # the case model and its shared part
    before = page.evaluate(XML)

    select(page, "Lane_tesoreria")
    change(page, "lane-role", "cartera")
    select(page, "Activity_revisar")
    change(page, "dueIn", "P5D")
    change(page, "formUiSchemaFilename", "")
    change(page, "instructionsForEndUser", "## Revisar")
    select(page, "Gateway_saldo")
    change(page, "default-flow", "Flow_saldo_suficiente")
    select(page, "Flow_saldo_insuficiente")
    change(page, "condition", "not suficiente")
    select(page, "Event_sla")
    change(page, "timer-value", '"P4D"')
    select(page, "Activity_preparar_pregunta")
    change(page, "script", "pregunta = 'x'")
    page.evaluate("() => window.cauceModeler.get('selection').select([])")
    change(page, "caseNumberPrefix", "SFX")
    xml = page.evaluate(XML)
    assert '<bpmn:lane id="Lane_tesoreria" name="cartera">' in xml
    assert '<spiffworkflow:property name="dueIn" value="P5D"/>' in xml
    assert "## Revisar</spiffworkflow:instructionsForEndUser>" in xml
    assert 'default="Flow_saldo_suficiente"' in xml
    assert "not suficiente</bpmn:conditionExpression>" in xml
    assert "&quot;P4D&quot;</bpmn:timeDuration>" in xml or '"P4D"</bpmn:timeDuration>' in xml
    assert "pregunta = 'x'</bpmn:script>" in xml
    assert '<spiffworkflow:property name="caseNumberPrefix" value="SFX"/>' in xml
    changed = diff_files({"devolucion_saldos.bpmn": before}, {"devolucion_saldos.bpmn": xml}).changed
    assert {"Lane_tesoreria", "Activity_revisar", "Gateway_saldo", "Flow_saldo_insuficiente"} <= {
        c.element_id for c in changed}

    page.evaluate("() => { const s = window.cauceModeler.get('commandStack'); while (s.canUndo()) { s.undo(); } }")
    diff = diff_files({"devolucion_saldos.bpmn": before}, {"devolucion_saldos.bpmn": page.evaluate(XML)})
    assert (diff.added, diff.removed, diff.changed) == ([], [], [])


def test_message_events_choose_their_message_and_correlation(live_server: str, page: Any) -> None:
    sign_in(page, live_server, DESIGNER)
    page.wait_for_url(re.compile(r".*/bandeja.*"))
    open_editor(page, live_server, "pro_maa_16")
    select(page, "Event_factura_anulada")
    assert page.locator("#properties select[name=message]").input_value() == "Message_factura_anulada"
    change(page, "correlationKey", "payment_id")
    change(page, "messageVariable", "anulacion")
    page.once("dialog", lambda dialog: dialog.accept("aviso_nuevo"))
    change(page, "message", "__new__")
    xml = page.evaluate(XML)
    assert '<bpmn:message id="Message_aviso_nuevo" name="aviso_nuevo"/>' in xml
    assert 'messageRef="Message_aviso_nuevo"' in xml
    assert '<spiffworkflow:property name="correlationKey" value="payment_id"/>' in xml
    assert "<spiffworkflow:messageVariable>anulacion</spiffworkflow:messageVariable>" in xml
