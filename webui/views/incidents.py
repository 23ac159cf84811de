"""Incidentes: the open incidents of every instance, for supervisors, with "Reintentar"."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template

from engine.incident_board import incident_board
from webui.context import database, roles_required

bp = Blueprint("incidents", __name__)


@bp.get("/incidentes")
@roles_required("supervisor", "admin")
def index() -> Any:
    return render_template("incidents/index.html", board=incident_board(database()))
