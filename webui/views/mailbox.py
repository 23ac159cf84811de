"""Buzón de correo: the outbox for administrators (the development mailbox when SMTP_URL is not set)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, current_app, render_template, request

from handlers.mail.mailbox import list_outbox, read_mail
from webui.context import database, roles_required

bp = Blueprint("mailbox", __name__)


def _smtp_configured() -> bool:
    return bool(current_app.config.get("CAUCE_SMTP_CONFIGURED"))


@bp.get("/buzon")
@roles_required("admin")
def index() -> Any:
    page = request.args.get("pagina", "1")
    with database().read() as session:
        found = list_outbox(session, int(page) if page.isdigit() and len(page) < 7 else 1)
    return render_template("mailbox/index.html", page=found, smtp=_smtp_configured())


@bp.get("/buzon/<int:mail_id>")
@roles_required("admin")
def show(mail_id: int) -> Any:
    with database().read() as session:
        mail = read_mail(session, mail_id)
    if mail is None:
        abort(404, description="Ese correo no está en el buzón.")
    return render_template("mailbox/show.html", mail=mail, smtp=_smtp_configured())
