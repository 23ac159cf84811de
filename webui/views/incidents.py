"""Incidentes: the open incidents of every instance, for supervisors, with "Reintentar"; and the messages nobody
waited for ("Mensajes sin destinatario"), with "Reintentar entrega" and "Descartar"."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for

from engine.errors import InvalidData
from engine.incident_board import incident_board
from engine.message_board import discard_message, message_board, redeliver_message
from webui.context import database, engine, roles_required, user

bp = Blueprint("incidents", __name__)
SUPERVISORS = ("supervisor", "admin")
BOARD_ANCHOR = "mensajes"


def _page(status: int = 200, errors: dict[int, str] | None = None, reasons: dict[int, str] | None = None) -> Any:
    return render_template("incidents/index.html", board=incident_board(database()),
                           mailbox=message_board(database()), discard_errors=errors or {},
                           reasons=reasons or {}), status


@bp.get("/incidentes")
@roles_required(*SUPERVISORS)
def index() -> Any:
    return _page()


@bp.post("/mensajes/<int:message_id>/reintentar")
@roles_required(*SUPERVISORS)
def redeliver(message_id: int) -> Any:
    item = redeliver_message(database(), message_id, engine().clock(), actor=user().username)
    flash(f"El mensaje «{item.name}» ({item.id}) volvió a la cola de entrega.", "success")
    return redirect(url_for("incidents.index", _anchor=BOARD_ANCHOR))


@bp.post("/mensajes/<int:message_id>/descartar")
@roles_required(*SUPERVISORS)
def discard(message_id: int) -> Any:
    reason = request.form.get("motivo", "")
    try:
        item = discard_message(database(), message_id, user().username, reason, engine().clock())
    except InvalidData as exc:
        # Unknown ids and messages no longer unmatched were already refused (404, 409): show the form's error.
        return _page(400, {message_id: "; ".join(e.message for e in exc.errors)}, {message_id: reason})
    flash(f"Se descartó el mensaje «{item.name}» ({item.id}).", "success")
    return redirect(url_for("incidents.index", _anchor=BOARD_ANCHOR))
