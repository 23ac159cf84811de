"""The forms editor in the browser: a field added in the table shows in the live preview without a page reload;
and the screenshots of Procesos, the forms editor and Comparar versiones."""

from __future__ import annotations

from typing import Any

from engine.runtime import Engine
from tests.e2e.conftest import screenshot
from tests.e2e.test_sign_in_browser import sign_in

DESIGNER = "disenador.eva"
FORM = "/disenador/modelos/pro_maa_16/formularios/revision.schema.json"


def test_a_field_added_in_the_table_shows_in_the_preview(live_server: str, page: Any, engine: Engine) -> None:
    page.set_viewport_size({"width": 1600, "height": 900})  # a designer's wide screen: table and preview side by side
    sign_in(page, live_server, DESIGNER)
    page.goto(live_server + FORM)
    preview = page.locator("#form-preview")
    preview.locator('[data-field="decision"]').wait_for()
    page.evaluate("window.notReloaded = true")
    page.get_by_role("button", name="Agregar campo").click()
    row = page.locator("#field-table tbody tr").last
    row.get_by_label("Título").fill("Número de soporte")
    row.get_by_label("Requerido").check()
    preview.get_by_text("Número de soporte").wait_for()
    assert page.evaluate("window.notReloaded") is True
    assert '"campo_1"' in page.locator("#f-esquema").input_value()
    assert '"campo_1"' in page.locator("#f-esquema-ui").input_value()
    row.get_by_label("Opciones").fill("Consignación, Transferencia")
    row.get_by_label("Widget").select_option("radio")
    preview.get_by_label("Transferencia").wait_for()
    assert '"Consignación"' in page.locator("#f-esquema").input_value()
    assert page.locator("#field-table tbody tr").first.get_by_label("Opciones").is_disabled()  # oneOf: JSON only
    screenshot(page, "15-disenador-formulario")
    page.locator("#f-esquema").fill('{"type": "object", "properties": {,}}')
    page.locator("#preview-errors").get_by_text("JSON no válido").wait_for()
    assert page.evaluate("window.notReloaded") is True


def test_screenshots_of_procesos_and_the_diff(live_server: str, page: Any, engine: Engine) -> None:
    files = dict(engine.model_files(DESIGNER, "pro_maa_16").files)
    files["pro_maa_16.bpmn"] = files["pro_maa_16.bpmn"].replace('name="Revisar solicitud"',
                                                                'name="Revisar solicitud recibida"')
    engine.deploy_model(DESIGNER, "pro_maa_16", files)
    engine.save_draft(DESIGNER, "simple", engine.model_files(DESIGNER, "simple").files)
    sign_in(page, live_server, DESIGNER)
    page.goto(live_server + "/disenador/modelos")
    page.locator("#modelo-pro_maa_16 + tr summary").click()
    screenshot(page, "14-disenador-procesos")
    page.goto(live_server + "/disenador/modelos/pro_maa_16/comparar?de=1&a=2")
    page.get_by_text("nombre: «Revisar solicitud» → «Revisar solicitud recibida»").wait_for()
    screenshot(page, "16-disenador-comparar")
