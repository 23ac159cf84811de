"""Asesoría en cobranzas end to end: the overdue balance split into monthly instalments whose cents add up
exactly; no overdue balance closes the case saying so; bad instalment counts are refused on their field."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from engine.db import Database
from engine.errors import InvalidData
from engine.runtime import Engine
from handlers.casos.collections_advice import add_months, split_instalments
from handlers.ledger.statement_render import format_date
from tests.processes.casos.consultas_students import documents, engine_with, ledger_counts, student, today
from tests.processes.casos.driver import CaseRun, open_case, statement_of

PID = "asesoria_cobranzas"
PROPOSAL = {"propuesta_pago": "Puedo pagar una parte cada mes con mi salario.", "numero_cuotas": 3}


@pytest.fixture
def engine(db: Database, demo: dict[str, object]) -> Engine:
    return engine_with(db, PID)


def _open(engine: Engine, db: Database, code: str = "20266004", **extra: Any) -> CaseRun:
    return open_case(engine, db, PID, {**PROPOSAL, **extra}, **student(code))


def test_the_overdue_balance_is_split_in_exact_monthly_instalments(engine: Engine, db: Database) -> None:
    run = _open(engine, db)
    assert run.case().unit == "cartera"
    assert statement_of(db, "20266004").overdue_balance == Decimal("2000000.00")
    entries_before = ledger_counts(db)[0]

    run.resolve()

    assert run.view.status == "completed"
    [agreement] = documents(db, "acuerdo_pago_propuesto")
    assert agreement.number == "APP-1001" and agreement.amount == Decimal("2000000.00")
    body = " ".join(agreement.body.split())
    for i, value in enumerate(("666.666,67", "666.666,67", "666.666,66"), start=1):
        assert f"{i} {format_date(add_months(today(), i))} $ {value}" in body
    assert "Puedo pagar una parte" in body and run.number in body
    assert ledger_counts(db)[0] == entries_before  # a proposal: no money moved
    plan = engine.show(run.view.id).data["acuerdo"]["plan"]
    assert sum(Decimal(p["valor"]) for p in plan) == Decimal("2000000.00")
    case = run.case()
    assert case.status == "resuelto" and "APP-1001" in (case.outcome or "")
    assert "$ 666.666,67" in (case.outcome or "") and format_date(add_months(today(), 1)) in (case.outcome or "")


def test_the_unit_may_approve_another_number_of_instalments(engine: Engine, db: Database) -> None:
    run = _open(engine, db)
    run.resolve({"cuotas_aprobadas": 6})
    assert engine.show(run.view.id).data["acuerdo"]["cuotas"] == 6
    [agreement] = documents(db, "acuerdo_pago_propuesto")
    assert "6 mensuales" in agreement.body and "$ 333.333,34" in agreement.body


def test_instalments_below_the_minimum_are_refused_on_the_field_and_nothing_is_written(engine: Engine,
                                                                                       db: Database) -> None:
    run = _open(engine, db, numero_cuotas=12)  # 2.000.000 in 12 is 166.666,67, under the 200.000,00 minimum
    before = ledger_counts(db)
    with pytest.raises(InvalidData) as refused:
        run.resolve()
    assert [e.field for e in refused.value.errors] == ["numero_cuotas"]
    assert "200.000,00" in refused.value.errors[0].message
    assert ledger_counts(db) == before and run.case().status == "en_revision"
    assert [t.element_id for t in engine.show(run.view.id).instance.open_tasks] == ["Activity_revisar"]
    with pytest.raises(InvalidData) as refused_again:
        run.resolve({"cuotas_aprobadas": 11})
    assert [e.field for e in refused_again.value.errors] == ["cuotas_aprobadas"]
    run.resolve({"cuotas_aprobadas": 10})
    assert run.case().status == "resuelto"
    assert [d.amount for d in documents(db, "acuerdo_pago_propuesto")] == [Decimal("2000000.00")]


def test_no_overdue_balance_closes_the_case_saying_so(engine: Engine, db: Database) -> None:
    run = _open(engine, db, "20266002")
    before = ledger_counts(db)
    run.resolve()
    assert ledger_counts(db) == before
    case = run.case()
    assert case.status == "cerrado" and "no tiene saldo vencido" in (case.outcome or "")
    assert "$ 1.500.000,00" in (case.outcome or "")


def test_the_unit_rejects_and_nothing_is_written(engine: Engine, db: Database) -> None:
    run = _open(engine, db)
    before = ledger_counts(db)
    run.reject("Ya tiene un acuerdo de pago vigente; pague la cuota pendiente.")
    assert ledger_counts(db) == before and run.case().status == "rechazado"


@pytest.mark.parametrize("field,value", [("numero_cuotas", 0), ("numero_cuotas", 13), ("numero_cuotas", "3"),
                                         ("propuesta_pago", "corta")])
def test_bad_form_data_is_refused_field_by_field(engine: Engine, db: Database, field: str, value: object) -> None:
    with pytest.raises(InvalidData) as refused:
        _open(engine, db, "20266004", **{field: value})
    assert field in [e.field for e in refused.value.errors]


def test_split_and_months() -> None:
    assert split_instalments(Decimal("100.00"), 3) == [Decimal("33.34"), Decimal("33.33"), Decimal("33.33")]
    assert sum(split_instalments(Decimal("1000000.05"), 7)) == Decimal("1000000.05")
    assert add_months(today().replace(year=2027, month=1, day=31), 1).isoformat() == "2027-02-28"
