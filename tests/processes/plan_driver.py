"""Driving a payment plan through the engine for the process and web tests: start, choose, give the data, pay
the first instalment as the gateway's notification would (through handlers/oficina/apply and the message)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import uuid4

from sqlalchemy import select

from bench.handlers import BENCH_HANDLERS
from engine.db import Database, utcnow
from engine.runtime import Engine
from handlers.errors import HandlerInputError
from handlers.ledger.models import Account
from handlers.oficina.apply import GatewayNotification, apply_notification
from handlers.oficina.orders import OrderItemRequest, create_order
from tests.engine.events_helpers import Clock, drain

REQUESTER = "acudiente.jorge"  # pays for 20268101 (Valentina) and 20268102 (Samuel), both with overdue tuition
ACCOUNT = "20268101"
OTHER_REQUESTER = "estudiante.camila"
PLAN_DATA: dict[str, Any] = {"titular": "Jorge Rojas", "documento": "79123456", "telefono": "3001234567",
                             "correo": "jorge.rojas@example.com", "direccion": "Calle 10 # 5-20, Bogotá",
                             "acepta_condiciones": True}


def clocked_engine(db: Database) -> tuple[Engine, Clock]:
    clock = Clock(utcnow())  # the demo's charges are dated from the day it was seeded: today
    return Engine(db, BENCH_HANDLERS, input_errors=(HandlerInputError,), clock=clock), clock


def open_task(engine: Engine, instance_id: int) -> Any:
    tasks = engine.show(instance_id).instance.open_tasks
    assert len(tasks) == 1, tasks
    return tasks[0]


def generate_plan(engine: Engine, cuotas: int = 3, account: str = ACCOUNT) -> int:
    view = engine.start("plan_de_pago", REQUESTER, {"cuenta": account})
    engine.complete(open_task(engine, view.id).id, REQUESTER, {"cuotas": cuotas})
    engine.complete(open_task(engine, view.id).id, REQUESTER, dict(PLAN_DATA))
    return view.id


def account_id(db: Database, code: str = ACCOUNT) -> int:
    with db.read() as session:
        return session.scalars(select(Account.id).where(Account.code == code)).one()


@dataclass(frozen=True)
class Paid:
    reference: str
    outcome: str


def pay_online(engine: Engine, db: Database, ref: str, amount: Decimal, now: datetime,
               code: str = ACCOUNT) -> Paid:
    """An order for the instalment, approved by the bank: applied, then its messages sent and delivered."""
    with db.write() as session:
        order = create_order(session, username=REQUESTER, account_id=account_id(db, code),
                             items=[OrderItemRequest("plan_instalment", ref, amount, f"Cuota {ref}")],
                             now=now, client_ip="127.0.0.1")
    notice = GatewayNotification(
        notification_id=str(uuid4()), merchant="UNIV-CAUCE", reference=order.reference,
        transaction_id=str(uuid4().int)[:8], status="approved", amount=order.amount, currency="COP",
        vat=Decimal("0.00"), vat_base=Decimal("0.00"), instalments=1, bank="Banco de Bogotá", unique_code="1706",
        terminal="000", authorization_code="0012AB", response_code="00", error_code="2300",
        description="Aprobada", processed_at=now + timedelta(minutes=1), payer_ip="127.0.0.1")
    with db.write() as session:
        result = apply_notification(session, notice, now=now + timedelta(minutes=1), remote_addr="127.0.0.1")
    for message in result.messages:
        engine.send_message(message.name, message.correlation_key, message.payload, sender="pasarela",
                            message_key=message.message_key)
    return Paid(order.reference, result.outcome.value)


def deliver(engine: Engine, clock: Clock) -> int:
    return drain(engine, clock)
