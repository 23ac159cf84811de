"""Payment plans: eligibility, the options, the plan's data, its instalments (PDF), paying them.

The request runs as the plan_de_pago process: PLAN DE PAGO starts it, and the options and data pages complete its
user tasks through the engine. A request is reachable only by its initiator and under the account it was made
for; a plan only under its own account, linked to the signed-in requester (404 otherwise).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, redirect, render_template, request, url_for

from engine.db import utcnow
from engine.errors import FieldError, InvalidData, NotFound
from engine.identity import User
from engine.views import InstanceDetail, TaskView
from handlers.errors import HandlerInputError
from handlers.oficina.orders import OrderItemRequest, create_order
from handlers.plans.queries import PlanDetail, plan_detail
from webui.context import database, engine, roles_required, user
from webui.filters import money
from webui.pdf import PdfDocument, Table, pdf_response
from webui.views.oficina import REQUESTER, office_context

bp = Blueprint("oficina_plans", __name__)

PROCESS = "plan_de_pago"
CHOOSE, DATA = "Activity_elegir", "Activity_datos"
DATA_FIELDS = ("titular", "documento", "telefono", "correo", "direccion")
STATUS_LABELS = {"generado": "Generado (pendiente de la primera cuota)", "activo": "Activo", "caducado": "Caducado"}
NOT_FOUND = "No existe la solicitud de plan de pago o no es suya."


def _request(code: str, request_id: int) -> InstanceDetail:
    """The requester's own plan request for the account ``code`` (404 otherwise)."""
    with database().read() as session:
        office_context(session, code)
    try:
        detail = engine().show(request_id)
    except NotFound:
        abort(404, description=NOT_FOUND)
    if (detail.instance.process_id != PROCESS or detail.instance.initiator != user().username
            or detail.data.get("cuenta") != code):
        abort(404, description=NOT_FOUND)
    return detail


def _open_task(detail: InstanceDetail, element_id: str) -> TaskView | None:
    return next((t for t in detail.instance.open_tasks
                 if t.element_id == element_id and t.assignee in (None, user().username)), None)


def _where_now(code: str, detail: InstanceDetail) -> Any:
    """The page the request is at: the options, the data, the plan, or why it cannot be."""
    plan = detail.data.get("plan")
    if isinstance(plan, dict) and plan.get("numero"):
        return redirect(url_for("oficina_plans.plan", code=code, number=plan["numero"]), 303)
    if _open_task(detail, CHOOSE):
        return redirect(url_for("oficina_plans.options", code=code, request_id=detail.instance.id), 303)
    if _open_task(detail, DATA):
        return redirect(url_for("oficina_plans.details", code=code, request_id=detail.instance.id), 303)
    with database().read() as session:
        office, _ = office_context(session, code)
    eligibility = detail.data.get("elegibilidad") or {}
    if eligibility.get("elegible"):  # it was, but the request ended unfinished (a day without an answer)
        return render_template("oficina/plan_not_eligible.html", office=office, office_section="inicio",
                               lapsed=True, reason="La solicitud venció sin completarse: pida el plan de nuevo."), 409
    return render_template("oficina/plan_not_eligible.html", office=office, office_section="inicio", lapsed=False,
                           reason=eligibility.get("motivo") or "La solicitud ya no está en curso.")


@bp.post("/oficina/cuentas/<code>/plan-de-pago")
@roles_required(REQUESTER)
def start(code: str) -> Any:
    """PLAN DE PAGO: the process checks eligibility and offers the options."""
    with database().read() as session:
        office_context(session, code)
    pending = _pending_request(code)
    if pending is not None:  # a request left half-way (it ends by itself after a day): go on with it
        return _where_now(code, pending)
    started = engine().start(PROCESS, user().username, {"cuenta": code})
    return _where_now(code, engine().show(started.id))


def _pending_request(code: str) -> InstanceDetail | None:
    for task in engine().tasks_for(user().username, include_group=False):
        if task.process_id == PROCESS and task.element_id in (CHOOSE, DATA):
            detail = engine().show(task.instance_id)
            if detail.data.get("cuenta") == code and detail.instance.initiator == user().username:
                return detail
    return None


def _options_page(code: str, detail: InstanceDetail, status: int = 200, error: str | None = None,
                  chosen: str = "") -> Any:
    with database().read() as session:
        office, _ = office_context(session, code)
    offer = detail.data.get("elegibilidad") or {}
    return render_template("oficina/plan_options.html", office=office, office_section="inicio",
                           request_id=detail.instance.id, debt=offer.get("deuda", "0"),
                           options=offer.get("opciones", []), error=error, chosen=chosen), status


@bp.route("/oficina/cuentas/<code>/plan-de-pago/<int:request_id>/opciones", methods=["GET", "POST"])
@roles_required(REQUESTER)
def options(code: str, request_id: int) -> Any:
    """The options by number of instalments, with their amounts."""
    detail = _request(code, request_id)
    task = _open_task(detail, CHOOSE)
    if task is None:
        return _where_now(code, detail)
    if request.method == "GET":
        return _options_page(code, detail)
    chosen = request.form.get("cuotas", "")[:4]
    offered = {str(o.get("cuotas")) for o in (detail.data.get("elegibilidad") or {}).get("opciones", [])}
    if chosen not in offered:
        return _options_page(code, detail, 400, "Elija una de las opciones de cuotas ofrecidas.", chosen)
    try:
        engine().complete(task.id, user().username, {"cuotas": int(chosen)})
    except InvalidData as exc:
        return _options_page(code, detail, 400, "; ".join(e.message for e in exc.errors), chosen)
    return redirect(url_for("oficina_plans.details", code=code, request_id=request_id), 303)


