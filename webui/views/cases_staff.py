"""Staff side of the cases: "Casos de mi unidad" (the open cases of the user's units; supervisors see every
unit) and the supervisors' "Tablero" (headline figures and charts drawn on the server as SVG)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import Blueprint, abort, render_template, request, url_for
from werkzeug.datastructures import MultiDict

from engine.access import SUPERVISING_ROLES
from engine.errors import FieldError, InvalidData
from engine.inbox import CaseWork, Sla, sla_of, work_by_key
from handlers.casos import reports
from handlers.casos.models import STATUS_LABELS
from webui import dashboard_charts as charts
from webui.context import database, engine, login_required, roles_required, user
from webui.views.inbox import SLA_LABELS, age_label

bp = Blueprint("cases_staff", __name__)
board_bp = Blueprint("board", __name__)  # its own, so the menu marks "Tablero" apart from the list
PER_PAGE = 25
MAX_PAGE = 1_000_000
FILTER_KEYS = ("unidad", "tipo", "estado", "vencidos")
OPEN_LABELS = {s: STATUS_LABELS[s] for s in reports.OPEN}


@dataclass(frozen=True)
class CaseLine:
    """A case of the list with what the engine knows of it: its instance page and the SLA of its open task."""

    case: reports.CaseRow
    instance_id: int | None
    sla: Sla | None

    @property
    def sla_label(self) -> str:
        return SLA_LABELS[self.sla] if self.sla else "Sin tarea de la unidad"


@dataclass(frozen=True)
class UnitCases:
    listing: reports.CasePage
    lines: list[CaseLine]
    units: dict[str, str]  # the units the user may see: unit -> label
    types: dict[str, str]
    filters: reports.CaseFilters
    now: datetime
    supervisor: bool


def visible_units(roles: frozenset[str]) -> frozenset[str] | None:
    """The units whose cases someone sees: every unit (None) for supervisors, else the units they belong to."""
    if roles & SUPERVISING_ROLES:
        return None
    return frozenset(roles & reports.UNITS.keys())


def _sla(case: reports.CaseRow, work: CaseWork | None, now: datetime) -> Sla | None:
    # A case that breached once stays flagged: the escalation happened, even if a later task is on time.
    if case.breached:
        return Sla.OVERDUE
    return sla_of(work.due_at if work else None, now)


def parse_filters(args: MultiDict[str, str], units: dict[str, str]) -> tuple[reports.CaseFilters, int]:
    errors: list[FieldError] = []
    unit = (args.get("unidad") or "").strip() or None
    if unit is not None and unit not in units:
        errors.append(FieldError("unidad", "Unidad desconocida o que no puede consultar."))
    status = (args.get("estado") or "").strip() or None
    if status is not None and status not in OPEN_LABELS:
        errors.append(FieldError("estado", "Estado desconocido; use registrado, en_revision o requiere_informacion."))
    case_type = (args.get("tipo") or "").strip() or None
    if case_type is not None and len(case_type) > 64:
        errors.append(FieldError("tipo", "El tipo de caso es demasiado largo."))
    try:
        page = int(args.get("pagina") or "1")
        if not 1 <= page <= MAX_PAGE:
            raise ValueError
    except ValueError:
        errors.append(FieldError("pagina", "La página debe ser un número entero positivo."))
        page = 1
    if errors:
        raise InvalidData(errors, "Los filtros de los casos no son válidos.")
    return reports.CaseFilters(unit, case_type, status, args.get("vencidos") in ("1", "on", "true")), page


def unit_cases(roles: frozenset[str], args: MultiDict[str, str], now: datetime) -> UnitCases:
    scope = visible_units(roles)
    if scope is not None and not scope:
        abort(403, description="Esta página es para las unidades de servicios financieros y sus supervisores.")
    units = {u: label for u, label in reports.UNITS.items() if scope is None or u in scope}
    filters, page = parse_filters(args, units)
    with database().read() as session:
        listing = reports.open_cases(session, scope, filters, page, PER_PAGE)
        work = work_by_key(session, {row.number: row.case_type for row in listing.rows})
        types = reports.case_types(session, scope)
    lines = [CaseLine(row, work[row.number].instance_id if row.number in work else None,
                      _sla(row, work.get(row.number), now)) for row in listing.rows]
    return UnitCases(listing, lines, units, types, filters, now, scope is None)


@bp.get("/casos/unidad")
@login_required
def unit() -> Any:
    me = user()
    view = unit_cases(me.roles, request.args, engine().clock())
    kept = {k: v for k, v in request.args.items() if k in FILTER_KEYS and v}

    def link(**changes: Any) -> str:
        params = {**kept, "pagina": view.listing.page, **changes}
        return url_for("cases_staff.unit", **{k: v for k, v in params.items() if v not in (None, "", 1)})

    return render_template("cases_staff/unit.html", view=view, args=request.args, link=link,
                           statuses=OPEN_LABELS, age=age_label)


@board_bp.get("/tablero")
@roles_required(*SUPERVISING_ROLES)
def dashboard() -> Any:
    with database().read() as session:
        board = reports.dashboard(session, engine().clock())
    return render_template(
        "cases_staff/dashboard.html", board=board, window_days=reports.CYCLE_WINDOW.days,
        open_chart=charts.open_cases_chart(board.open_counts), open_table=charts.open_table(board.open_counts),
        cycle_chart=charts.cycle_chart(board.cycle), breaches_chart=charts.breaches_chart(board.breaches),
        breach_units=charts.week_units(board.breaches), duration=charts.duration)
