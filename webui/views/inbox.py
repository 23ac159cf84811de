"""Bandeja de tareas (to be completed: filters, sorting, pagination, counts)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template

from webui.context import engine, login_required, user

bp = Blueprint("inbox", __name__)


@bp.get("/bandeja")
@login_required
def index() -> Any:
    tasks = engine().tasks_for(user().username)
    return render_template("inbox/index.html", tasks=tasks)
