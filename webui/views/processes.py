"""Iniciar proceso: the processes the user's roles may start, each with its start form."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for

from engine.errors import InvalidData, StepFailed
from engine.portal import StartableProcess
from webui.context import engine, login_required, user
from webui.forms_parse import parse_form
from webui.forms_render import RenderedForm, build_form
from webui.instructions import render_instructions

bp = Blueprint("processes", __name__)


def _rendered(process: StartableProcess, values: dict[str, Any] | None = None,
              errors: dict[str, str] | None = None) -> RenderedForm:
    return build_form(process.schema, process.ui_schema, values, errors)


def _render_form(process: StartableProcess, values: dict[str, Any], errors: dict[str, str], status: int) -> Any:
    return render_template("processes/start.html", process=process, form=_rendered(process, values, errors),
                           instructions=render_instructions(process.instructions, {})), status


@bp.get("/procesos/iniciar")
@login_required
def index() -> Any:
    # Case types are opened from "Registrar caso", with the portal's form; this page lists the other processes.
    processes = [p for p in engine().startable_processes(user().username) if not p.case_type]
    return render_template("processes/index.html", processes=[
        (p, _rendered(p), render_instructions(p.instructions, {})) for p in processes])


@bp.get("/procesos/<process_id>/iniciar")
@login_required
def start_form(process_id: str) -> Any:
    return _render_form(engine().start_form_of(process_id, user().username), {}, {}, 200)


@bp.post("/procesos/<process_id>/iniciar")
@login_required
def start(process_id: str) -> Any:
    me = user().username
    process = engine().start_form_of(process_id, me)
    parsed = parse_form(process.schema, process.ui_schema, request.form)
    try:
        if parsed.errors:
            raise InvalidData(parsed.errors)
        view = engine().start(process_id, me, parsed.data)
    except InvalidData as exc:
        flash("Los datos de la solicitud no son válidos: revise los campos marcados.", "error")
        return _render_form(process, parsed.shown, {e.field: e.message for e in exc.errors}, 400)
    except StepFailed as exc:
        flash(f"La solicitud quedó registrada con un error: {exc.message}", "error")
        return redirect(url_for("instances.show", instance_id=exc.instance_id))
    flash(f"Se inició el caso {view.business_key} ({view.process_name}).", "success")
    return redirect(url_for("instances.show", instance_id=view.id))
