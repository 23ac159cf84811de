"""Migrar instancias: the plan of moving a model's instances from one version to another, and the move of the
ones the designer ticks (issue 6 §5). The engine checks each instance again when it moves it."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template, request

from engine.access import DESIGNING_ROLES
from engine.errors import FieldError, InvalidData
from webui.context import engine, roles_required, user
from webui.views.designer import model_summary, version_arg

bp = Blueprint("designer_migration", __name__)

MAX_INSTANCE_ID = 2**63 - 1


@bp.route("/disenador/modelos/<model>/migrar", methods=["GET", "POST"])
@roles_required(*DESIGNING_ROLES)
def migrate(model: str) -> Any:
    summary = model_summary(model)
    if len(summary.versions) < 1:
        raise InvalidData([FieldError("de", f"el modelo {model} no tiene versiones desplegadas")])
    newest = summary.versions[0].version
    old = version_arg("de", summary.versions[1].version if len(summary.versions) > 1 else newest)
    new = version_arg("a", newest)
    if old == new:
        raise InvalidData([FieldError("a", "elija una versión distinta de la de origen")])
    report = None
    if request.method == "POST":
        report = engine().migrate_instances(user().username, model, old, new, _ticked())
    plan = engine().migration_plan(user().username, model, old, new)
    return render_template("designer/migrate.html", m=summary, plan=plan, report=report)


def _ticked() -> list[int]:
    ids = request.form.getlist("instancias")
    if not ids:
        raise InvalidData([FieldError("instancias", "marque al menos una instancia para migrar")])
    if not all(i.isdigit() and 0 < int(i) <= MAX_INSTANCE_ID for i in ids):
        raise InvalidData([FieldError("instancias", "los números de instancia no son válidos")])
    return sorted({int(i) for i in ids})
