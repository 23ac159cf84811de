"""Formularios: a model's forms (JSON schema + UI schema pairs) edited as a field table or as raw JSON, with a live
preview drawn by the task page's own renderer, and saved into the model's draft (issue 6 §5).

The preview and the save read each file as a deploy does (``engine.checks.form_schema``), so the preview never
shows a form the deploy would refuse.
"""

from __future__ import annotations

import json
import re
from typing import Any

from flask import Blueprint, flash, jsonify, redirect, render_template, request, url_for

from engine.access import DESIGNING_ROLES
from engine.checks import form_schema
from engine.designer_views import ModelFiles
from engine.errors import FieldError, InvalidData, NotFound, Problem
from webui.context import engine, roles_required, user
from webui.forms_render import build_form

bp = Blueprint("designer_forms", __name__)

SCHEMA_SUFFIX = ".schema.json"
UI_SUFFIX = ".uischema.json"
FORM_NAME = re.compile(r"[a-z][a-z0-9_]{1,40}")
MAX_FORM_CHARS = 256 * 1024


def ui_name(schema_file: str) -> str:
    return schema_file.removesuffix(SCHEMA_SUFFIX) + UI_SUFFIX


def form_pairs(files: dict[str, str]) -> list[tuple[str, str | None]]:
    """Each schema file with its UI schema's name (None when the model has none)."""
    return [(name, ui_name(name) if ui_name(name) in files else None)
            for name in sorted(files) if name.endswith(SCHEMA_SUFFIX)]


@bp.get("/disenador/modelos/<model>/formularios")
@roles_required(*DESIGNING_ROLES)
def index(model: str) -> Any:
    found = engine().model_files(user().username, model)
    return render_template("designer/forms.html", found=found, pairs=form_pairs(found.files), errors={})


@bp.route("/disenador/modelos/<model>/formularios/<file>", methods=["GET", "POST"])
@roles_required(*DESIGNING_ROLES)
def edit(model: str, file: str) -> Any:
    found = engine().model_files(user().username, model)
    if not file.endswith(SCHEMA_SUFFIX) or file not in found.files:
        raise NotFound(f"El modelo {model} no tiene el formulario {file}.")
    schema_text = found.files[file]
    ui_text = found.files.get(ui_name(file), "{}\n")
    problems: list[Problem] = []
    saved = False
    if request.method == "POST":
        schema_text, ui_text = _text("esquema"), _text("esquema_ui")
        problems = _read_form(found.files, file, schema_text, ui_text)[2]
        if not problems:
            files = {**found.files, file: schema_text, ui_name(file): ui_text}
            problems = engine().save_draft(user().username, model, files)
            saved = True
            found = engine().model_files(user().username, model)
    return render_template("designer/form_edit.html", found=found, file=file, ui_file=ui_name(file),
                           schema_text=schema_text, ui_text=ui_text, problems=problems,
                           saved=saved), 400 if problems and not saved else 200


@bp.post("/disenador/modelos/<model>/formularios")
@roles_required(*DESIGNING_ROLES)
def create(model: str) -> Any:
    found = engine().model_files(user().username, model)
    name = request.form.get("nombre", "").strip()
    title = " ".join(request.form.get("titulo", "").split()) or name
    error = None
    if not FORM_NAME.fullmatch(name):
        error = "use de 2 a 41 letras minúsculas, dígitos o _, empezando por letra"
    elif name + SCHEMA_SUFFIX in found.files:
        error = f"ya existe el formulario {name}{SCHEMA_SUFFIX}"
    if error:
        return render_template("designer/forms.html", found=found, pairs=form_pairs(found.files),
                               errors={"nombre": error}, name=name, title=title), 400
    schema = {"type": "object", "title": title[:200], "properties": {}, "required": []}
    files = {**found.files, name + SCHEMA_SUFFIX: _dump(schema), name + UI_SUFFIX: _dump({"ui:order": []})}
    engine().save_draft(user().username, model, files)
    flash(f"Se creó el formulario {name} en el borrador.", "success")
    return redirect(url_for("designer_forms.edit", model=model, file=name + SCHEMA_SUFFIX))


@bp.post("/disenador/formularios/vista-previa")
@roles_required(*DESIGNING_ROLES)
def preview() -> Any:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return _refused("(cuerpo)", "envíe un objeto JSON con «schema» y «ui_schema»")
    file = body.get("file") or "formulario" + SCHEMA_SUFFIX
    if not isinstance(file, str) or not file.endswith(SCHEMA_SUFFIX):
        return _refused("file", f"el nombre del formulario debe terminar en {SCHEMA_SUFFIX}")
    texts = {}
    for key in ("schema", "ui_schema"):
        value = body.get(key, "{}" if key == "ui_schema" else None)
        if isinstance(value, dict):
            value = json.dumps(value)
        if not isinstance(value, str) or len(value) > MAX_FORM_CHARS:
            return _refused(key, "debe ser el texto JSON del esquema (hasta 256 KiB)")
        texts[key] = value
    schema, ui, problems = _read_form(_model_files(body.get("model")), file, texts["schema"], texts["ui_schema"])
    if problems:
        return jsonify({"ok": False, "error": "El formulario no es válido.",
                        "problems": [p.as_dict() for p in problems]}), 400
    return render_template("designer/_preview.html", form=build_form(schema, ui))


def _read_form(files: dict[str, str], file: str, schema_text: str,
               ui_text: str) -> tuple[dict[str, Any] | None, dict[str, Any] | None, list[Problem]]:
    """The two files read as deploy reads them, the shared parts they include taken from the model: the schema,
    the UI schema, and the problems of both."""
    files = {**files, file: schema_text, ui_name(file): ui_text}
    schema, schema_problems = form_schema(file, files, is_ui=False)
    ui, ui_problems = form_schema(ui_name(file), files, is_ui=True)
    return schema, ui, [*schema_problems, *ui_problems]


def _model_files(model: Any) -> dict[str, str]:
    """The model's files for the shared parts a form includes; none when the preview names no model."""
    if not model:
        return {}
    if not isinstance(model, str):
        raise InvalidData([FieldError("model", "debe ser el nombre de un modelo")])
    found: ModelFiles = engine().model_files(user().username, model)
    return found.files


def _text(field: str) -> str:
    value = request.form.get(field, "")
    if not value.strip():
        raise InvalidData([FieldError(field, "no puede quedar vacío")])
    if len(value) > MAX_FORM_CHARS:
        raise InvalidData([FieldError(field, "supera 256 KiB")])
    return value.replace("\r\n", "\n")


def _refused(field: str, message: str) -> Any:
    return jsonify({"ok": False, "error": message, "errors": [{"field": field, "message": message}],
                    "problems": []}), 400


def _dump(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2) + "\n"
