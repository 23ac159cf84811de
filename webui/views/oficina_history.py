"""Mis pagos: payment history and paid invoices, each printable one by one or as a list (PDF)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template

from webui.context import database, roles_required
from webui.views.oficina import REQUESTER, office_context

bp = Blueprint("oficina_history", __name__)


@bp.get("/oficina/cuentas/<code>/pagos")
@roles_required(REQUESTER)
def payments(code: str) -> Any:
    with database().read() as session:
        office, _ = office_context(session, code)
    return render_template("oficina/payments.html", office=office, office_section="pagos", payments=[])
