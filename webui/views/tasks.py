"""Tarea: instructions, context, the form, comments and attachments, "Completar"; and file downloads."""

from __future__ import annotations

import unicodedata
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from urllib.parse import quote

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for

from engine.errors import AlreadyCompleted, FieldError, Forbidden, InvalidData
from engine.forms import validate_form
from engine.uploads import served_content_type
from engine.workspace import TaskWorkspace
from handlers.context_panels import CONTEXT_PANELS
from webui.context import database, engine, login_required, user
from webui.filters import local_time, money
from webui.forms_parse import ParsedForm, Upload, parse_form
from webui.forms_render import build_form
from webui.instructions import render_instructions

bp = Blueprint("tasks", __name__)


def display(value: Any) -> str:
    """A context-panel value as the university writes it."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "Sí" if value else "No"
    if isinstance(value, Decimal):
        return money(value)
    if isinstance(value, datetime):
        return local_time(value)
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    return str(value)


def _panels(ws: TaskWorkspace) -> list[dict[str, Any]]:
    provider = CONTEXT_PANELS.get(ws.task.process_id)
    if provider is None:
        return []
    with database().read() as session:
        panels = provider(session, ws.data)
    return [{"title": p.title, "rows": [(label, display(value)) for label, value in p.rows]} for p in panels]


def _page(ws: TaskWorkspace, values: dict[str, Any] | None = None, errors: list[FieldError] | None = None,
          status: int = 200, note_error: str | None = None, file_error: str | None = None) -> Any:
    form = None
    if ws.may_work:
        shown = values if values is not None else ws.data
        form = build_form(ws.form_schema, ws.ui_schema, shown, {e.field: e.message for e in errors or []})
    return render_template(
        "tasks/show.html", ws=ws, task=ws.task, instance=ws.instance, form=form, panels=_panels(ws),
        instructions=render_instructions(ws.instructions, ws.data), note_error=note_error, file_error=file_error,
    ), status


def _already_done(task_id: int, by: str | None, at: datetime | None, status: str) -> Any:
    return render_template("tasks/already_done.html", task_id=task_id, by=by, at=at, status=status), 409


@bp.get("/tareas/<int:task_id>")
@login_required
def show(task_id: int) -> Any:
    return _page(engine().task_workspace(task_id, user().username))


@bp.post("/tareas/<int:task_id>")
@login_required
def complete(task_id: int) -> Any:
    me = user()
    ws = engine().task_workspace(task_id, me.username)
    if ws.task.status != "open":
        return _already_done(task_id, ws.task.completed_by, ws.task.completed_at, ws.task.status)
    if not ws.may_work:  # the engine would refuse too, but only after any file had been stored
        raise Forbidden(f"Su usuario no puede completar la tarea {task_id}.")

    def store(upload: Upload) -> int:
        kept = engine().add_attachment(ws.instance.id, me.username, upload.filename, upload.content_type,
                                       upload.data, task_id=task_id)
        return kept.id

    uploads = {name: Upload(f.filename or "", f.mimetype or "", f.read())
               for name, f in request.files.items() if f and f.filename}
    parsed = parse_form(ws.form_schema, ws.ui_schema, request.form, uploads, store, {a.id for a in ws.attachments})
    if parsed.errors:
        return _page(ws, parsed.shown, _with_schema_errors(ws, parsed), status=400)
    try:
        engine().complete(task_id, me.username, parsed.data)
    except InvalidData as exc:
        return _page(ws, parsed.shown, exc.errors, status=400)
    except AlreadyCompleted as exc:
        return _already_done(task_id, exc.by, exc.at, engine().get_task(task_id).status)
    flash("Tarea completada.", "ok")
    return redirect(url_for("inbox.index"))


def _with_schema_errors(ws: TaskWorkspace, parsed: ParsedForm) -> list[FieldError]:
    """The fields that could not be read, plus what the schema says of the others, all shown at once."""
    bad = {e.field for e in parsed.errors}
    try:
        validate_form(ws.form_schema, {k: v for k, v in parsed.data.items() if k not in bad})
    except InvalidData as exc:
        return parsed.errors + [e for e in exc.errors if e.field not in bad]
    return parsed.errors


@bp.post("/tareas/<int:task_id>/comentarios")
@login_required
def add_comment(task_id: int) -> Any:
    me = user()
    task = engine().get_task(task_id)
    try:
        engine().add_note(task.instance_id, me.username, request.form.get("texto", ""), task_id=task_id)
    except InvalidData as exc:
        ws = engine().task_workspace(task_id, me.username)
        return _page(ws, note_error=exc.errors[0].message, status=400)
    flash("Comentario agregado.", "ok")
    return redirect(url_for("tasks.show", task_id=task_id) + "#comentarios")


@bp.post("/tareas/<int:task_id>/adjuntos")
@login_required
def add_file(task_id: int) -> Any:
    me = user()
    task = engine().get_task(task_id)
    sent = request.files.get("archivo")
    try:
        engine().add_attachment(task.instance_id, me.username, (sent.filename if sent else "") or "",
                                (sent.mimetype if sent else "") or "", sent.read() if sent else b"", task_id=task_id)
    except InvalidData as exc:
        ws = engine().task_workspace(task_id, me.username)
        return _page(ws, file_error=exc.errors[0].message, status=400)
    flash("Archivo adjuntado.", "ok")
    return redirect(url_for("tasks.show", task_id=task_id) + "#adjuntos")


def _ascii_name(name: str) -> str:
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    safe = "".join(ch if ch.isalnum() or ch in "._- " else "_" for ch in plain).strip(" .")
    return safe or "archivo"


def content_disposition(filename: str) -> str:
    """attachment; an ASCII fallback name plus the UTF-8 name (RFC 6266), nothing that can break the header."""
    utf8 = "".join(ch for ch in filename if ch.isprintable() and ch not in '"\\/\r\n') or "archivo"
    return f"attachment; filename=\"{_ascii_name(filename)}\"; filename*=UTF-8''{quote(utf8, safe='')}"


@bp.get("/adjuntos/<int:attachment_id>")
@login_required
def download(attachment_id: int) -> Any:
    meta, data = engine().attachment(attachment_id, user().username)
    response = Response(data, mimetype=served_content_type(meta.content_type))
    response.headers["Content-Disposition"] = content_disposition(meta.filename)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["Cache-Control"] = "private, no-store"
    return response
