"""Procesos: the designer's list of models and their versions, new models, uploads, downloads and the diff
between two versions (issue 6 §1, §3, §4). Views parse, call one engine operation and render."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for

from engine.access import DESIGNING_ROLES
from engine.errors import FieldError, InvalidData, NotFound
from webui.context import engine, roles_required, user

bp = Blueprint("designer", __name__)

MAX_VERSION = 1_000_000
MAX_UPLOAD_FILES = 100


def version_arg(name: str, default: int | None = None, allow_draft: bool = False) -> int:
    """A version number from the query string; 0 is the draft where ``allow_draft``."""
    raw = request.args.get(name, "").strip()
    if not raw and default is not None:
        return default
    lowest = 0 if allow_draft else 1
    if not raw.isdigit() or not lowest <= int(raw) < MAX_VERSION:
        raise InvalidData([FieldError(name, "debe ser un número de versión" + (" (0: el borrador)" if allow_draft
                                                                             else ""))])
    return int(raw)


def model_summary(model: str) -> Any:
    for summary in engine().designer_models(user().username):
        if summary.model == model:
            return summary
    raise NotFound(f"No existe el modelo {model}.")


@bp.get("/disenador/modelos")
@roles_required(*DESIGNING_ROLES)
def models() -> Any:
    return render_template("designer/models.html", models=engine().designer_models(user().username))


@bp.get("/disenador/modelos/<model>")
@roles_required(*DESIGNING_ROLES)
def model(model: str) -> Any:
    return render_template("designer/model.html", m=model_summary(model))


@bp.route("/disenador/modelos/nuevo", methods=["GET", "POST"])
@roles_required(*DESIGNING_ROLES)
def new() -> Any:
    templates = engine().model_templates()
    form = {"modelo": "", "nombre": "", "plantilla": templates[0].key if templates else ""}
    errors: dict[str, str] = {}
    if request.method == "POST":
        form = {key: request.form.get(key, "").strip() for key in form}
        try:
            engine().new_model(user().username, form["modelo"], form["plantilla"], form["nombre"])
        except InvalidData as exc:
            errors = {e.field: e.message for e in exc.errors}
        else:
            flash(f"Se creó el borrador del modelo {form['modelo']}.", "success")
            return redirect(url_for("designer_editor.edit", model=form["modelo"]))
    return render_template("designer/new.html", templates=templates, form=form,
                           errors=errors), 400 if errors else 200


@bp.route("/disenador/modelos/subir", methods=["GET", "POST"])
@roles_required(*DESIGNING_ROLES)
def upload() -> Any:
    before = {m.model: m.draft for m in engine().designer_models(user().username)}
    names = sorted(before)
    model_name = request.form.get("modelo", request.args.get("modelo", "")).strip()
    if request.method == "GET":
        return render_template("designer/upload.html", names=names, model=model_name, errors={}, problems=None)
    uploads = [(f.filename or "", f.read()) for f in request.files.getlist("archivos") if f.filename]
    errors: dict[str, str] = {}
    if not uploads:
        errors["archivos"] = "elija uno o más archivos .bpmn o .json, o un .zip"
    elif len(uploads) > MAX_UPLOAD_FILES:
        errors["archivos"] = f"suba como máximo {MAX_UPLOAD_FILES} archivos (o un .zip)"
    if not model_name:
        errors["modelo"] = "escriba el nombre del modelo (existente o nuevo)"
    if errors:
        return render_template("designer/upload.html", names=names, model=model_name, errors=errors,
                               problems=None), 400
    try:
        problems = engine().upload_model(user().username, model_name, uploads)
    except InvalidData as exc:
        return render_template("designer/upload.html", names=names, model=model_name,
                               errors={e.field: e.message for e in exc.errors}, problems=None), 400
    # An upload refused as a whole stores nothing: the draft is then the same as before (or still missing).
    after = {m.model: m.draft for m in engine().designer_models(user().username)}
    stored = after.get(model_name) is not None and after.get(model_name) != before.get(model_name)
    return render_template("designer/upload.html", names=names, model=model_name, errors={}, problems=problems,
                           uploaded=True, stored=stored), 200 if stored else 400


@bp.get("/disenador/modelos/<model>/v/<int:version>/descargar")
@roles_required(*DESIGNING_ROLES)
def download(model: str, version: int) -> Any:
    filename, content = engine().version_archive(user().username, model, version)
    return Response(content, mimetype="application/zip",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


@bp.post("/disenador/modelos/<model>/descartar-borrador")
@roles_required(*DESIGNING_ROLES)
def discard(model: str) -> Any:
    engine().discard_draft(user().username, model)
    flash(f"Se descartó el borrador del modelo {model}.", "success")
    return redirect(url_for("designer.models"))


@bp.get("/disenador/modelos/<model>/comparar")
@roles_required(*DESIGNING_ROLES)
def compare(model: str) -> Any:
    summary = model_summary(model)
    newest = summary.versions[0].version if summary.versions else None
    if newest is None:
        raise NotFound(f"El modelo {model} aún no tiene versiones desplegadas para comparar.")
    default_new = 0 if summary.draft else newest
    default_old = newest if summary.draft or newest == 1 else newest - 1
    old = version_arg("de", default_old)
    new_version = version_arg("a", default_new, allow_draft=True)
    diff = engine().diff_versions(user().username, model, old, new_version)
    return render_template("designer/compare.html", m=summary, diff=diff)
