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
from engine.errors import FieldError, Forbidden, InvalidData
from engine.message_board import messages_with_status
from engine.messages import MessageStatus
from webui import api_reads
from webui.context import database, engine, user
from webui.openapi import document
from webui.tokens import user_for_token

bp = Blueprint("api", __name__, url_prefix="/api/v1")
PUBLIC_ENDPOINTS = {"api.openapi"}
BODY_FIELD = "(cuerpo)"
MESSAGE_FIELDS = ("nombre", "clave", "contenido", "id")
MAX_CONTENT_CHARS = 100_000
SUPERVISORS = ("supervisor", "admin")


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


def _text_field(body: dict[str, Any], name: str, problems: list[FieldError], integer_ok: bool = False) -> str | None:
    """An optional text field of the body (integers too, when ``integer_ok``: a key such as an invoice number)."""
    value = body.get(name)
    if value is None:
        return None
    if integer_ok and isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if not isinstance(value, str):
        problems.append(FieldError(name, "Debe ser texto." if not integer_ok else "Debe ser texto o un número entero."))
        return None
    if "\x00" in value:
        problems.append(FieldError(name, "Contiene caracteres no permitidos."))
        return None
    return value


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, list):
        return any(_has_nul(v) for v in value)
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    return False


def _message_request(body: dict[str, Any]) -> tuple[str, str | None, Any, str | None]:
    """(nombre, clave, contenido, id) from the body, or a 400 naming each field at fault. The engine checks the
    lengths (and that a name was given)."""
    problems = [FieldError(name, f"Campo desconocido; los campos son: {', '.join(MESSAGE_FIELDS)}.")
                for name in body if name not in MESSAGE_FIELDS]
    name = _text_field(body, "nombre", problems)
    key = _text_field(body, "clave", problems, integer_ok=True)
    message_key = _text_field(body, "id", problems)
    content = body.get("contenido", {})
    if _has_nul(content):
        problems.append(FieldError("contenido", "Contiene caracteres no permitidos."))
    elif len(json.dumps(content, ensure_ascii=False)) > MAX_CONTENT_CHARS:
        problems.append(FieldError("contenido", f"Admite hasta {MAX_CONTENT_CHARS} caracteres de JSON."))
    if problems:
        raise InvalidData(problems, "El mensaje no es válido.")
    return name or "", key, content, message_key


@bp.post("/mensajes")
def send_message() -> Any:
    """Send a message from outside any process: staff only. 202 when stored (the worker delivers it), 200 when
    a message with the same ``id`` was already sent (delivered once)."""
    if not user().is_staff:
        raise Forbidden("Solo el personal de la universidad puede enviar mensajes a los procesos.")
    name, key, content, message_key = _message_request(_body())
    message_id = engine().send_message(name, key, content, user().username, message_key=message_key)
    if message_id is None:
        return jsonify({"duplicado": True}), 200
    return jsonify({"mensaje": message_id, "duplicado": False}), 202


@bp.get("/mensajes")
def messages() -> Any:
    """Messages by status (default: unmatched, the ones nobody waited for), oldest first: supervisors only."""
    if not user().has_any(*SUPERVISORS):
        raise Forbidden("Solo los supervisores pueden ver los mensajes.")
    raw = request.args.get("estado", MessageStatus.UNMATCHED.value)
    try:
        status = MessageStatus(raw)
    except ValueError:
        raise InvalidData([FieldError("estado", "Use uno de: " + ", ".join(s.value for s in MessageStatus) + ".")],
                          "El estado no es válido.") from None
    return jsonify({"estado": status.value,
                    "mensajes": [m.as_dict() for m in messages_with_status(database(), status)]})
