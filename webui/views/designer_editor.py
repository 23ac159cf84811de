"""The BPMN editor page: the bpmn-js Modeler with cauce's own properties panel, and its JSON saves (issue 6 §2, §4).

The browser posts every file of the model (the edited .bpmn replaced); the engine validates, stores the draft or
deploys. Problems come back as JSON for the page to draw on the diagram.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from flask import Blueprint, Response, flash, jsonify, render_template, request
from werkzeug.exceptions import RequestEntityTooLarge

from engine.access import DESIGNING_ROLES
from engine.bundle import MAX_FILES
from engine.errors import CauceError, FieldError, InvalidData, ModelInvalid, Problem
from engine.vocabulary import vocabulary
from webui.context import engine, roles_required, user

bp = Blueprint("designer_editor", __name__)

MAX_BODY_BYTES = 5 * 1024 * 1024  # a model's files as JSON; the bundle's own rules limit each file further


@bp.get("/disenador/modelos/<model>/editar")
@roles_required(*DESIGNING_ROLES)
def edit(model: str) -> Any:
    version = request.args.get("version", "")
    if version and not (version.isdigit() and 0 < int(version) < 1_000_000):
        raise InvalidData([FieldError("version", "debe ser un número de versión")])
    files = engine().model_files(user().username, model, int(version) if version else None)
    return render_template("designer_editor/edit.html", model=model, files=files,
                           vocabulary=vocabulary(engine()).as_dict())


@bp.post("/disenador/modelos/<model>/validar")
@roles_required(*DESIGNING_ROLES)
def validate(model: str) -> Any:
    return _answer(lambda files: _problems(engine().validate_model(user().username, model, files), 422))


@bp.post("/disenador/modelos/<model>/borrador")
@roles_required(*DESIGNING_ROLES)
def save_draft(model: str) -> Any:
    # The draft is stored even with problems: 200, and the page shows what remains to fix.
    return _answer(lambda files: {**_problems(engine().save_draft(user().username, model, files), 200),
                                  "saved": True})


@bp.post("/disenador/modelos/<model>/desplegar")
@roles_required(*DESIGNING_ROLES)
def deploy(model: str) -> Any:
    def run(files: dict[str, str]) -> dict[str, Any]:
        result = engine().deploy_model(user().username, model, files)
        if result.status == "deployed":
            flash(f"Se desplegó la versión {result.version}.", "success")
        else:
            flash(f"No hubo cambios: la versión {result.version} sigue vigente.", "success")
        return {"ok": True, "problems": [], "version": result.version, "status": result.status}

    return _answer(run)


def _answer(call: Callable[[dict[str, str]], dict[str, Any]]) -> tuple[Response, int]:
    """Parse the body, run ``call``, and answer JSON whatever happens: the page reads every answer the same way."""
    try:
        files = _files_of_body()
        result = call(files)
    except RequestEntityTooLarge:
        return _error(413, "files", "Lo enviado supera el tamaño permitido.")
    except ModelInvalid as exc:
        return _result(exc.problems, 422)
    except InvalidData as exc:
        return jsonify({"ok": False, "error": exc.message, "problems": [],
                        "errors": [e.as_dict() for e in exc.errors]}), 400
    except CauceError as exc:
        return jsonify({"ok": False, "error": exc.message, "problems": []}), exc.status
    status = result.pop("status_code", 200)
    return jsonify(result), status


def _problems(problems: list[Problem], status_if_any: int) -> dict[str, Any]:
    return {"ok": not problems, "problems": [p.as_dict() for p in problems],
            "status_code": status_if_any if problems else 200}


def _result(problems: list[Problem], status: int) -> tuple[Response, int]:
    return jsonify({"ok": not problems, "problems": [p.as_dict() for p in problems]}), status


def _error(status: int, field: str, message: str) -> tuple[Response, int]:
    return jsonify({"ok": False, "error": message, "problems": [],
                    "errors": [{"field": field, "message": message}]}), status


def _files_of_body() -> dict[str, str]:
    if request.content_length is not None and request.content_length > MAX_BODY_BYTES:
        raise RequestEntityTooLarge()
    raw = request.get_data(cache=False)
    if len(raw) > MAX_BODY_BYTES:
        raise RequestEntityTooLarge()
    try:
        body = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise InvalidData([FieldError("(cuerpo)", "no es JSON válido")]) from exc
    files = body.get("files") if isinstance(body, dict) else None
    if not isinstance(files, dict) or not files:
        raise InvalidData([FieldError("files", "debe ser un objeto {nombre de archivo: contenido} no vacío")])
    if len(files) > MAX_FILES:
        raise InvalidData([FieldError("files", f"a lo sumo {MAX_FILES} archivos")])
    for name, text in files.items():
        if not isinstance(text, str):
            raise InvalidData([FieldError(f"files.{name}", "el contenido debe ser texto")])
    return files
