"""Every route under every kind of user. A route added without an entry here fails the suite.

Each probe names the route's endpoint and method and how to call it; the expected status per person is written
out in full, so a change of who may do what shows up in review.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import pytest
from flask import Flask

from engine.db import Database
from engine.runtime import Engine
from tests.engine.pro_maa_16_driver import start
from tests.webui.conftest import SignedIn
from webui.tokens import create_token

PEOPLE = ("anonimo", "estudiante.camila", "coord.bogota", "tic.ana", "conta.maria", "supervisor.raul", "nacer.admin")


@dataclass(frozen=True)
class Scenario:
    instance_id: int
    task_id: int
    attachment_id: int
    case_number: str


@dataclass(frozen=True)
class Probe:
    endpoint: str
    method: str
    url: Callable[[Scenario], str]
    expected: dict[str, int]
    data: dict[str, Any] | None = None
    api: bool = False


def _row(*codes: int) -> dict[str, int]:
    assert len(codes) == len(PEOPLE)
    return dict(zip(PEOPLE, codes, strict=True))


# anonimo, camila (requester), coord (initiator), tic (works the open task), conta (another lane), raul (supervisor),
# nacer (no lane in the process)
PROBES: tuple[Probe, ...] = (
    Probe("home", "GET", lambda s: "/", _row(302, 302, 302, 302, 302, 302, 302)),
    Probe("healthz", "GET", lambda s: "/healthz", _row(200, 200, 200, 200, 200, 200, 200)),
    Probe("static", "GET", lambda s: "/static/css/cauce.css", _row(200, 200, 200, 200, 200, 200, 200)),
    Probe("auth.login", "GET", lambda s: "/iniciar-sesion", _row(200, 302, 302, 302, 302, 302, 302)),
    Probe("auth.login_post", "POST", lambda s: "/iniciar-sesion", _row(401, 401, 401, 401, 401, 401, 401),
          data={"username": "{person}", "password": "equivocada"}),
    Probe("auth.logout", "POST", lambda s: "/cerrar-sesion", _row(400, 302, 302, 302, 302, 302, 302)),
    Probe("inbox.index", "GET", lambda s: "/bandeja", _row(302, 200, 200, 200, 200, 200, 200)),
    Probe("inbox.claim", "POST", lambda s: f"/bandeja/tareas/{s.task_id}/reclamar",
          _row(400, 404, 403, 302, 403, 403, 403)),
    Probe("inbox.release", "POST", lambda s: f"/bandeja/tareas/{s.task_id}/liberar",
          _row(400, 404, 403, 403, 403, 403, 403)),
    Probe("inbox.reassign", "POST", lambda s: f"/bandeja/tareas/{s.task_id}/reasignar",
          _row(400, 403, 403, 403, 403, 400, 403), data={"to_user": ""}),
    Probe("tasks.show", "GET", lambda s: f"/tareas/{s.task_id}", _row(302, 404, 200, 200, 200, 200, 403)),
    Probe("tasks.complete", "POST", lambda s: f"/tareas/{s.task_id}", _row(400, 404, 403, 400, 403, 403, 403)),
    Probe("tasks.add_comment", "POST", lambda s: f"/tareas/{s.task_id}/comentarios",
          _row(400, 404, 400, 400, 400, 400, 403), data={"texto": ""}),
    Probe("tasks.add_file", "POST", lambda s: f"/tareas/{s.task_id}/adjuntos",
          _row(400, 404, 400, 400, 400, 400, 403)),
    Probe("tasks.download", "GET", lambda s: f"/adjuntos/{s.attachment_id}", _row(302, 404, 200, 200, 200, 200, 403)),
    Probe("processes.index", "GET", lambda s: "/procesos/iniciar", _row(302, 200, 200, 200, 200, 200, 200)),
    Probe("processes.start_form", "GET", lambda s: "/procesos/pro_maa_16/iniciar",
          _row(302, 403, 200, 403, 403, 403, 403)),
    Probe("processes.start", "POST", lambda s: "/procesos/pro_maa_16/iniciar", _row(400, 403, 400, 403, 403, 403, 403)),
    Probe("instances.show", "GET", lambda s: f"/instancias/{s.instance_id}", _row(302, 404, 200, 200, 200, 200, 403)),
    Probe("instances.diagram", "GET", lambda s: f"/instancias/{s.instance_id}/diagrama.bpmn",
          _row(302, 404, 200, 200, 200, 200, 403)),
    Probe("instances.mine", "GET", lambda s: "/mis-solicitudes", _row(302, 200, 200, 200, 200, 200, 200)),
    Probe("instances.retry", "POST", lambda s: "/incidentes/999999/reintentar",
          _row(400, 403, 403, 403, 403, 404, 403)),
    Probe("notices.index", "GET", lambda s: "/avisos", _row(302, 200, 200, 200, 200, 200, 200)),
    Probe("incidents.index", "GET", lambda s: "/incidentes", _row(302, 403, 403, 403, 403, 200, 403)),
    Probe("incidents.redeliver", "POST", lambda s: "/mensajes/999999/reintentar",
          _row(400, 403, 403, 403, 403, 404, 403)),
    Probe("incidents.discard", "POST", lambda s: "/mensajes/999999/descartar",
          _row(400, 403, 403, 403, 403, 404, 403), data={"motivo": ""}),
    # Staff side of the cases: a unit's staff and supervisors (conta.maria works no case unit).
    Probe("cases_staff.unit", "GET", lambda s: "/casos/unidad", _row(302, 403, 403, 403, 403, 200, 403)),
    Probe("board.dashboard", "GET", lambda s: "/tablero", _row(302, 403, 403, 403, 403, 200, 403)),
    Probe("admin.users", "GET", lambda s: "/admin/usuarios", _row(302, 403, 403, 403, 403, 403, 200)),
    Probe("admin.change_permission", "POST", lambda s: "/admin/usuarios/permiso",
          _row(400, 403, 403, 403, 403, 403, 400)),
    Probe("account.index", "GET", lambda s: "/cuenta", _row(302, 200, 200, 200, 200, 200, 200)),
    Probe("account.create", "POST", lambda s: "/cuenta/tokens", _row(400, 400, 400, 400, 400, 400, 400),
          data={"name": ""}),
    Probe("account.revoke", "POST", lambda s: "/cuenta/tokens/999999/revocar", _row(400, 404, 404, 404, 404, 404, 404)),
    # Registrarse (anonymous forms: a cookie-bound token, so posting without it is 400 for everyone) and the
    # development mailbox (administrators only; none of these people is one).
    Probe("registration.register", "GET", lambda s: "/registrarse", _row(200, 302, 302, 302, 302, 302, 302)),
    Probe("registration.register_post", "POST", lambda s: "/registrarse", _row(400, 400, 400, 400, 400, 400, 400)),
    Probe("registration.confirm", "GET", lambda s: "/registrarse/confirmar/no-firmado",
          _row(400, 400, 400, 400, 400, 400, 400)),
    Probe("registration.resend", "GET", lambda s: "/registrarse/reenviar", _row(200, 200, 200, 200, 200, 200, 200)),
    Probe("registration.resend_post", "POST", lambda s: "/registrarse/reenviar",
          _row(400, 400, 400, 400, 400, 400, 400), data={"correo": "x@example.com"}),
    # The requester portal. A case page answers 404 to whoever may not see it (staff too): a case number
    # says nothing about whether it exists.
    Probe("cases.catalog", "GET", lambda s: "/casos/registrar", _row(302, 200, 200, 200, 200, 200, 200)),
    Probe("cases.new", "GET", lambda s: "/casos/registrar/devolucion_saldos", _row(302, 200, 200, 200, 200, 200, 200)),
    Probe("cases.create", "POST", lambda s: "/casos/registrar/devolucion_saldos",
          _row(400, 400, 400, 400, 400, 400, 400)),
    Probe("cases.mine", "GET", lambda s: "/mis-casos", _row(302, 200, 200, 200, 200, 200, 200)),
    Probe("cases.show", "GET", lambda s: f"/mis-casos/{s.case_number}", _row(302, 404, 200, 200, 200, 200, 404)),
    Probe("cases.add_note", "POST", lambda s: f"/mis-casos/{s.case_number}/notas",
          _row(400, 404, 400, 400, 400, 400, 404)),
    Probe("cases.add_file", "POST", lambda s: f"/mis-casos/{s.case_number}/adjuntos",
          _row(400, 404, 400, 400, 400, 400, 404)),
    Probe("mailbox.index", "GET", lambda s: "/buzon", _row(302, 403, 403, 403, 403, 403, 403)),
    Probe("mailbox.show", "GET", lambda s: "/buzon/999999", _row(302, 403, 403, 403, 403, 403, 403)),
    # Sign-in by one-time code and the fee-slip look-up (anonymous forms: posting without the cookie-bound token
    # is 400 for everyone), and the SMS outbox (administrators only).
    Probe("otp_signin.start", "GET", lambda s: "/ingresar-con-codigo", _row(200, 302, 302, 302, 302, 302, 302)),
    Probe("otp_signin.send_code", "POST", lambda s: "/ingresar-con-codigo", _row(400, 400, 400, 400, 400, 400, 400),
          data={"cedula": "1020304050"}),
    Probe("otp_signin.verify", "POST", lambda s: "/ingresar-con-codigo/validar",
          _row(400, 400, 400, 400, 400, 400, 400), data={"cedula": "1020304050", "codigo": "123456"}),
    Probe("lookup.index", "GET", lambda s: "/consulta-volantes", _row(200, 200, 200, 200, 200, 200, 200)),
    Probe("lookup.search", "POST", lambda s: "/consulta-volantes", _row(400, 400, 400, 400, 400, 400, 400),
          data={"documento": "1020304050"}),
    Probe("sms_box.index", "GET", lambda s: "/buzon-sms", _row(302, 403, 403, 403, 403, 403, 403)),
    Probe("api.openapi", "GET", lambda s: "/api/v1/openapi.json", _row(200, 200, 200, 200, 200, 200, 200), api=True),
    Probe("api.processes", "GET", lambda s: "/api/v1/processes", _row(401, 200, 200, 200, 200, 200, 200), api=True),
    Probe("api.start_instance", "POST", lambda s: "/api/v1/processes/pro_maa_16/instances",
          _row(401, 403, 400, 403, 403, 403, 403), api=True),
    Probe("api.tasks", "GET", lambda s: "/api/v1/tasks", _row(401, 200, 200, 200, 200, 200, 200), api=True),
    Probe("api.task", "GET", lambda s: f"/api/v1/tasks/{s.task_id}", _row(401, 404, 200, 200, 200, 200, 403), api=True),
    Probe("api.claim", "POST", lambda s: f"/api/v1/tasks/{s.task_id}/claim", _row(401, 404, 403, 200, 403, 403, 403),
          api=True),
    Probe("api.complete", "POST", lambda s: f"/api/v1/tasks/{s.task_id}/complete",
          _row(401, 404, 403, 400, 403, 403, 403), api=True),
    Probe("api.instance", "GET", lambda s: f"/api/v1/instances/{s.instance_id}",
          _row(401, 404, 200, 200, 200, 200, 403), api=True),
    Probe("api.send_message", "POST", lambda s: "/api/v1/mensajes", _row(401, 403, 400, 400, 400, 400, 400), api=True),
    Probe("api.messages", "GET", lambda s: "/api/v1/mensajes?estado=unmatched",
          _row(401, 403, 403, 403, 403, 200, 403), api=True),
    # The BPMN editor (designers and administrators only; none of these people is one).
    Probe("designer_editor.edit", "GET", lambda s: "/disenador/modelos/pro_maa_16/editar",
          _row(302, 403, 403, 403, 403, 403, 403)),
    Probe("designer_editor.validate", "POST", lambda s: "/disenador/modelos/pro_maa_16/validar",
          _row(400, 403, 403, 403, 403, 403, 403)),
    Probe("designer_editor.save_draft", "POST", lambda s: "/disenador/modelos/pro_maa_16/borrador",
          _row(400, 403, 403, 403, 403, 403, 403)),
    Probe("designer_editor.deploy", "POST", lambda s: "/disenador/modelos/pro_maa_16/desplegar",
          _row(400, 403, 403, 403, 403, 403, 403)),
    # Procesos: models, versions, forms, diff, migration (designers and administrators only).
    Probe("designer.models", "GET", lambda s: "/disenador/modelos",
          _row(302, 403, 403, 403, 403, 403, 403)),
    Probe("designer.model", "GET", lambda s: "/disenador/modelos/pro_maa_16",
          _row(302, 403, 403, 403, 403, 403, 403)),
    Probe("designer.new", "GET", lambda s: "/disenador/modelos/nuevo",
          _row(302, 403, 403, 403, 403, 403, 403)),
    Probe("designer.new", "POST", lambda s: "/disenador/modelos/nuevo",
          _row(400, 403, 403, 403, 403, 403, 403)),
    Probe("designer.upload", "GET", lambda s: "/disenador/modelos/subir",
          _row(302, 403, 403, 403, 403, 403, 403)),
    Probe("designer.upload", "POST", lambda s: "/disenador/modelos/subir",
          _row(400, 403, 403, 403, 403, 403, 403)),
    Probe("designer.download", "GET", lambda s: "/disenador/modelos/pro_maa_16/v/1/descargar",
          _row(302, 403, 403, 403, 403, 403, 403)),
    Probe("designer.discard", "POST", lambda s: "/disenador/modelos/pro_maa_16/descartar-borrador",
          _row(400, 403, 403, 403, 403, 403, 403)),
    Probe("designer.compare", "GET", lambda s: "/disenador/modelos/pro_maa_16/comparar",
          _row(302, 403, 403, 403, 403, 403, 403)),
    Probe("designer_migration.migrate", "GET", lambda s: "/disenador/modelos/pro_maa_16/migrar",
          _row(302, 403, 403, 403, 403, 403, 403)),
    Probe("designer_migration.migrate", "POST", lambda s: "/disenador/modelos/pro_maa_16/migrar",
          _row(400, 403, 403, 403, 403, 403, 403)),
    Probe("designer_forms.index", "GET", lambda s: "/disenador/modelos/pro_maa_16/formularios",
          _row(302, 403, 403, 403, 403, 403, 403)),
    Probe("designer_forms.create", "POST", lambda s: "/disenador/modelos/pro_maa_16/formularios",
          _row(400, 403, 403, 403, 403, 403, 403)),
    Probe("designer_forms.edit", "GET", lambda s: "/disenador/modelos/pro_maa_16/formularios/revision.schema.json",
          _row(302, 403, 403, 403, 403, 403, 403)),
    Probe("designer_forms.edit", "POST", lambda s: "/disenador/modelos/pro_maa_16/formularios/revision.schema.json",
          _row(400, 403, 403, 403, 403, 403, 403)),
    Probe("designer_forms.preview", "POST", lambda s: "/disenador/formularios/vista-previa",
          _row(400, 403, 403, 403, 403, 403, 403)),
    # Oficina virtual, paying (oficina-pay): requesters only, on camila's linked account 20262001 (credit CR-5010);
    # an order that is not the user's is 404. The gateway's notification has no session: unsigned is 401 for all.
    Probe("oficina_pay.confirm_charges", "POST", lambda s: "/oficina/cuentas/20262001/pagar",
          _row(400, 400, 403, 403, 403, 403, 403)),
    Probe("oficina_pay.create_charges_order", "POST", lambda s: "/oficina/cuentas/20262001/pagar/confirmar",
          _row(400, 400, 403, 403, 403, 403, 403)),
    Probe("oficina_pay.loan_amount", "GET", lambda s: "/oficina/cuentas/20262001/creditos/CR-5010/pagar",
          _row(302, 200, 403, 403, 403, 403, 403)),
    Probe("oficina_pay.loan_amount", "POST", lambda s: "/oficina/cuentas/20262001/creditos/CR-5010/pagar",
          _row(400, 400, 403, 403, 403, 403, 403), data={"opcion": "otro", "otro_valor": ""}),
    Probe("oficina_pay.checkout", "GET", lambda s: "/oficina/pagos/OP-999999/pasarela",
          _row(302, 404, 403, 403, 403, 403, 403)),
    Probe("oficina_pay.notify", "POST", lambda s: "/pagos/notificacion", _row(401, 401, 401, 401, 401, 401, 401)),
    Probe("oficina_pay.returned", "GET", lambda s: "/oficina/pagos/OP-999999", _row(302, 404, 403, 403, 403, 403, 403)),
    Probe("oficina_pay.voucher_pdf", "GET", lambda s: "/oficina/pagos/OP-999999/comprobante.pdf",
          _row(302, 404, 403, 403, 403, 403, 403)),
    # Oficina virtual, payment plans (plans): requesters only, on camila's account 20262001 (no overdue debt: PLAN DE
    # PAGO answers why not); a plan request that is not the user's (the scenario's instance is coord's) is 404, and
    # so is a plan not of the account.
    Probe("oficina_plans.start", "POST", lambda s: "/oficina/cuentas/20262001/plan-de-pago",
          _row(400, 200, 403, 403, 403, 403, 403)),
    Probe("oficina_plans.options", "GET", lambda s: f"/oficina/cuentas/20262001/plan-de-pago/{s.instance_id}/opciones",
          _row(302, 404, 403, 403, 403, 403, 403)),
    Probe("oficina_plans.options", "POST", lambda s: f"/oficina/cuentas/20262001/plan-de-pago/{s.instance_id}/opciones",
          _row(400, 404, 403, 403, 403, 403, 403), data={"cuotas": "3"}),
    Probe("oficina_plans.details", "GET", lambda s: f"/oficina/cuentas/20262001/plan-de-pago/{s.instance_id}/datos",
          _row(302, 404, 403, 403, 403, 403, 403)),
    Probe("oficina_plans.details", "POST", lambda s: f"/oficina/cuentas/20262001/plan-de-pago/{s.instance_id}/datos",
          _row(400, 404, 403, 403, 403, 403, 403)),
    Probe("oficina_plans.plan", "GET", lambda s: "/oficina/cuentas/20262001/planes/PP-9999",
          _row(302, 404, 403, 403, 403, 403, 403)),
    Probe("oficina_plans.plan_pdf", "GET", lambda s: "/oficina/cuentas/20262001/planes/PP-9999/cuotas.pdf",
          _row(302, 404, 403, 403, 403, 403, 403)),
    Probe("oficina_plans.pay", "POST", lambda s: "/oficina/cuentas/20262001/planes/PP-9999/pagar",
          _row(400, 404, 403, 403, 403, 403, 403), data={"cuota": "1"}),
    # Oficina virtual, accounts side (requesters only; camila's own account 20262001 is linked to her, an account
    # not linked to the user is 404 whether or not it exists).
    Probe("oficina.home", "GET", lambda s: "/oficina", _row(302, 302, 403, 403, 403, 403, 403)),
    Probe("oficina.accounts", "GET", lambda s: "/oficina/cuentas", _row(302, 200, 403, 403, 403, 403, 403)),
    Probe("oficina.find_to_link", "POST", lambda s: "/oficina/cuentas/buscar", _row(400, 400, 403, 403, 403, 403, 403)),
    Probe("oficina.link", "POST", lambda s: "/oficina/cuentas/vincular", _row(400, 400, 403, 403, 403, 403, 403)),
    Probe("oficina.unlink", "POST", lambda s: "/oficina/cuentas/99999999/desvincular",
          _row(400, 404, 403, 403, 403, 403, 403)),
    Probe("oficina.account_home", "GET", lambda s: "/oficina/cuentas/20262001",
          _row(302, 200, 403, 403, 403, 403, 403)),
    Probe("oficina.digital_invoice", "GET", lambda s: "/oficina/cuentas/20262001/factura-digital",
          _row(302, 200, 403, 403, 403, 403, 403)),
    Probe("oficina.digital_invoice", "POST", lambda s: "/oficina/cuentas/20262001/factura-digital",
          _row(400, 400, 403, 403, 403, 403, 403), data={"accion": ""}),
    Probe("oficina.direct_debit", "GET", lambda s: "/oficina/cuentas/20262001/debito-automatico",
          _row(302, 200, 403, 403, 403, 403, 403)),
    Probe("oficina.direct_debit", "POST", lambda s: "/oficina/cuentas/20262001/debito-automatico",
          _row(400, 400, 403, 403, 403, 403, 403), data={"accion": ""}),
    Probe("oficina_history.payments", "GET", lambda s: "/oficina/cuentas/20262001/pagos",
          _row(302, 200, 403, 403, 403, 403, 403)),
    Probe("oficina_history.payments_pdf", "GET", lambda s: "/oficina/cuentas/20262001/pagos.pdf",
          _row(302, 200, 403, 403, 403, 403, 403)),
    Probe("oficina_history.payment_pdf", "GET", lambda s: "/oficina/cuentas/20262001/pagos/PG-2001.pdf",
          _row(302, 200, 403, 403, 403, 403, 403)),
    Probe("oficina_history.paid", "GET", lambda s: "/oficina/cuentas/20262001/facturas-pagadas",
          _row(302, 200, 403, 403, 403, 403, 403)),
    Probe("oficina_history.paid_pdf", "GET", lambda s: "/oficina/cuentas/20262001/facturas-pagadas.pdf",
          _row(302, 200, 403, 403, 403, 403, 403)),
    Probe("oficina_history.paid_invoice_pdf", "GET", lambda s: "/oficina/cuentas/20262001/facturas-pagadas/999999.pdf",
          _row(302, 404, 403, 403, 403, 403, 403)),
)


def test_every_route_has_an_entry(app: Flask) -> None:
    routes = {(rule.endpoint, method) for rule in app.url_map.iter_rules()
              for method in (rule.methods or set()) - {"HEAD", "OPTIONS"}}
    covered = {(p.endpoint, p.method) for p in PROBES}
    assert routes - covered == set(), "add these routes to PROBES with the status each person must get"
    assert covered - routes == set(), "these probes name routes that no longer exist"


@pytest.fixture
def scenario(engine: Engine, db: Database) -> Scenario:
    view = start(db, "PG-1003")
    task_id = view.open_tasks[0].id
    attachment = engine.add_attachment(view.id, "tic.ana", "soporte.txt", "text/plain", b"soporte del pago",
                                       task_id=task_id)
    assert view.business_key is not None
    return Scenario(view.id, task_id, attachment.id, view.business_key)


def _call(app: Flask, probe: Probe, person: str, scenario: Scenario, db: Database,
          sign_in: Callable[[str], SignedIn]) -> int:
    url = probe.url(scenario)
    if probe.data:
        probe = replace(probe, data={k: v.replace("{person}", person) if isinstance(v, str) else v
                                     for k, v in probe.data.items()})
    if probe.api:
        headers = {}
        if person != "anonimo":
            with db.write() as session:
                from engine.db import utcnow

                headers["Authorization"] = f"Bearer {create_token(session, person, 'matriz', utcnow())}"
        client = app.test_client()
        answer = client.open(url, method=probe.method, headers=headers,
                             json=probe.data if probe.method == "POST" else None)
    elif person == "anonimo":
        answer = app.test_client().open(url, method=probe.method, data=probe.data)
    else:
        me = sign_in(person)
        answer = me.post(url, data=probe.data) if probe.method == "POST" else me.get(url)
    answer.close()  # static files are streamed from an open file
    return answer.status_code


@pytest.mark.parametrize("probe", PROBES, ids=lambda p: f"{p.method} {p.endpoint}")
def test_who_gets_what(app: Flask, probe: Probe, scenario: Scenario, db: Database,
                       sign_in: Callable[[str], SignedIn]) -> None:
    got = {person: _call(app, probe, person, scenario, db, sign_in) for person in PEOPLE}
    assert got == probe.expected
