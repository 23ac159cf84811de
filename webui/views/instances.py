"""Instancia (diagram, history, tasks, notes, incidents) and "Mis solicitudes"."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for

from engine.errors import StepFailed
from engine.message_board import instance_waits
from webui.context import database, engine, login_required, roles_required, user
from webui.filters import status_label

bp = Blueprint("instances", __name__)

PER_PAGE = 20
EVENT_LABELS = {
    "instance_started": "Inició la solicitud",
    "task_created": "Tarea creada",
    "task_claimed": "Reclamó la tarea",
    "task_released": "Liberó la tarea",
    "task_reassigned": "Reasignó la tarea",
    "task_completed": "Completó la tarea",
    "task_cancelled": "Tarea cancelada",
    "task_run": "Paso automático",
    "status_changed": "Cambio de estado",
    "incident_opened": "Incidente",
    "incident_retry_failed": "Reintento fallido",
    "incident_resolved": "Incidente resuelto",
    "note_added": "Agregó una nota",
    "job_run": "Trabajo en segundo plano",
    "timer_fired": "Venció un temporizador",
    "message_sent": "Envió un mensaje",
    "message_received": "Recibió un mensaje",
    "message_discarded": "Descartó un mensaje sin destinatario",
    "message_redelivered": "Reintentó la entrega de un mensaje",
    # instance migration (issue 6)
    "migration_suspended": "Suspendida para migrar de versión",
    "task_migrated": "Tarea actualizada a la nueva versión",
    "instance_migrated": "Migró a una nueva versión",
    "migration_resumed": "Reanudada tras la migración",
    "migration_refused": "Migración rechazada",
}


@bp.get("/instancias/<int:instance_id>")
@login_required
def show(instance_id: int) -> Any:
    page = engine().instance_page(instance_id, user().username)
    notes_of = getattr(engine(), "notes_of", None)
    notes = notes_of(instance_id, user().username) if callable(notes_of) else None
    # "Esperas" and "Mensajes" are for staff: message names, keys and other cases mean nothing to a requester.
    waits = instance_waits(database(), instance_id) if user().is_staff else None
    return render_template("instances/show.html", page=page, detail=page.detail, instance=page.detail.instance,
                           marks=page.marks, notes=notes, waits=waits, event_labels=EVENT_LABELS)


@bp.get("/instancias/<int:instance_id>/diagrama.bpmn")
@login_required
def diagram(instance_id: int) -> Any:
    xml = engine().diagram_of(instance_id, user().username)
    return Response(xml, mimetype="application/xml", headers={"Cache-Control": "private, max-age=300"})


@bp.post("/incidentes/<int:incident_id>/reintentar")
@roles_required("supervisor", "admin")
def retry(incident_id: int) -> Any:
    back_to_board = request.form.get("volver") == "incidentes"  # sent by the "Incidentes" page
    try:
        view = engine().retry_incident(incident_id, user().username)
    except StepFailed as exc:
        flash(f"El reintento volvió a fallar: {exc.error}", "error")
        return redirect(url_for("incidents.index") if back_to_board
                        else url_for("instances.show", instance_id=exc.instance_id))
    flash(f"Se reintentó el paso; el caso {view.business_key} quedó «{status_label(view.status)}».", "success")
    return redirect(url_for("incidents.index") if back_to_board else url_for("instances.show", instance_id=view.id))


def _page_number(raw: str | None) -> int:
    """A page number from the query string; anything unusable (letters, "²", huge numbers) means page 1."""
    try:
        number = int(raw or "1")
    except ValueError:
        return 1
    return number if 1 <= number <= 1_000_000 else 1


@bp.get("/mis-solicitudes")
@login_required
def mine() -> Any:
    page = engine().instances_started_by(user().username, _page_number(request.args.get("pagina")), PER_PAGE)
    return render_template("instances/mine.html", page=page)
