"""The JSON API: tokens, every endpoint's good and bad paths, and the OpenAPI document that describes them."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from werkzeug.test import TestResponse

from engine.db import utcnow
from engine.runtime import Engine
from webui.openapi import document
from webui.tokens import create_token, revoke_token

GOOD = {"payment": "PG-1001", "adjustment": "anulacion", "reason": "correccion_estimacion",
        "justification": "Cambio de tarifa por traslado de plan académico."}


class Api:
    """A client that sends one user's bearer token and checks every answer against the OpenAPI document."""

    def __init__(self, app: Flask, token: str | None) -> None:
        self.client = app.test_client()
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}

    def get(self, url: str) -> TestResponse:
        return self.client.get(f"/api/v1{url}", headers=self.headers)

    def post(self, url: str, body: Any = None, raw: str | bytes | None = None) -> TestResponse:
        if raw is not None:
            return self.client.post(f"/api/v1{url}", data=raw, headers=self.headers,
                                    content_type="application/json")
        return self.client.post(f"/api/v1{url}", json=body, headers=self.headers)


def new_token(engine: Engine, username: str) -> str:
    with engine.db.write() as session:
        return create_token(session, username, "pruebas", utcnow())


@pytest.fixture
def api(app: Flask, engine: Engine) -> Callable[[str], Api]:
    return lambda username: Api(app, new_token(engine, username))


def conforms(answer: TestResponse, status: int, schema: str) -> Any:
    """The answer has ``status`` and its body satisfies the document's schema ``schema``."""
    assert answer.status_code == status, answer.get_data(as_text=True)
    body = answer.get_json()
    validator = pytest.importorskip("openapi_schema_validator")
    validator.validate(body, {"$ref": f"#/components/schemas/{schema}", "components": document()["components"]},
                       cls=validator.OAS30Validator)
    return body


def error(answer: TestResponse, status: int) -> dict[str, Any]:
    body: dict[str, Any] = conforms(answer, status, "Error")
    assert body["status"] == status
    return body


def started(api: Callable[[str], Api], requester: str = "coord.bogota") -> dict[str, Any]:
    body: dict[str, Any] = conforms(api(requester).post("/processes/pro_maa_16/instances", GOOD), 201, "Instance")
    return body


# --- the document -----------------------------------------------------------------------------------------------

