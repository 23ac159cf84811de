"""Bandeja de tareas: "Mis tareas" and "Tareas de mis grupos" with counts, filters, sorting, pages; Reclamar,
Liberar and (supervisors) Reasignar. Each task shows its case: number, type, requester, age and SLA state."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from werkzeug.datastructures import MultiDict

from engine.errors import FieldError, InvalidData
from engine.inbox import InboxFilters, InboxQuery, Sla, Sort, Tab
from webui.context import engine, login_required, user
from webui.filters import BOGOTA

bp = Blueprint("inbox", __name__)

PER_PAGE = 25
TABS = {"mias": Tab.MINE, "grupo": Tab.GROUP, "todas": Tab.ALL}
SORTS = {"creada": Sort.CREATED, "vence": Sort.DUE, "proceso": Sort.PROCESS, "caso": Sort.CASE}
FILTER_KEYS = ("proceso", "caso", "estudiante", "desde", "hasta", "vencidas", "sla", "orden", "dir")
SLA_LABELS = {Sla.ON_TIME: "A tiempo", Sla.DUE_SOON: "Por vencer", Sla.OVERDUE: "Vencida"}


MAX_PAGE = 1_000_000


def _day(args: MultiDict[str, str], key: str, errors: list[FieldError]) -> date | None:
    raw = (args.get(key) or "").strip()
    if not raw:
        return None
    try:
        day = date.fromisoformat(raw)
    except ValueError:
        errors.append(FieldError(key, "Fecha no válida; use el formato AAAA-MM-DD."))
        return None
    if not 1900 <= day.year <= 9000:  # the filter adds a day to its end: keep far from date's limits
        errors.append(FieldError(key, "La fecha está fuera del rango admitido."))
        return None
    return day


def age_label(since: datetime | None, now: datetime) -> str:
    """How long ago, the way people say it: "hace 3 días", "hace 5 horas", "hace un momento"."""
    if since is None:
        return ""
    minutes = max(int((now - since).total_seconds() // 60), 0)
    for size, one, many in ((1440, "día", "días"), (60, "hora", "horas"), (1, "minuto", "minutos")):
        if minutes >= size:
            amount = minutes // size
            return f"hace {amount} {one if amount == 1 else many}"
    return "hace un momento"


@bp.app_template_filter("age")
def _age_filter(since: datetime | None, now: datetime) -> str:
    return age_label(since, now)


@bp.app_template_filter("sla_label")
def _sla_label(state: Sla | None) -> str:
    return SLA_LABELS[state] if state else ""


def _start_of(day: date) -> datetime:
    """Midnight of a day in Bogotá, as an aware datetime (the database compares instants)."""
    return datetime.combine(day, time.min, tzinfo=BOGOTA)


def parse_query(args: MultiDict[str, str]) -> InboxQuery:
    """The inbox query of a request's arguments; any bad value is a 400 naming the field."""
    errors: list[FieldError] = []
    tab_name = args.get("vista")
    if tab_name is not None and tab_name not in TABS:
        errors.append(FieldError("vista", "Vista desconocida; use mias, grupo o todas."))
    sort_name = args.get("orden") or "creada"
    if sort_name not in SORTS:
        errors.append(FieldError("orden", "Orden desconocido; use creada, vence, proceso o caso."))
    direction = args.get("dir") or "asc"
    if direction not in ("asc", "desc"):
        errors.append(FieldError("dir", "Dirección desconocida; use asc o desc."))
    try:
        page = int(args.get("pagina") or "1")
        if page > MAX_PAGE:
            raise ValueError
        if page < 1:
            raise ValueError
    except ValueError:
        errors.append(FieldError("pagina", "La página debe ser un número entero positivo."))
        page = 1
    sla_name = args.get("sla") or None
    if sla_name is not None and sla_name not in {s.value for s in Sla}:
        errors.append(FieldError("sla", "Estado de SLA desconocido; use a_tiempo, por_vencer o vencida."))
    since, until = _day(args, "desde", errors), _day(args, "hasta", errors)
    if since and until and since > until:
        errors.append(FieldError("hasta", "La fecha final es anterior a la inicial."))
    if errors:
        raise InvalidData(errors, "Los filtros de la bandeja no son válidos.")
    filters = InboxFilters(
        process=(args.get("proceso") or "").strip() or None,
        case=(args.get("caso") or "").strip() or None,
        student=(args.get("estudiante") or "").strip() or None,
        created_from=_start_of(since) if since else None,
        created_before=_start_of(until + timedelta(days=1)) if until else None,
        overdue=args.get("vencidas") in ("1", "on", "true"),
        sla=Sla(sla_name) if sla_name else None,
    )
    return InboxQuery(tab=TABS[tab_name] if tab_name else None, filters=filters, sort=SORTS[sort_name],
                      descending=direction == "desc", page=page, per_page=PER_PAGE)


@bp.get("/bandeja")
@login_required
def index() -> Any:
    me = user()
    page = engine().inbox(me.username, parse_query(request.args), roles=me.roles)
    tab_names = {tab: name for name, tab in TABS.items()}
    kept = {k: v for k, v in request.args.items() if k in FILTER_KEYS and v}

    def link(**changes: Any) -> str:
        params: dict[str, Any] = {**kept, "vista": tab_names[page.query.tab or Tab.MINE],
                                  "pagina": page.page, **changes}
        return url_for("inbox.index", **{k: v for k, v in params.items() if v not in (None, "")})

    return render_template("inbox/index.html", page=page, args=request.args, link=link, tab_names=tab_names,
                           sort_names={s: n for n, s in SORTS.items()}, here=request.full_path.rstrip("?"),
                           sla_labels=SLA_LABELS)


def _back() -> Any:
    target = request.form.get("next") or ""
    if not target.startswith("/bandeja") or "//" in target or "\\" in target:
        target = url_for("inbox.index")
    return redirect(target)


@bp.post("/bandeja/tareas/<int:task_id>/reclamar")
@login_required
def claim(task_id: int) -> Any:
    engine().claim(task_id, user().username)
    flash("Tarea reclamada.", "success")
    return _back()


@bp.post("/bandeja/tareas/<int:task_id>/liberar")
@login_required
def release(task_id: int) -> Any:
    engine().release(task_id, user().username)
    flash("Tarea liberada.", "success")
    return _back()


@bp.post("/bandeja/tareas/<int:task_id>/reasignar")
@login_required
def reassign(task_id: int) -> Any:
    to_user = (request.form.get("to_user") or "").strip()
    view = engine().reassign(task_id, user().username, to_user)
    flash(f"Tarea reasignada a {view.assignee}.", "success")
    return _back()
