"""The BPMN editor page and its JSON saves: each kind of problem on its element, nothing deployed while any remain."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from werkzeug.test import TestResponse

from engine.runtime import Engine
from tests.webui.conftest import SignedIn

DESIGNER = "disenador.eva"
PRO = "/disenador/modelos/pro_maa_16"
MAIN = "pro_maa_16.bpmn"


@pytest.fixture
def eva(sign_in: Callable[[str], SignedIn]) -> SignedIn:
    return sign_in(DESIGNER)


def files_of(engine: Engine, model: str = "pro_maa_16") -> dict[str, str]:
    return dict(engine.model_files(DESIGNER, model).files)


def post_json(me: SignedIn, url: str, body: Any) -> TestResponse:
    return me.client.post(url, data=json.dumps(body), content_type="application/json",
                          headers={"X-CSRF-Token": me.csrf})


def edited(engine: Engine, old: str, new: str, model: str = "pro_maa_16", file: str = MAIN) -> dict[str, str]:
    files = files_of(engine, model)
    assert old in files[file], old
    files[file] = files[file].replace(old, new, 1)
    return files


def problems_of(answer: TestResponse) -> list[dict[str, Any]]:
    body = answer.get_json()
    assert body is not None, answer.get_data(as_text=True)
    return list(body["problems"])


def test_the_page_carries_the_model_the_vocabulary_and_the_modeler(engine: Engine, eva: SignedIn) -> None:
    page = eva.get(f"{PRO}/editar")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "vendor/bpmn-js/bpmn-modeler.production.min.js" in html
    assert "Guardar borrador" in html and "Desplegar nueva versión" in html and "Validar" in html
    # Every script, style and link is served by the app: nothing from a CDN. (Not a search for "cdn" in the page:
    # the random CSRF token in it may spell those letters.)
    external = [url for url in re.findall(r'(?:src|href)="([^"]*)"', html) if url.startswith(("http", "//"))]
    assert external == []
    start = html.index('id="editor-data">') + len('id="editor-data">')
    end = html.index("</script>", start)
    data = json.loads(html[start:end])
    assert MAIN in data["files"] and "revision.schema.json" in data["files"]
    assert data["version"] == 1 and data["is_draft"] is False
    assert ["tesoreria", "Tesorería"] in data["vocabulary"]["roles"]
    handlers = {h["name"]: h for h in data["vocabulary"]["handlers"]}
    assert "describe_payment" in handlers


def test_the_descriptor_is_served(eva: SignedIn) -> None:
    answer = eva.get("/static/designer/spiffworkflow-moddle.json")
    descriptor = json.loads(answer.get_data(as_text=True))
    answer.close()
    assert descriptor["prefix"] == "spiffworkflow"
    assert descriptor["uri"] == "http://spiffworkflow.org/bpmn/schema/1.0/core"


def test_unknown_model_and_version_are_404(eva: SignedIn) -> None:
    assert eva.get("/disenador/modelos/no_existe/editar").status_code == 404
    assert eva.get(f"{PRO}/editar?version=99").status_code == 404
    assert eva.get(f"{PRO}/editar?version=abc").status_code == 400


def test_others_are_refused(sign_in: Callable[[str], SignedIn], engine: Engine) -> None:
    for person in ("estudiante.camila", "tic.ana", "supervisor.raul"):
        me = sign_in(person)
        assert me.get(f"{PRO}/editar").status_code == 403
        assert post_json(me, f"{PRO}/validar", {"files": files_of(engine)}).status_code == 403


def test_valid_files_have_no_problem(engine: Engine, eva: SignedIn) -> None:
    answer = post_json(eva, f"{PRO}/validar", {"files": files_of(engine)})
    assert answer.status_code == 200 and answer.get_json() == {"ok": True, "problems": []}


@pytest.mark.parametrize(("old", "new", "element_id", "words"), [
    ('serviceTaskOperator id="describe_payment"', 'serviceTaskOperator id="no_such_handler"',
     "Activity_consultar_pago", "no_such_handler"),
    ('<bpmn:lane id="Lane_facturacion" name="facturacion">', '<bpmn:lane id="Lane_facturacion" name="rol_inventado">',
     "Lane_facturacion", "rol_inventado"),
    ('value="revision.schema.json"', 'value="no_existe.schema.json"', "Activity_revisar_solicitud", "no_existe"),
    (">solicitud_caso is not None<", ">solicitud_caso is not (<", None, "no compila"),
], ids=["handler", "lane-role", "form-file", "condition"])
def test_each_kind_of_problem_names_its_element(engine: Engine, eva: SignedIn, old: str, new: str,
                                                element_id: str | None, words: str) -> None:
    answer = post_json(eva, f"{PRO}/validar", {"files": edited(engine, old, new)})
    assert answer.status_code == 422
    found = [p for p in problems_of(answer) if words in p["message"]]
    assert found, problems_of(answer)
    assert all(p["file"] == MAIN for p in found)
    if element_id:
        assert element_id in {p["element_id"] for p in found}
    else:
        assert all(p["element_id"] and p["element_id"].startswith("Flow_") for p in found)


def test_a_gateway_without_default_is_named(engine: Engine, eva: SignedIn) -> None:
    # Every outgoing flow conditioned (else SpiffWorkflow's parser refuses the flow first), none the default.
    files = edited(engine, 'name="¿La solicitud fue aprobada?" default="Flow_aprobada_no"',
                   'name="¿La solicitud fue aprobada?"')
    files[MAIN] = files[MAIN].replace(
        'targetRef="Activity_informar_rechazo" />',
        'targetRef="Activity_informar_rechazo">'
        "<bpmn:conditionExpression>decision != 'aprobar'</bpmn:conditionExpression></bpmn:sequenceFlow>", 1)
    answer = post_json(eva, f"{PRO}/validar", {"files": files})
    assert answer.status_code == 422
    found = [p for p in problems_of(answer) if "flujo por defecto" in p["message"]]
    assert [p["element_id"] for p in found] == ["Gateway_aprobada"], problems_of(answer)


def test_a_bad_timer_duration_names_the_timer(engine: Engine, eva: SignedIn) -> None:
    files = edited(engine, '>"P3D"</bpmn:timeDuration>', '>"tres días"</bpmn:timeDuration>',
                   model="devolucion_saldos", file="devolucion_saldos.bpmn")
    answer = post_json(eva, "/disenador/modelos/devolucion_saldos/validar", {"files": files})
    assert answer.status_code == 422
    assert "Event_sla" in {p["element_id"] for p in problems_of(answer)}, problems_of(answer)


def test_deploy_with_problems_is_refused_and_writes_nothing(engine: Engine, eva: SignedIn) -> None:
    files = edited(engine, 'serviceTaskOperator id="describe_payment"', 'serviceTaskOperator id="nada"')
    answer = post_json(eva, f"{PRO}/desplegar", {"files": files})
    assert answer.status_code == 422
    assert any(p["element_id"] == "Activity_consultar_pago" for p in problems_of(answer))
    assert engine.model_files(DESIGNER, "pro_maa_16").version == 1


def test_deploy_makes_a_new_version_and_the_page_shows_it(engine: Engine, eva: SignedIn) -> None:
    files = edited(engine, 'name="Revisar solicitud"', 'name="Revisar solicitud recibida"')
    answer = post_json(eva, f"{PRO}/desplegar", {"files": files})
    assert answer.status_code == 200, answer.get_data(as_text=True)
    assert answer.get_json() == {"ok": True, "problems": [], "version": 2, "status": "deployed"}
    page = eva.get(f"{PRO}/editar?version=2").get_data(as_text=True)
    assert "Se desplegó la versión 2" in page and "Revisar solicitud recibida" in page
    assert "Revisar solicitud recibida" not in eva.get(f"{PRO}/editar?version=1").get_data(as_text=True)


def test_a_draft_is_kept_with_its_problems(engine: Engine, eva: SignedIn) -> None:
    files = edited(engine, 'serviceTaskOperator id="describe_payment"', 'serviceTaskOperator id="nada"')
    answer = post_json(eva, f"{PRO}/borrador", {"files": files})
    assert answer.status_code == 200
    body = answer.get_json()
    assert body["saved"] is True and body["ok"] is False and body["problems"]
    shown = engine.model_files(DESIGNER, "pro_maa_16")
    assert shown.is_draft and 'serviceTaskOperator id="nada"' in shown.files[MAIN]
    assert "Borrador basado en la versión 1" in eva.get(f"{PRO}/editar").get_data(as_text=True)


@pytest.mark.parametrize(("body", "field"), [
    ("{no es json", "(cuerpo)"),
    ("[1, 2]", "files"),
    ('{"files": {}}', "files"),
    ('{"files": {"a.bpmn": 3}}', "files.a.bpmn"),
])
def test_malformed_json_is_400_naming_the_field(eva: SignedIn, body: str, field: str) -> None:
    answer = eva.client.post(f"{PRO}/validar", data=body, content_type="application/json",
                             headers={"X-CSRF-Token": eva.csrf})
    assert answer.status_code == 400
    assert answer.get_json()["errors"][0]["field"] == field


def test_an_oversized_body_is_refused(eva: SignedIn, app: Flask) -> None:
    huge = json.dumps({"files": {MAIN: "x" * (6 * 1024 * 1024)}})
    answer = eva.client.post(f"{PRO}/borrador", data=huge, content_type="application/json",
                             headers={"X-CSRF-Token": eva.csrf})
    assert answer.status_code == 413
    assert answer.get_json()["errors"][0]["field"] == "files"


def test_a_post_without_the_csrf_token_is_refused(engine: Engine, eva: SignedIn) -> None:
    answer = eva.client.post(f"{PRO}/desplegar", data=json.dumps({"files": files_of(engine)}),
                             content_type="application/json")
    assert answer.status_code == 400
    assert engine.model_files(DESIGNER, "pro_maa_16").version == 1
