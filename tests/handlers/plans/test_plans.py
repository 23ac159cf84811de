"""handlers/plans: the terms (options, rounding, due dates), the steps the process calls, the home's queries, and
the plan_instalment checker and applier of online orders."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.db import Database
from handlers.errors import HandlerInputError
from handlers.ledger.kinds import EntryKind
from handlers.ledger.models import Account, Charge, Credit, Entry
from handlers.oficina.apply import apply_notification
from handlers.oficina.links import link_account
from handlers.oficina.orders import OrderItemRequest
from handlers.oficina.pending import owed_by_charge
from handlers.plans.instalments import check_plan_instalment
from handlers.plans.models import PaymentPlanEvent, PlanCharge, PlanInstalment, PlanInstalmentPayment
from handlers.plans.queries import charges_in_plans, plan_offer, plans_of
from handlers.plans.steps import plan_eligibility, plan_generate, plan_lapse
from handlers.plans.terms import due_dates, lapses_at, options_for, split
from tests.handlers.oficina.office_data import AUDIT, NOW, TODAY, charge, pay, student
from tests.handlers.oficina.pay_data import notification, order

USER = "acudiente.prueba"
DATA: dict[str, Any] = {"titular": "Ana Prueba", "documento": "52123456", "telefono": "+57 300 123 4567",
                        "correo": "ana@example.com", "direccion": "Carrera 7 # 40-62", "acepta_condiciones": True}


@dataclass
class Ctx:
    session: Session
    actor: str = USER
    initiator: str | None = USER
    instance_ref: str | None = "plan_de_pago#7"
    now: datetime = NOW


def _account(session: Session, overdue: tuple[str, ...] = ("300000", "150000"), due_later: str = "80000") -> Account:
    account = student(session)
    for days, amount in enumerate(overdue):
        charge(session, account, amount, -30 + days, f"Matrícula {days + 1}")
    charge(session, account, due_later, 20, "Carné")
    link_account(session, USER, account.code, account.document_id or "", AUDIT)
    return account


def _generate(session: Session, account: Account, cuotas: int = 3) -> dict[str, Any]:
    return plan_generate(Ctx(session), cuenta=account.code, cuotas=cuotas, **DATA)


def test_instalments_are_rounded_to_the_peso_and_the_last_takes_the_rest() -> None:
    assert split(Decimal("1000001.50"), 3) == [Decimal("333333"), Decimal("333333"), Decimal("333335.50")]
    assert split(Decimal("450000.00"), 2) == [Decimal("225000"), Decimal("225000.00")]
    for option in options_for(Decimal("1234567.89")):
        amounts = split(option.total, option.instalments)
        assert sum(amounts) == Decimal("1234567.89") and option.instalment == amounts[0]
    assert [o.instalments for o in options_for(Decimal("100000"))] == [2, 3, 6, 12]


def test_due_dates_start_in_five_days_then_monthly_and_lapse_at_the_end_of_the_day() -> None:
    assert due_dates(date(2026, 12, 26), 3) == [date(2026, 12, 31), date(2027, 1, 31), date(2027, 2, 28)]
    assert lapses_at(date(2026, 11, 28)) == datetime(2026, 11, 29, 5, 0, tzinfo=UTC)  # midnight in Bogotá


def test_eligibility_needs_the_minimum_overdue_and_a_linked_account(db: Database) -> None:
    with db.write() as session:
        small = student(session, code="30002", document="22334455")
        charge(session, small, "99999.99", -3)
        link_account(session, USER, small.code, "22334455", AUDIT)
        below = plan_eligibility(Ctx(session), cuenta=small.code)
        account = _account(session)
        other = plan_eligibility(Ctx(session, initiator="otra.persona"), cuenta=account.code)
        ok = plan_eligibility(Ctx(session), cuenta=account.code)
    assert below["elegible"] is False and "$ 99.999,99" in below["motivo"] and "$ 100.000,00" in below["motivo"]
    assert other["elegible"] is False and "vinculada" in other["motivo"]
    assert ok["elegible"] is True and ok["deuda"] == "450000.00"  # the charge not yet due is not in it
    assert ok["opciones"][0] == {"cuotas": 2, "valor_cuota": "225000", "ultima_cuota": "225000.00",
                                 "total": "450000.00"}


def test_generating_writes_the_plan_its_instalments_and_its_charges(db: Database) -> None:
    with db.write() as session:
        account = _account(session)
        result = _generate(session, account, 3)
        [summary] = plans_of(session, account.id)
        instalments = session.scalars(select(PlanInstalment).order_by(PlanInstalment.seq)).all()
        refinanced = session.scalars(select(PlanCharge.amount).order_by(PlanCharge.id)).all()
        in_plans = charges_in_plans(session, account.id)
        again = plan_eligibility(Ctx(session), cuenta=account.code)
        with pytest.raises(HandlerInputError) as twice:
            _generate(session, account, 2)
    first_due = TODAY + timedelta(days=5)
    assert result["numero"] == summary.number == "PP-0001" and summary.status == "generado"
    assert result["vence_primera_cuota"] == lapses_at(first_due).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert summary.instance_id == 7 and summary.first_due_on == first_due
    assert [(i.seq, i.amount, i.due_on) for i in instalments] == [
        (1, Decimal("150000.00"), first_due), (2, Decimal("150000.00"), due_dates(TODAY, 3)[1]),
        (3, Decimal("150000.00"), due_dates(TODAY, 3)[2])]
    assert refinanced == [Decimal("300000.00"), Decimal("150000.00")] and len(in_plans) == 2
    assert again["elegible"] is False and "PP-0001" in again["motivo"]
    assert twice.value.field == "cuenta"


@pytest.mark.parametrize(("field", "value"), [
    ("cuotas", 5), ("cuotas", True), ("documento", "12.345"), ("telefono", "12"), ("correo", "a@b"),
    ("titular", "  "), ("direccion", "x" * 201), ("acepta_condiciones", "si"),
])
def test_bad_data_names_the_field_and_writes_nothing(db: Database, field: str, value: object) -> None:
    with db.write() as session:
        account = _account(session)
        values = {**DATA, "cuotas": 3, field: value}
        with pytest.raises(HandlerInputError) as refused:
            plan_generate(Ctx(session), cuenta=account.code, **values)
        assert refused.value.field == field
        assert plans_of(session, account.id) == []


def _order_instalment(session: Session, account: Account, ref: str, amount: str) -> Any:
    return order(session, account, [OrderItemRequest("plan_instalment", ref, Decimal(amount), f"Cuota {ref}")])


def test_the_checker_refuses_wrong_amounts_order_and_other_accounts(db: Database) -> None:
    with db.write() as session:
        account = _account(session)
        _generate(session, account, 3)
        other = student(session, code="30009", document="99887766")
        cases = {"valor": ("PP-0001#1", "149999.99", account.id), "cuota": ("PP-0001#2", "150000.00", account.id)}
        for field, (ref, amount, acc) in cases.items():
            with pytest.raises(HandlerInputError) as refused:
                check_plan_instalment(session, acc, ref, Decimal(amount))
            assert refused.value.field == field
        for ref, acc in (("PP-0001#1", other.id), ("PP-0001", account.id), ("PP-9999#1", account.id),
                         ("PP-0001#9", account.id)):
            with pytest.raises(HandlerInputError):
                check_plan_instalment(session, acc, ref, Decimal("150000.00"))
        check_plan_instalment(session, account.id, "PP-0001#1", Decimal("150000.00"))  # the right one passes


def test_an_instalment_credits_the_oldest_charges_and_the_first_sends_the_message(db: Database) -> None:
    with db.write() as session:
        account = _account(session)
        _generate(session, account, 2)
        view = _order_instalment(session, account, "PP-0001#1", "225000.00")
        result = apply_notification(session, notification(view), now=NOW, remote_addr="127.0.0.1")
        owed = owed_by_charge(session, account.id)
        charges = session.scalars(select(Charge).where(Charge.account_id == account.id).order_by(Charge.id)).all()
        paid_rows = session.scalar(select(func.count(PlanInstalmentPayment.id)))
    assert result.outcome.value == "applied"
    [message] = result.messages
    assert (message.name, message.correlation_key, message.message_key) == \
        ("cuota_inicial_pagada", "PP-0001", "PP-0001-cuota-1")
    assert [owed[c.id] for c in charges] == [Decimal("75000.00"), Decimal("150000.00"), Decimal("80000.00")]
    assert paid_rows == 1


def test_a_lapsed_plan_keeps_the_money_as_abonos_but_marks_nothing(db: Database) -> None:
    with db.write() as session:
        account = _account(session)
        _generate(session, account, 2)
        view = _order_instalment(session, account, "PP-0001#1", "225000.00")  # ordered in time...
        assert plan_lapse(Ctx(session, actor="system"), numero="PP-0001") == {"estado": "caducado"}  # ...then late
        result = apply_notification(session, notification(view), now=NOW, remote_addr="127.0.0.1")
        credited = session.scalar(select(func.sum(Credit.amount)))
        paid_rows = session.scalar(select(func.count(PlanInstalmentPayment.id)))
        [summary] = plans_of(session, account.id)
        offer = plan_offer(session, account.id, TODAY)
    assert result.outcome.value == "applied" and result.messages == ()
    assert credited == Decimal("225000.00") and paid_rows == 0
    assert summary.status == "caducado" and summary.next_instalment is None
    assert offer is not None and offer.debt == Decimal("225000.00")  # what is still overdue


def test_charges_settled_elsewhere_leave_the_instalment_as_credit_balance(db: Database) -> None:
    with db.write() as session:
        account = _account(session, overdue=("200000",))
        _generate(session, account, 2)
        view = _order_instalment(session, account, "PP-0001#1", "100000.00")
        target = session.scalars(select(Charge).where(Charge.account_id == account.id).order_by(Charge.id)).first()
        assert target is not None
        pay(session, account, "PG-77", [(target, "200000")])  # paid in full at the cashier's meanwhile
        apply_notification(session, notification(view), now=NOW, remote_addr="127.0.0.1")
        excess = session.scalars(select(Entry.amount).where(Entry.account_id == account.id,
                                                            Entry.kind == EntryKind.UNAPPLIED_PAYMENT)).all()
        credits = session.scalars(select(Credit.amount).where(Credit.charge_id == target.id)).all()
    assert excess == [Decimal("-100000.00")] and credits == [Decimal("200000.00")]


def test_lapsing_a_plan_whose_first_instalment_was_paid_activates_it(db: Database) -> None:
    with db.write() as session:
        account = _account(session)
        _generate(session, account, 2)
        view = _order_instalment(session, account, "PP-0001#1", "225000.00")
        apply_notification(session, notification(view), now=NOW, remote_addr="127.0.0.1")
        # the timer fires before the message is delivered: the money decides
        assert plan_lapse(Ctx(session, actor="system"), numero="PP-0001") == {"estado": "activo"}
        kinds = set(session.scalars(select(PaymentPlanEvent.kind)))
    assert kinds == {"generado", "activado"}
