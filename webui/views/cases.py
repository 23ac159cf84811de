"""The requester portal: "Registrar caso" (catalog with search, the case form, "Crear caso") and "Mis casos"
(every case with its status and current step; a case's detail with its progress, notes and files)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for

from engine.errors import InvalidData, NotFound, StepFailed
from engine.portal import StartableProcess
from engine.starts import StartFile
from handlers.casos.portal import case_statuses, case_story
from webui.context import database, engine, login_required, user
from webui.forms_parse import parse_form
from webui.forms_render import build_form

bp = Blueprint("cases", __name__)

SUBJECT_SUFFIX = " >> Servicios Financieros"
MAX_QUERY = 100


def _prefill(process: StartableProcess) -> dict[str, Any]:
    """The subject the document prescribes ("TYPE >> Servicios Financieros") and the requester's own name."""
    return {"asunto": process.name + SUBJECT_SUFFIX, "nombre_estudiante": user().display_name}


def _form_page(process: StartableProcess, values: dict[str, Any], errors: dict[str, str], status: int) -> Any:
    form = build_form(process.schema, process.ui_schema, values, errors)
    return render_template("cases/new.html", process=process, form=form), status


@bp.get("/casos/registrar")
@login_required
def catalog() -> Any:
    query = (request.args.get("q") or "").strip()[:MAX_QUERY]
    return render_template("cases/catalog.html", query=query,
                           types=engine().case_catalog(user().username, query))


@bp.get("/casos/registrar/<process_id>")
@login_required
def new(process_id: str) -> Any:
    return _form_page(_case_type(process_id), _prefill(_case_type(process_id)), {}, 200)


@bp.post("/casos/registrar/<process_id>")
@login_required
def create(process_id: str) -> Any:
    process = _case_type(process_id)
    parsed = parse_form(process.schema, process.ui_schema, request.form)
    files = [StartFile(name, sent.filename or "", sent.mimetype or "", sent.read())
             for name, sent in request.files.items() if sent and sent.filename]
    try:
        if parsed.errors:
            raise InvalidData(parsed.errors)
        view = engine().start(process_id, user().username, parsed.data, files=files)
    except InvalidData as exc:
        flash("El caso no se creó: revise los campos marcados.", "error")
        return _form_page(process, parsed.shown, {e.field: e.message for e in exc.errors}, 400)
    except StepFailed as exc:
        flash(f"El caso quedó registrado con un error técnico; el equipo fue informado. ({exc.instance_id})", "error")
        return redirect(url_for("cases.mine"))
    flash(f"Se creó el caso {view.business_key}. Puede seguirlo en «Mis casos».", "success")
    return redirect(url_for("cases.show", number=view.business_key))


@bp.get("/mis-casos")
@login_required
def mine() -> Any:
    page = engine().instances_started_by(user().username, _page_number(request.args.get("pagina")))
    with database().read() as session:
        statuses = case_statuses(session, [i.business_key or "" for i in page.items])
    return render_template("cases/mine.html", page=page, statuses=statuses)


@bp.get("/mis-casos/<number>")
@login_required
def show(number: str) -> Any:
    return _case_page(number)


@bp.post("/mis-casos/<number>/notas")
@login_required
def add_note(number: str) -> Any:
    me = user().username
    instance_id = engine().case_instance_id(number, me)
    try:
        engine().add_note(instance_id, me, request.form.get("texto", ""))
    except InvalidData as exc:
        return _case_page(number, note_error=exc.errors[0].message, status=400)
    flash("Nota agregada; la unidad la verá en el caso.", "success")
    return redirect(url_for("cases.show", number=number) + "#notas")


@bp.post("/mis-casos/<number>/adjuntos")
@login_required
def add_file(number: str) -> Any:
    me = user().username
    instance_id = engine().case_instance_id(number, me)
    sent = request.files.get("archivo")
    try:
        engine().add_attachment(instance_id, me, (sent.filename if sent else "") or "",
                                (sent.mimetype if sent else "") or "", sent.read() if sent else b"")
    except InvalidData as exc:
        return _case_page(number, file_error=exc.errors[0].message, status=400)
    flash("Archivo adjuntado al caso.", "success")
    return redirect(url_for("cases.show", number=number) + "#adjuntos")


def _case_page(number: str, note_error: str | None = None, file_error: str | None = None,
               status: int = 200) -> Any:
    me = user().username
    instance_id = engine().case_instance_id(number, me)
    page = engine().instance_page(instance_id, me)
    with database().read() as session:
        story = case_story(session, number)
    return render_template("cases/show.html", page=page, instance=page.detail.instance, marks=page.marks,
                           story=story, notes=engine().notes_of(instance_id, me),
                           files=engine().attachments_of(instance_id, me), note_error=note_error,
                           file_error=file_error,
                           my_tasks=[t for t in page.detail.instance.open_tasks if t.assignee == me]), status


def _case_type(process_id: str) -> StartableProcess:
    found = next((p for p in engine().case_catalog(user().username) if p.process_id == process_id), None)
    if found is None:
        raise NotFound(f"No existe el tipo de caso «{process_id}».")
    return found


def _page_number(raw: str | None) -> int:
    return int(raw) if raw and raw.isdigit() and len(raw) < 6 else 1



