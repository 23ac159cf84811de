"""Drives PRO-MAA-16 one step at a time, with a fresh engine (as after a restart) before every step."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import select

from engine.db import Database, utcnow
from engine.messages import Message
from engine.scripting import StepContext
from engine.views import InstanceView, TaskView
from engine.worker import Worker
from handlers.ledger import account_statement
from handlers.pro_maa_16 import describe_payment
from tests.conftest import make_engine

REQUEST = {"adjustment": "anulacion", "reason": "correccion_estimacion",
           "justification": "Cambio de tarifa por traslado de plan académico."}

# What each person types into their task, by task element id.
ANSWERS: dict[str, tuple[str, dict[str, Any]]] = {
    "Activity_revisar_solicitud": ("tic.ana", {"decision": "aprobar"}),
    "Activity_anular_factura": ("fact.luis", {"motivo_anulacion": "Corrección de estimación del cobro"}),
    "Activity_liberar_pago_ajuste": ("tic.ana", {"confirmacion": True, "observaciones_ajuste": "Ajuste aplicado"}),
    "Activity_reclasificar": ("conta.maria", {"summary_type": "MATRICULA-AJUSTADA",
                                              "analytic_dimension": "PRE-2026A-ADM"}),
}


def start(db: Database, payment: str, requester: str = "coord.bogota", **overrides: Any) -> InstanceView:
    data = {**REQUEST, "payment": payment, **overrides}
    return make_engine(db).start("pro_maa_16", requester, data)


def run_to_end(db: Database, instance: InstanceView,
               answers: dict[str, tuple[str, dict[str, Any]]] | None = None) -> list[str]:
    """Complete every task as it appears, restarting the engine before each step; returns the elements worked.

    When TIC's instance waits for billing (message ``anular_factura``), a worker delivers the message, billing's
    task is worked in billing's own instance (``pro_maa_16_facturacion``), and a worker delivers the answer."""
    answers = {**ANSWERS, **(answers or {})}
    worked: list[str] = []
    view = instance
    for _ in range(20):
        if view.open_tasks:
            task = view.open_tasks[0]
        elif view.status == "waiting":
            run_worker(db)
            task = billing_task(db, view.id)
        else:
            break
        actor, data = answers[task.element_id]
        make_engine(db).complete(task.id, actor, data)
        worked.append(task.element_id)
        run_worker(db)
        view = make_engine(db).show(view.id).instance
    return worked


def run_until(db: Database, instance: InstanceView, element_id: str) -> InstanceView:
    """Work the instance (and billing's pool, when it waits for it) until its open task is ``element_id``."""
    view = instance
    for _ in range(20):
        if view.open_tasks and view.open_tasks[0].element_id == element_id:
            return view
        if view.open_tasks:
            task = view.open_tasks[0]
        else:
            run_worker(db)
            task = billing_task(db, view.id)
        actor, data = ANSWERS[task.element_id]
        make_engine(db).complete(task.id, actor, data)
        run_worker(db)
        view = make_engine(db).show(view.id).instance
    raise AssertionError(f"instance {instance.id} never reached {element_id}")


def run_worker(db: Database) -> int:
    """What the background worker does: run every due job (here, deliver the messages between the pools)."""
    worker = Worker(make_engine(db), "test-worker")
    total = 0
    while ran := worker.run_once():
        total += ran
    return total


def billing_instance(db: Database, tic_instance_id: int) -> int:
    """The billing instance TIC's ``anular_factura`` message started."""
    with db.read() as session:
        target = session.scalar(select(Message.target_instance_id).where(
            Message.source_instance_id == tic_instance_id, Message.name == "anular_factura"))
    assert target is not None, f"instance {tic_instance_id} asked billing for nothing"
    return int(target)


def billing_task(db: Database, tic_instance_id: int) -> TaskView:
    [task] = make_engine(db).show(billing_instance(db, tic_instance_id)).instance.open_tasks
    return task


def payment_facts(db: Database, payment: str) -> dict[str, Any]:
    with db.read() as session:
        ctx = StepContext(session=session, actor="test", initiator=None, instance_ref=None, now=utcnow())
        return describe_payment(ctx, payment)


def balance(db: Database, account: str) -> Decimal:
    with db.read() as session:
        return account_statement(session, account).balance
