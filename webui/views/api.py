"""The JSON API under /api/v1, described by /api/v1/openapi.json, authenticated with per-user tokens.

Same rules as the pages: the engine decides who may start, claim and complete, and who may see an instance
(engine.portal); ``webui.api_reads`` decides who may see a task. Errors are JSON (see webui/app.py):
``{"error", "status", "errors": [{"field", "message"}]}``.
"""

from __future__ import annotations

import json
import math
from typing import Any

from flask import Blueprint, Response, g, jsonify, request

from engine.db import utcnow
from engine.errors import FieldError, InvalidData
from webui import api_reads
from webui.context import database, engine, user
from webui.openapi import document
from webui.tokens import user_for_token

bp = Blueprint("api", __name__, url_prefix="/api/v1")
PUBLIC_ENDPOINTS = {"api.openapi"}
BODY_FIELD = "(cuerpo)"


@bp.before_request
def authenticate() -> Response | None:
    if request.endpoint in PUBLIC_ENDPOINTS:
        return None
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        return _unauthorized("Falta el token de acceso: envíe «Authorization: Bearer <token>».", None)
    with database().read() as session:
        found = user_for_token(session, token, utcnow())
    if found is None:
        return _unauthorized("El token de acceso no es válido o fue revocado.", "invalid_token")
    g.user = found
    return None


def _unauthorized(message: str, error: str | None) -> Response:
    response = jsonify({"error": message, "status": 401})
    response.status_code = 401
    challenge = 'Bearer realm="cauce"' + (f', error="{error}"' if error else "")
    response.headers["WWW-Authenticate"] = challenge
    return response


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} no es un número JSON válido")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"{text} está fuera de rango")
    return value


def _body() -> dict[str, Any]:
    """The request's JSON object; an empty body is an empty object. Anything else is a 400 naming the body."""
    raw = request.get_data(cache=False)
    if not raw.strip():
        return {}
    try:
        value = json.loads(raw, parse_constant=_reject_constant, parse_float=_finite_float)
    except (ValueError, RecursionError) as exc:
        detail = exc.msg if isinstance(exc, json.JSONDecodeError) else str(exc) or type(exc).__name__
        raise InvalidData([FieldError(BODY_FIELD, f"No es JSON válido: {detail}.")],
                          "El cuerpo de la solicitud no es JSON válido.") from exc
    if not isinstance(value, dict):
        raise InvalidData([FieldError(BODY_FIELD, "Debe ser un objeto JSON con los campos del formulario.")],
                          "El cuerpo de la solicitud debe ser un objeto JSON.")
    return value  # NUL characters in its strings are refused, field by field, by the form's validation


@bp.get("/openapi.json")
def openapi() -> Any:
    return jsonify(document())


@bp.get("/processes")
def processes() -> Any:
    return jsonify({"processes": [p.as_dict() for p in engine().startable_processes(user().username)]})


@bp.post("/processes/<process_id>/instances")
def start_instance(process_id: str) -> Any:
    view = engine().start(process_id, user().username, _body())
    return jsonify(view.as_dict()), 201


@bp.get("/tasks")
def tasks() -> Any:
    return jsonify({"tasks": [t.as_dict() for t in api_reads.my_tasks(engine(), user())]})


@bp.get("/tasks/<int:task_id>")
def task(task_id: int) -> Any:
    return jsonify(api_reads.task_detail(engine(), user(), task_id))


@bp.post("/tasks/<int:task_id>/claim")
def claim(task_id: int) -> Any:
    api_reads.task_access(engine(), user(), task_id)
    return jsonify(engine().claim(task_id, user().username).as_dict())


@bp.post("/tasks/<int:task_id>/complete")
def complete(task_id: int) -> Any:
    data = _body()
    api_reads.task_access(engine(), user(), task_id)
    return jsonify(engine().complete(task_id, user().username, data).as_dict())


@bp.get("/instances/<int:instance_id>")
def instance(instance_id: int) -> Any:
    return jsonify(engine().instance_page(instance_id, user().username).detail.as_dict())