def test_openapi_document_is_valid_and_lists_every_route(app: Flask) -> None:
    validate = pytest.importorskip("openapi_spec_validator").validate
    answer = app.test_client().get("/api/v1/openapi.json")  # public: a client reads it before it has a token
    assert answer.status_code == 200
    served = answer.get_json()
    validate(served)
    routes: set[tuple[str, str]] = set()
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/v1/"):
            path = re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", r"{\1}", rule.rule.removeprefix("/api/v1"))
            routes |= {(path, m.lower()) for m in rule.methods or () if m not in ("HEAD", "OPTIONS")}
    documented = {(path, method) for path, item in served["paths"].items() for method in item}
    assert routes == documented
    assert served["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"


# --- authentication ---------------------------------------------------------------------------------------------

def test_missing_bad_and_revoked_tokens_are_401_with_a_bearer_challenge(app: Flask, engine: Engine) -> None:
    anonymous = Api(app, None).get("/tasks")
    assert error(anonymous, 401)["error"].startswith("Falta el token de acceso")
    assert anonymous.headers["WWW-Authenticate"] == 'Bearer realm="cauce"'
    basic = app.test_client().get("/api/v1/tasks", headers={"Authorization": "Basic dGljLmFuYTpjYXVjZTIwMjY="})
    assert basic.status_code == 401 and "Bearer" in basic.headers["WWW-Authenticate"]
    wrong = Api(app, "no-es-un-token").get("/tasks")
    assert error(wrong, 401)["error"] == "El token de acceso no es válido o fue revocado."
    assert wrong.headers["WWW-Authenticate"] == 'Bearer realm="cauce", error="invalid_token"'
    token = new_token(engine, "tic.ana")
    assert Api(app, token).get("/tasks").status_code == 200
    with engine.db.write() as session:
        revoke_token(session, "tic.ana", _token_id(engine, "tic.ana"), utcnow())
    assert error(Api(app, token).get("/tasks"), 401)["error"] == "El token de acceso no es válido o fue revocado."
    # a POST without a token is refused the same way, before its body is even read
    assert error(Api(app, None).post("/processes/pro_maa_16/instances", GOOD), 401)["status"] == 401


def _token_id(engine: Engine, username: str) -> int:
    from webui.tokens import list_tokens

    with engine.db.read() as session:
        return list_tokens(session, username)[0].id


def test_a_session_cookie_is_no_api_credential(app: Flask, sign_in: Callable[[str], Any]) -> None:
    me = sign_in("tic.ana")
    assert me.get("/api/v1/tasks").status_code == 401


# --- processes and starting -------------------------------------------------------------------------------------

def test_processes_lists_what_the_caller_may_start_with_its_start_form(api: Callable[[str], Api]) -> None:
    coordination = conforms(api("coord.bogota").get("/processes"), 200, "ProcessList")["processes"]
    pro = next(p for p in coordination if p["process_id"] == "pro_maa_16")
    assert pro["start_role"] == "coordinacion_administrativa" and "payment" in pro["schema"]["properties"]
    assert pro["instructions"].startswith("## Solicitud de anulación o reversa")
    tic = {p["process_id"] for p in conforms(api("tic.ana").get("/processes"), 200, "ProcessList")["processes"]}
    assert "pro_maa_16" not in tic and {"simple", "loop"} <= tic


def test_start_creates_the_instance(api: Callable[[str], Api]) -> None:
    body = started(api)
    assert body["process_id"] == "pro_maa_16" and body["initiator"] == "coord.bogota"
    assert body["status"] == "running"
    assert [t["name"] for t in body["open_tasks"]] == ["Revisar solicitud"]


def test_start_refusals(api: Callable[[str], Api]) -> None:
    tic = api("tic.ana")
    forbidden = error(tic.post("/processes/pro_maa_16/instances", GOOD), 403)
    assert forbidden["error"] == "Solo el rol «coordinacion_administrativa» puede iniciar pro_maa_16."
    assert error(tic.post("/processes/no_existe/instances", {}), 404)["error"] == \
        "No hay ningún proceso desplegado con id «no_existe»."
    coordination = api("coord.bogota")
    missing = error(coordination.post("/processes/pro_maa_16/instances", {"adjustment": "anulacion"}), 400)
    assert {"field": "payment", "message": "Este campo es obligatorio."} in missing["errors"]
    extra = error(coordination.post("/processes/pro_maa_16/instances", {**GOOD, "amount": 1}), 400)
    assert extra["errors"] == [{"field": "amount", "message": "Campo no permitido en este formulario."}]
    unknown = error(coordination.post("/processes/pro_maa_16/instances", {**GOOD, "payment": "PG-9999"}), 400)
    assert [e["field"] for e in unknown["errors"]] == ["payment"]


@pytest.mark.parametrize(("raw", "message"), [
    ("{\"payment\": ", "El cuerpo de la solicitud no es JSON válido."),
    ("{'payment': 'PG-1001'}", "El cuerpo de la solicitud no es JSON válido."),
    ("{\"amount\": NaN}", "El cuerpo de la solicitud no es JSON válido."),
    ("{\"amount\": 1e999}", "El cuerpo de la solicitud no es JSON válido."),
    ("[" * 100_000, "El cuerpo de la solicitud no es JSON válido."),
    (b"\xff\xfe\x00", "El cuerpo de la solicitud no es JSON válido."),
    ("[1, 2]", "El cuerpo de la solicitud debe ser un objeto JSON."),
    ("\"PG-1001\"", "El cuerpo de la solicitud debe ser un objeto JSON."),
    ("null", "El cuerpo de la solicitud debe ser un objeto JSON."),
])
def test_a_body_that_is_not_a_json_object_is_a_400_naming_the_body(api: Callable[[str], Api], raw: str | bytes,
                                                                   message: str) -> None:
    body = error(api("coord.bogota").post("/processes/pro_maa_16/instances", raw=raw), 400)
    assert body["error"].startswith(message)
    assert [e["field"] for e in body["errors"]] == ["(cuerpo)"]


# --- tasks ------------------------------------------------------------------------------------------------------

def test_my_tasks_and_one_task_with_its_forms(api: Callable[[str], Api]) -> None:
    task_id = started(api)["open_tasks"][0]["id"]
    tic = api("tic.ana")
    mine = conforms(tic.get("/tasks"), 200, "TaskList")["tasks"]
    assert [t["id"] for t in mine] == [task_id]
    assert conforms(api("conta.maria").get("/tasks"), 200, "TaskList")["tasks"] == []
    detail = conforms(tic.get(f"/tasks/{task_id}"), 200, "TaskDetail")
    assert detail["may_work"] is True and detail["task"]["role"] == "direccion_tic"
    assert set(detail["form_schema"]["properties"]) >= {"decision", "observaciones"}
    assert isinstance(detail["ui_schema"], dict) and detail["instructions"]
    # staff of another lane of the process may look, but not work it
    assert conforms(api("conta.maria").get(f"/tasks/{task_id}"), 200, "TaskDetail")["may_work"] is False


def test_task_visibility(api: Callable[[str], Api]) -> None:
    task_id = started(api)["open_tasks"][0]["id"]
    outside = error(api("cartera.juan").get(f"/tasks/{task_id}"), 403)
    assert outside["error"] == f"Su usuario no tiene acceso a la tarea {task_id} (rol «direccion_tic»)."
    requester = api("estudiante.camila")
    assert error(requester.get(f"/tasks/{task_id}"), 404)["error"] == f"No existe la tarea {task_id}."
    assert error(requester.get("/tasks/999999"), 404)["error"] == "No existe la tarea 999999."
    assert error(requester.get("/tasks/99999999999999999999999"), 404)["error"] == \
        "No existe lo que busca: revise la dirección."
    assert api("tic.ana").get("/tasks/abc").status_code == 404


def test_claim(api: Callable[[str], Api]) -> None:
    task_id = started(api)["open_tasks"][0]["id"]
    assert error(api("estudiante.camila").post(f"/tasks/{task_id}/claim"), 404)["status"] == 404
    assert error(api("cartera.juan").post(f"/tasks/{task_id}/claim"), 403)["status"] == 403
    wrong_role = error(api("conta.maria").post(f"/tasks/{task_id}/claim"), 403)
    assert wrong_role["error"] == f"La tarea {task_id} es del rol «direccion_tic», que conta.maria no tiene."
    claimed = conforms(api("tic.ana").post(f"/tasks/{task_id}/claim"), 200, "Task")
    assert claimed["assignee"] == "tic.ana"
    assert error(api("tic.ana").post("/tasks/424242/claim"), 404)["error"] == "No existe la tarea 424242."


def test_complete(api: Callable[[str], Api]) -> None:
    task_id = started(api)["open_tasks"][0]["id"]
    tic = api("tic.ana")
    bad = error(tic.post(f"/tasks/{task_id}/complete", {"decision": "quizas"}), 400)
    assert bad["errors"] == [{"field": "decision", "message": "Valor no permitido."}]
    malformed = error(tic.post(f"/tasks/{task_id}/complete", raw="{"), 400)
    assert malformed["errors"][0]["field"] == "(cuerpo)"
    assert error(api("cartera.juan").post(f"/tasks/{task_id}/complete", {"decision": "aprobar"}), 403)
    assert error(api("estudiante.camila").post(f"/tasks/{task_id}/complete", {"decision": "aprobar"}), 404)
    after = conforms(tic.post(f"/tasks/{task_id}/complete", {"decision": "aprobar"}), 200, "Instance")
    assert after["open_tasks"] == [] and after["status"] == "waiting"  # for billing's pool to annul the invoice
    again = error(tic.post(f"/tasks/{task_id}/complete", {"decision": "aprobar"}), 409)
    assert again["error"].startswith(f"La tarea {task_id} ya fue completada por tic.ana el ")
    assert error(tic.post(f"/tasks/{task_id}/claim"), 409)["status"] == 409
    done = conforms(tic.get(f"/tasks/{task_id}"), 200, "TaskDetail")
    assert done["task"]["status"] == "completed" and done["may_work"] is False


# --- instances --------------------------------------------------------------------------------------------------

def test_instance_with_its_history_for_whom_may_see_it(api: Callable[[str], Api]) -> None:
    instance_id = started(api)["id"]
    detail = conforms(api("coord.bogota").get(f"/instances/{instance_id}"), 200, "InstanceDetail")
    assert detail["instance"]["id"] == instance_id and detail["data"]["payment"] == "PG-1001"
    assert detail["history"][0]["kind"] == "instance_started"
    assert conforms(api("supervisor.raul").get(f"/instances/{instance_id}"), 200, "InstanceDetail")
    assert error(api("estudiante.camila").get(f"/instances/{instance_id}"), 404)["error"] == \
        f"No existe la instancia {instance_id}."
    assert error(api("cartera.juan").get(f"/instances/{instance_id}"), 403)["status"] == 403
    assert error(api("coord.bogota").get("/instances/777777"), 404)["error"] == "No existe la instancia 777777."
    assert error(api("coord.bogota").get(f"/instances/{2**40}"), 404)["status"] == 404


def test_unknown_api_paths_and_methods_answer_json(api: Callable[[str], Api]) -> None:
    tic = api("tic.ana")
    assert error(tic.get("/no-existe"), 404)["status"] == 404
    assert error(tic.client.delete("/api/v1/tasks", headers=tic.headers), 405)["status"] == 405