def _data_values() -> dict[str, Any]:
    values: dict[str, Any] = {name: request.form.get(name, "").strip()[:300] for name in DATA_FIELDS}
    values["acepta_condiciones"] = request.form.get("acepta_condiciones") == "si"
    return values


def _default_values() -> dict[str, Any]:
    with database().read() as session:
        me = session.get(User, user().username)
    return {"titular": me.display_name if me else "", "correo": (me.email or "") if me else "",
            "acepta_condiciones": False}


def _details_page(code: str, detail: InstanceDetail, values: dict[str, Any], status: int = 200,
                  errors: list[FieldError] | None = None) -> Any:
    with database().read() as session:
        office, _ = office_context(session, code)
    return render_template("oficina/plan_data.html", office=office, office_section="inicio",
                           request_id=detail.instance.id, cuotas=detail.data.get("cuotas"), values=values,
                           errors={e.field: e.message for e in errors or []}), status


@bp.route("/oficina/cuentas/<code>/plan-de-pago/<int:request_id>/datos", methods=["GET", "POST"])
@roles_required(REQUESTER)
def details(code: str, request_id: int) -> Any:
    """The holder's data and the conditions; GENERAR PLAN generates it (or says which field is wrong)."""
    detail = _request(code, request_id)
    task = _open_task(detail, DATA)
    if task is None:
        return _where_now(code, detail)
    if request.method == "GET":
        return _details_page(code, detail, _default_values())
    values = _data_values()
    try:
        engine().complete(task.id, user().username, values)
    except InvalidData as exc:
        return _details_page(code, detail, values, 400, exc.errors)
    return _where_now(code, engine().show(request_id))


def _plan(code: str, number: str) -> tuple[Any, PlanDetail]:
    with database().read() as session:
        office, account_id = office_context(session, code)
        found = plan_detail(session, account_id, number)
    if found is None:
        abort(404, description="No existe el plan de pago en esta cuenta.")
    return office, found


def _plan_page(code: str, number: str, status: int = 200, error: HandlerInputError | None = None) -> Any:
    office, found = _plan(code, number)
    return render_template("oficina/plan_show.html", office=office, office_section="inicio", plan=found,
                           status_label=_status_label(found), error=error), status


def _status_label(found: PlanDetail) -> str:
    if found.summary.status == "activo" and found.summary.next_instalment is None:
        return "Pagado"
    return STATUS_LABELS.get(found.summary.status, found.summary.status)


@bp.get("/oficina/cuentas/<code>/planes/<number>")
@roles_required(REQUESTER)
def plan(code: str, number: str) -> Any:
    """The plan, its instalments, IMPRIMIR CUOTAS DE PLAN DE PAGO and PAGAR PRIMERA CUOTA (or the next one)."""
    return _plan_page(code, number)


@bp.get("/oficina/cuentas/<code>/planes/<number>/cuotas.pdf")
@roles_required(REQUESTER)
def plan_pdf(code: str, number: str) -> Any:
    office, found = _plan(code, number)
    summary = found.summary
    document = (PdfDocument(f"Cuotas del plan de pago {summary.number}",
                            f"Cuenta {office.current.code} · {office.current.name}")
                .pairs([("Estado", _status_label(found)),
                        ("Total del plan", money(summary.total)), ("Número de cuotas", str(summary.instalments)),
                        ("Titular", f"{found.holder} · documento {found.holder_document}"),
                        ("Contacto", f"{found.phone} · {found.email}"), ("Dirección", found.address)])
                .heading("Cuotas")
                .table(Table(["Cuota", "Vence", "Valor", "Estado"],
                             [[str(i.seq), i.due_on.strftime("%d/%m/%Y"), money(i.amount),
                               "Pagada" if i.paid else "Pendiente"] for i in found.instalments],
                             widths=[1, 2, 2, 2], align_right=frozenset({2})))
                .heading("Facturas que refinancia")
                .table(Table(["Dcto", "Concepto", "Valor"],
                             [[str(cid), desc, money(amount)] for cid, desc, amount in found.charges],
                             widths=[1, 4, 2], align_right=frozenset({2})))
                .paragraph("Plan sin intereses de financiación. La primera cuota activa el plan; si no se paga "
                           "a más tardar el día de su vencimiento, el plan caduca y la deuda queda como antes."))
    return pdf_response(document.render(), f"plan-{summary.number}.pdf")


@bp.post("/oficina/cuentas/<code>/planes/<number>/pagar")
@roles_required(REQUESTER)
def pay(code: str, number: str) -> Any:
    """PAGAR PRIMERA CUOTA (or the next one): an order for the instalment, then the gateway."""
    seq = request.form.get("cuota", "")[:4]
    try:
        with database().write() as session:
            _, account_id = office_context(session, code)
            found = plan_detail(session, account_id, number)
            if found is None:
                abort(404, description="No existe el plan de pago en esta cuenta.")
            instalment = next((i for i in found.instalments if str(i.seq) == seq), None)
            if instalment is None:
                raise HandlerInputError("Elija una cuota del plan.", field="cuota")
            order = create_order(session, username=user().username, account_id=account_id,
                                 items=[OrderItemRequest("plan_instalment", f"{number}#{instalment.seq}",
                                                         instalment.amount,
                                                         f"Plan de pago {number}: cuota {instalment.seq} de "
                                                         f"{found.summary.instalments}")],
                                 now=utcnow(), client_ip=request.remote_addr)
    except HandlerInputError as exc:
        return _plan_page(code, number, 400, exc)
    return redirect(url_for("oficina_pay.checkout", reference=order.reference), 303)
