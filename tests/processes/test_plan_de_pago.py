"""The plan_de_pago process end to end through the engine: eligible -> options -> data -> plan generated ->
first instalment paid online (order, bank notification, message) -> active; unpaid when due -> lapsed (a
controlled clock); not eligible; bad data refused with nothing written."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from engine.db import Database
from engine.errors import InvalidData
from engine.runtime import Engine
from handlers.ledger.models import Credit
from handlers.oficina.pending import owed_by_charge
from handlers.plans.models import PaymentPlan, PlanInstalment
from handlers.plans.queries import charges_in_plans, plan_detail, plan_offer, plans_of
from tests.processes.plan_driver import (
    ACCOUNT,
    PLAN_DATA,
    REQUESTER,
    account_id,
    clocked_engine,
    deliver,
    generate_plan,
    open_task,
    pay_online,
)

OVERDUE = Decimal("4200000.00")  # Valentina's tuition 6.200.000 less 2.000.000 paid at the cashier's


def _status(engine: Engine, instance_id: int) -> str:
    return engine.show(instance_id).instance.status


def _elements(engine: Engine, instance_id: int) -> list[str | None]:
    return [e.element_id for e in engine.show(instance_id).history]


def test_the_model_is_deployed_with_the_product(engine: Engine) -> None:
    [report] = engine.validate([__import__("tests.conftest", fromlist=["PROCESSES"]).PROCESSES / "pagos"])
    assert report.ok and report.process_id == "plan_de_pago"


def test_eligible_offers_the_options_and_generates_the_plan(engine: Engine, db: Database) -> None:
    eng, _ = clocked_engine(db)
    view = eng.start("plan_de_pago", REQUESTER, {"cuenta": ACCOUNT})
    task = open_task(eng, view.id)
    assert task.element_id == "Activity_elegir" and task.assignee == REQUESTER
    data = eng.show(view.id).data
    assert data["elegibilidad"]["elegible"] is True and Decimal(data["elegibilidad"]["deuda"]) == OVERDUE
    three = next(o for o in data["elegibilidad"]["opciones"] if o["cuotas"] == 3)
    assert (three["valor_cuota"], three["ultima_cuota"], three["total"]) == ("1400000", "1400000.00", "4200000.00")
    eng.complete(task.id, REQUESTER, {"cuotas": 3})
    assert open_task(eng, view.id).element_id == "Activity_datos"
    eng.complete(open_task(eng, view.id).id, REQUESTER, dict(PLAN_DATA))
    assert _status(eng, view.id) == "waiting"
    plan = eng.show(view.id).data["plan"]
    assert plan["numero"] == "PP-0001" and plan["vence_primera_cuota"].endswith("Z")
    with db.read() as session:
        acc = account_id(db)
        [summary] = plans_of(session, acc)
        assert (summary.number, summary.status, summary.total, summary.instalments) == \
            ("PP-0001", "generado", OVERDUE, 3)
        assert summary.instance_id == view.id
        assert summary.next_instalment is not None and summary.next_instalment.seq == 1
        assert plan_offer(session, acc) is None  # a live plan: no second offer
        assert set(charges_in_plans(session, acc).values()) == {"PP-0001"}
        detail = plan_detail(session, acc, "PP-0001")
        assert detail is not None and [i.amount for i in detail.instalments] == [Decimal("1400000.00")] * 3
        dues = [i.due_on for i in detail.instalments]
        assert (dues[1].month - dues[0].month) % 12 == 1


def test_paying_the_first_instalment_activates_the_plan(engine: Engine, db: Database) -> None:
    eng, clock = clocked_engine(db)
    instance = generate_plan(eng, cuotas=2)
    paid = pay_online(eng, db, "PP-0001#1", Decimal("2100000.00"), clock.now)
    assert paid.outcome == "applied"
    deliver(eng, clock)
    assert _status(eng, instance) == "completed"
    assert "Activity_activar" in _elements(eng, instance)
    with db.read() as session:
        acc = account_id(db)
        [summary] = plans_of(session, acc)
        assert summary.status == "activo"
        assert summary.next_instalment is not None and summary.next_instalment.seq == 2
        # the money went to the plan's charge as an abono
        owed = owed_by_charge(session, acc)
        assert sum(v for v in owed.values() if v > 0) >= Decimal("2100000.00")
        assert (session.scalar(select(func.count(Credit.id))) or 0) >= 1
    clock.advance(days=10)
    assert deliver(eng, clock) == 0  # no timer left to lapse an active plan
    with db.read() as session:
        assert plans_of(session, account_id(db))[0].status == "activo"


def test_the_second_instalment_is_paid_after_the_first_and_no_message_is_sent(engine: Engine, db: Database) -> None:
    eng, clock = clocked_engine(db)
    generate_plan(eng, cuotas=2)
    pay_online(eng, db, "PP-0001#1", Decimal("2100000.00"), clock.now)
    deliver(eng, clock)
    paid = pay_online(eng, db, "PP-0001#2", Decimal("2100000.00"), clock.now + timedelta(hours=1))
    assert paid.outcome == "applied"
    with db.read() as session:
        acc = account_id(db)
        [summary] = plans_of(session, acc)
        assert summary.status == "activo" and summary.next_instalment is None
        assert charges_in_plans(session, acc) == {}  # paid off: no longer live
        owed = owed_by_charge(session, acc)
        assert [v for v in owed.values() if v > 0] == [Decimal("420000.00")]  # only the fee not yet due


def test_an_unpaid_first_instalment_lapses_the_plan_when_due(engine: Engine, db: Database) -> None:
    eng, clock = clocked_engine(db)
    instance = generate_plan(eng)
    clock.advance(days=4)
    assert deliver(eng, clock) == 0
    assert _status(eng, instance) == "waiting"
    clock.advance(days=2, hours=12)
    assert deliver(eng, clock) == 1
    assert _status(eng, instance) == "completed"
    assert "Activity_caducar" in _elements(eng, instance)
    with db.read() as session:
        acc = account_id(db)
        assert plans_of(session, acc)[0].status == "caducado"
        assert charges_in_plans(session, acc) == {}
        offer = plan_offer(session, acc)
        assert offer is not None and offer.debt == OVERDUE  # owed as before: a new plan may be asked for


def test_a_lapsed_plan_refuses_its_instalments(engine: Engine, db: Database) -> None:
    eng, clock = clocked_engine(db)
    generate_plan(eng)
    clock.advance(days=7)
    deliver(eng, clock)
    with pytest.raises(Exception) as refused:
        pay_online(eng, db, "PP-0001#1", Decimal("1400000.00"), clock.now)
    assert getattr(refused.value, "field", None) == "cuota"


def test_not_eligible_below_the_minimum_ends_with_the_reason(engine: Engine, db: Database) -> None:
    eng, _ = clocked_engine(db)
    view = eng.start("plan_de_pago", "estudiante.camila", {"cuenta": "20262001"})
    assert _status(eng, view.id) == "completed"
    assert "Event_no_elegible" in _elements(eng, view.id)
    result = eng.show(view.id).data["elegibilidad"]
    assert result["elegible"] is False and "deuda vencida" in result["motivo"]


def test_an_account_not_linked_to_the_requester_is_not_eligible(engine: Engine, db: Database) -> None:
    eng, _ = clocked_engine(db)
    view = eng.start("plan_de_pago", "estudiante.camila", {"cuenta": ACCOUNT})
    result = eng.show(view.id).data["elegibilidad"]
    assert result["elegible"] is False and "vinculada" in result["motivo"]
    with db.read() as session:
        assert session.scalar(select(func.count(PaymentPlan.id))) == 0


@pytest.mark.parametrize(("field", "value"), [
    ("documento", "12-34"), ("telefono", "abc"), ("correo", "sin-arroba"), ("titular", ""),
    ("acepta_condiciones", False), ("direccion", "x" * 201),
])
def test_bad_plan_data_is_refused_naming_the_field_and_writes_nothing(engine: Engine, db: Database, field: str,
                                                                       value: object) -> None:
    eng, _ = clocked_engine(db)
    view = eng.start("plan_de_pago", REQUESTER, {"cuenta": ACCOUNT})
    eng.complete(open_task(eng, view.id).id, REQUESTER, {"cuotas": 6})
    task = open_task(eng, view.id)
    with pytest.raises(InvalidData) as refused:
        eng.complete(task.id, REQUESTER, {**PLAN_DATA, field: value})
    assert field in [e.field for e in refused.value.errors]
    assert open_task(eng, view.id).id == task.id  # still open: the step rolled back
    with db.read() as session:
        assert session.scalar(select(func.count(PaymentPlan.id))) == 0
        assert session.scalar(select(func.count(PlanInstalment.id))) == 0


def test_a_choice_outside_the_options_is_refused(engine: Engine, db: Database) -> None:
    eng, _ = clocked_engine(db)
    view = eng.start("plan_de_pago", REQUESTER, {"cuenta": ACCOUNT})
    with pytest.raises(InvalidData) as refused:
        eng.complete(open_task(eng, view.id).id, REQUESTER, {"cuotas": 5})
    assert "cuotas" in [e.field for e in refused.value.errors]


def test_a_request_left_half_way_ends_by_itself_after_a_day(engine: Engine, db: Database) -> None:
    eng, clock = clocked_engine(db)
    view = eng.start("plan_de_pago", REQUESTER, {"cuenta": ACCOUNT})
    eng.complete(open_task(eng, view.id).id, REQUESTER, {"cuotas": 2})
    clock.advance(hours=23)
    assert deliver(eng, clock) == 0
    clock.advance(hours=2)
    assert deliver(eng, clock) == 1
    assert _status(eng, view.id) == "completed" and "Event_abandonada" in _elements(eng, view.id)
    assert eng.show(view.id).instance.open_tasks == []
