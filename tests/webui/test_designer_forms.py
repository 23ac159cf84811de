"""Formularios: the forms editor's pages, its live preview (the task page's renderer) and saving into the draft."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from werkzeug.test import TestResponse

from engine.runtime import Engine
from tests.webui.conftest import SignedIn

DESIGNER = "disenador.eva"
FORMS = "/disenador/modelos/pro_maa_16/formularios"
PREVIEW = "/disenador/formularios/vista-previa"
SCHEMA = {"type": "object", "title": "Prueba", "required": ["monto"], "properties": {
    "monto": {"type": "number", "title": "Monto del pago"},
    "motivo": {"type": "string", "title": "Motivo", "enum": ["error", "duplicado"]},
    "fecha": {"type": "string", "format": "date", "title": "Fecha de pago"}}}


@pytest.fixture
def eva(sign_in: Callable[[str], SignedIn]) -> SignedIn:
    return sign_in(DESIGNER)


def preview(me: SignedIn, body: Any) -> TestResponse:
    return me.client.post(PREVIEW, data=json.dumps(body), content_type="application/json",
                          headers={"X-CSRF-Token": me.csrf})


def test_the_list_shows_schema_and_ui_pairs(engine: Engine, eva: SignedIn) -> None:
    page = eva.get(FORMS)
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert f'href="{FORMS}/revision.schema.json"' in html and "revision.uischema.json" in html
    assert "De la versión v1" in html


def test_the_editor_page_carries_both_files_and_the_preview_hook(engine: Engine, eva: SignedIn) -> None:
    page = eva.get(f"{FORMS}/revision.schema.json")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert 'id="f-esquema"' in html and 'id="f-esquema-ui"' in html and 'id="field-table"' in html
    assert f'data-preview-url="{PREVIEW}"' in html and "js/designer_forms.js" in html
    assert "&#34;decision&#34;" in html or "&quot;decision&quot;" in html
    assert eva.get(f"{FORMS}/no_existe.schema.json").status_code == 404
    assert eva.get(f"{FORMS}/pro_maa_16.bpmn").status_code == 404


def test_preview_draws_the_fields_with_the_task_pages_renderer(engine: Engine, eva: SignedIn) -> None:
    answer = preview(eva, {"schema": json.dumps(SCHEMA), "ui_schema": '{"motivo": {"ui:widget": "radio"}}'})
    html = answer.get_data(as_text=True)
    assert answer.status_code == 200, html
    assert "Monto del pago" in html and "Fecha de pago" in html and 'type="radio"' in html
    assert 'class="field field-number' in html and 'type="date"' in html
    assert 'data-field="monto"' in html


def test_preview_composes_the_models_shared_parts(engine: Engine, eva: SignedIn) -> None:
    files = engine.model_files(DESIGNER, "devolucion_saldos").files
    name = next(n for n, text in files.items() if n.endswith(".schema.json") and '"$ref"' in text)
    answer = preview(eva, {"model": "devolucion_saldos", "file": name, "schema": files[name],
                           "ui_schema": files.get(name.replace(".schema.json", ".uischema.json"), "{}")})
    assert answer.status_code == 200, answer.get_data(as_text=True)


def test_preview_refuses_bad_json_and_bad_schemas_naming_file_and_line(engine: Engine, eva: SignedIn) -> None:
    bad = preview(eva, {"file": "x.schema.json", "schema": '{\n  "type": "object",\n  "properties": {,}\n}'})
    body = bad.get_json()
    assert bad.status_code == 400 and body["problems"][0]["file"] == "x.schema.json"
    assert body["problems"][0]["line"] == 3 and "JSON no válido" in body["problems"][0]["message"]
    wrong = preview(eva, {"schema": '{\n  "type": "object",\n  "properties": {\n    "a": {"type": "texto"}\n  }\n}'})
    [problem] = wrong.get_json()["problems"]
    assert wrong.status_code == 400 and problem["line"] == 4 and "properties/a/type" in problem["message"]
    ui = preview(eva, {"schema": json.dumps(SCHEMA), "ui_schema": "[1]"})
    assert ui.status_code == 400 and ui.get_json()["problems"][0]["file"] == "formulario.uischema.json"
    assert preview(eva, ["no"]).status_code == 400
    assert preview(eva, {"schema": 5}).status_code == 400
    assert preview(eva, {"schema": "{}", "file": "x.json"}).get_json()["errors"][0]["field"] == "file"
    assert preview(eva, {"schema": "{}", "model": "no_existe"}).status_code == 404


def test_preview_is_for_designers_only(engine: Engine, sign_in: Callable[[str], SignedIn]) -> None:
    assert preview(sign_in("tic.ana"), {"schema": "{}"}).status_code == 403


def test_save_writes_both_files_into_the_draft(engine: Engine, eva: SignedIn) -> None:
    files = engine.model_files(DESIGNER, "pro_maa_16").files
    schema = json.loads(files["revision.schema.json"])
    schema["properties"]["comentario_extra"] = {"type": "string", "title": "Comentario extra"}
    ui = json.loads(files["revision.uischema.json"])
    ui["ui:order"].append("comentario_extra")
    answer = eva.post(f"{FORMS}/revision.schema.json", {"esquema": json.dumps(schema), "esquema_ui": json.dumps(ui)})
    html = answer.get_data(as_text=True)
    assert answer.status_code == 200, html
    assert "Se guardó en el borrador" in html
    draft = engine.model_files(DESIGNER, "pro_maa_16")
    assert draft.is_draft and "comentario_extra" in draft.files["revision.schema.json"]
    assert "comentario_extra" in draft.files["revision.uischema.json"]
    assert draft.files["pro_maa_16.bpmn"] == files["pro_maa_16.bpmn"]


def test_save_refuses_invalid_json_and_keeps_the_text(engine: Engine, eva: SignedIn) -> None:
    answer = eva.post(f"{FORMS}/revision.schema.json", {"esquema": "{ roto", "esquema_ui": "{}"})
    html = answer.get_data(as_text=True)
    assert answer.status_code == 400 and "No se guardó" in html and "revision.schema.json" in html
    assert "{ roto" in html
    assert not engine.model_files(DESIGNER, "pro_maa_16").is_draft
    empty = eva.post(f"{FORMS}/revision.schema.json", {"esquema": "", "esquema_ui": "{}"})
    assert empty.status_code == 400 and "esquema" in empty.get_data(as_text=True)


def test_new_form_creates_a_pair_in_the_draft(engine: Engine, eva: SignedIn) -> None:
    answer = eva.post(FORMS, {"nombre": "verificacion", "titulo": "Verificación"})
    assert answer.status_code == 302 and answer.headers["Location"].endswith(f"{FORMS}/verificacion.schema.json")
    draft = engine.model_files(DESIGNER, "pro_maa_16")
    assert json.loads(draft.files["verificacion.schema.json"])["title"] == "Verificación"
    assert json.loads(draft.files["verificacion.uischema.json"]) == {"ui:order": []}
    again = eva.post(FORMS, {"nombre": "verificacion"})
    assert again.status_code == 400 and "ya existe" in again.get_data(as_text=True)
    assert eva.post(FORMS, {"nombre": "Mal nombre"}).status_code == 400
