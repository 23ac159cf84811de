"""Avisos: what the processes told the signed-in user or their roles (outcomes, annulled invoices...)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template

from handlers.ledger.notices import notices_of_reader
from webui.context import database, login_required, user

bp = Blueprint("notices", __name__)


@bp.get("/avisos")
@login_required
def index() -> Any:
    me = user()
    with database().read() as session:
        notices = notices_of_reader(session, me.username, me.roles)
    return render_template("notices/index.html", notices=notices)
