"""Buzón de SMS: the SMS outbox, for administrators (where the codes are read when no SMS gateway is set)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, render_template, request

from handlers.sms.box import list_sms
from webui.context import database, roles_required

bp = Blueprint("sms_box", __name__)


@bp.get("/buzon-sms")
@roles_required("admin")
def index() -> Any:
    page = request.args.get("pagina", "1")
    with database().read() as session:
        found = list_sms(session, int(page) if page.isdigit() and len(page) < 7 else 1)
    return render_template("sms_box/index.html", page=found,
                           gateway=bool(current_app.config.get("CAUCE_SMS_CONFIGURED")))
