"""Consulta de volantes de pago: pending fee slips by the student's ID number, without signing in."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

from flask import Blueprint, render_template, request
from sqlalchemy.orm import Session

from handlers.oficina.lookup import fee_slips_by_document
from webui.anonymous_forms import anonymous_form
from webui.context import database, engine
from webui.security import marked_attempts, record_attempt

bp = Blueprint("lookup", __name__)

WINDOW = timedelta(minutes=10)
MAX_PER_ADDRESS = 10  # look-ups per client address in the window: enough for a family, too few to sweep IDs
# Rows in the sign-in attempts table mark look-ups, as successes so they never lock anyone's sign-in.
_MARK = "consulta-volantes:"
_ID = re.compile(r"^[0-9A-Za-z\-]{4,20}$")


def _page(document: str, status: int, *, error: str | None = None, slips: Any = None, searched: bool = False,
          message: str | None = None) -> Any:
    return render_template("lookup/index.html", document=document, error=error, slips=slips or [],
                           searched=searched, message=message), status


@bp.get("/consulta-volantes")
def index() -> Any:
    return _page("", 200)


@bp.post("/consulta-volantes")
@anonymous_form
def search() -> Any:
    typed = (request.form.get("documento") or "")[:40]
    document = re.sub(r"[\s.]", "", typed)
    if not _ID.match(document):
        return _page(typed, 400, error="Escriba el número de identificación del alumno: de 4 a 20 dígitos, "
                                       "sin puntos.")
    address = (request.remote_addr or "?")[:64]
    now = engine().clock()
    with database().write() as session:
        if _counted(session, address, now):
            slips = fee_slips_by_document(session, document)
        else:
            return _page(document, 429, message="Hizo demasiadas consultas seguidas desde esta conexión. "
                                                "Espere unos minutos e intente de nuevo.")
    return _page(document, 200, slips=slips, searched=True)


def _counted(session: Session, address: str, now: datetime) -> bool:
    """Count this look-up against the address; False when the address has used up its look-ups."""
    if marked_attempts(session, _MARK, address, now - WINDOW) >= MAX_PER_ADDRESS:
        return False
    record_attempt(session, _MARK, address, True, now)
    return True
