"""Drives PRO-MAA-16 one step at a time, with a fresh engine (as after a restart) before every step."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from engine.db import Database, utcnow
from engine.scripting import StepContext
from engine.views import InstanceView
from handlers.ledger import account_statement
from handlers.pro_maa_16 import describe_payment
from tests.conftest import make_engine

REQUEST = {"adjustment": "anulacion", "reason": "correccion_estimacion",
           "justification": "Cambio de tarifa por traslado de plan académico."}

# What each person types into their task, by task element id.
ANSWERS: dict[str, tuple[str, dict[str, Any]]] = {
    "Activity_revisar_solicitud": ("tic.ana", {"decision": "aprobar"}),
    "Activity_anular_factura": ("fact.luis", {"motivo_anulacion": "Corrección de estimación del cobro"}),
    "Activity_recibir_anulacion_factura": ("tic.ana", {"recibida": True}),
    "Activity_liberar_pago_ajuste": ("tic.ana", {"confirmacion": True, "observaciones_ajuste": "Ajuste aplicado"}),
    "Activity_reclasificar": ("conta.maria", {"summary_type": "MATRICULA-AJUSTADA",
                                              "analytic_dimension": "PRE-2026A-ADM"}),
}


def start(db: Database, payment: str, requester: str = "coord.bogota", **overrides: Any) -> InstanceView:
    data = {**REQUEST, "payment": payment, **overrides}
    return make_engine(db).start("pro_maa_16", requester, data)


def run_to_end(db: Database, instance: InstanceView,
               answers: dict[str, tuple[str, dict[str, Any]]] | None = None) -> list[str]:
    """Complete every task as it appears, restarting the engine before each step; returns the elements worked."""
    answers = {**ANSWERS, **(answers or {})}
    worked: list[str] = []
    view = instance
    while view.open_tasks:
        task = view.open_tasks[0]
        actor, data = answers[task.element_id]
        view = make_engine(db).complete(task.id, actor, data)
        worked.append(task.element_id)
    return worked


def payment_facts(db: Database, payment: str) -> dict[str, Any]:
    with db.read() as session:
        ctx = StepContext(session=session, actor="test", initiator=None, instance_ref=None, now=utcnow())
        return describe_payment(ctx, payment)


def balance(db: Database, account: str) -> Decimal:
    with db.read() as session:
        return account_statement(session, account).balance
