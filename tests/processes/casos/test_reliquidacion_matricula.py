"""Reliquidación de matrícula financiera end to end: the tuition charge is reversed with a counter-entry and
charged again at the approved value, so the statement shows both and an overpayment becomes a credit balance."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from engine.db import Database
from engine.errors import InvalidData
from engine.runtime import Engine
from tests.processes.casos.driver import CaseRun, open_case, statement_of

VALENTINA = {"codigo_estudiante": "20264001", "documento": "1093000001", "nombre_estudiante": "Valentina Ríos Mejía",
             "programa": "Derecho"}
REQUEST = {"concepto": "cambio_rango", "nuevo_rango": "Rango 2: 10 a 15 créditos", "valor_solicitado": "4200000.00"}


def _open(engine: Engine, db: Database, **extra: Any) -> CaseRun:
    return open_case(engine, db, "reliquidacion_matricula", {**REQUEST, **extra}, **VALENTINA)


def test_the_tuition_is_charged_again_at_the_approved_value_and_the_overpayment_becomes_a_credit(
        engine: Engine, db: Database) -> None:
    run = _open(engine, db)
    assert run.case().unit == "cartera" and run.case().status == "en_revision"
    before = statement_of(db, "20264001")
    assert before.balance == Decimal("0.00")
    old_charge = next(e for e in before.entries if e.kind == "charge")

    run.resolve({"valor_aprobado": "4200000.00"})

    assert run.view.status == "completed"
    after = statement_of(db, "20264001")
    new = after.entries[len(before.entries):]
    assert [(e.kind, e.amount) for e in new] == [("counter_entry", Decimal("-5000000.00")),
                                                 ("charge", Decimal("4200000.00"))]
    assert new[0].reverses_entry_id == old_charge.entry_id
    assert new[1].description == "Matrícula financiera: Matrícula 2026A (reliquidada)"
    assert after.credit_balance == Decimal("800000.00")
    case = run.case()
    assert case.status == "resuelto"
    assert "$ 5.000.000,00" in (case.outcome or "") and "$ 4.200.000,00" in (case.outcome or "")
    assert "saldo a favor de $ 800.000,00" in (case.outcome or "")
    assert [k for k, _r, _s in run.emails()] == ["case_created", "case_closed"]


def test_a_second_reliquidation_replaces_the_reliquidated_charge(engine: Engine, db: Database) -> None:
    _open(engine, db).resolve({"valor_aprobado": "4200000.00"})
    credits = {"concepto": "ajuste_creditos", "creditos": 18, "valor_solicitado": "5600000.00"}
    open_case(engine, db, "reliquidacion_matricula", credits, **VALENTINA).resolve({"valor_aprobado": "5600000.00"})
    after = statement_of(db, "20264001")
    charges = [e for e in after.entries if e.kind == "charge"]
    assert [c.amount for c in charges] == [Decimal("5000000.00"), Decimal("4200000.00"), Decimal("5600000.00")]
    assert len([e for e in after.entries if e.kind == "counter_entry"]) == 2
    assert after.balance == Decimal("600000.00")


def test_the_same_value_changes_nothing_and_the_requester_is_told_why(engine: Engine, db: Database) -> None:
    run = _open(engine, db)
    before = statement_of(db, "20264001").entries
    run.resolve({"valor_aprobado": "5000000.00", "mensaje": "Su rango ya es el correcto."})
    assert statement_of(db, "20264001").entries == before
    case = run.case()
    assert case.status == "rechazado"
    assert "es el mismo" in (case.outcome or "") and "Su rango ya es el correcto." in (case.outcome or "")


def test_the_unit_rejects_and_nothing_changes(engine: Engine, db: Database) -> None:
    run = _open(engine, db)
    before = statement_of(db, "20264001").entries
    run.reject("El sistema académico muestra 18 créditos inscritos: el rango 3 es correcto.")
    assert statement_of(db, "20264001").entries == before
    case = run.case()
    assert case.status == "rechazado" and "18 créditos" in (case.outcome or "")


def test_resolving_without_the_approved_value_is_refused_on_that_field(engine: Engine, db: Database) -> None:
    run = _open(engine, db)
    with pytest.raises(InvalidData) as refused:
        run.resolve()
    assert [e.field for e in refused.value.errors] == ["valor_aprobado"]
    assert run.case().status == "en_revision"


def test_a_zero_value_is_refused_by_the_handler_and_nothing_is_written(engine: Engine, db: Database) -> None:
    run = _open(engine, db)
    before = statement_of(db, "20264001").entries
    with pytest.raises(InvalidData) as refused:
        run.resolve({"valor_aprobado": "0.00"})
    assert [e.field for e in refused.value.errors] == ["valor_aprobado"]
    assert statement_of(db, "20264001").entries == before
    assert run.case().status == "en_revision"
    assert [t.element_id for t in engine.show(run.view.id).instance.open_tasks] == ["Activity_revisar"]


@pytest.mark.parametrize("field,extra", [
    ("concepto", {"concepto": "rebaja"}),
    ("valor_solicitado", {"valor_solicitado": "4.200.000"}),
    ("nuevo_rango", {"nuevo_rango": None}),
    ("creditos", {"concepto": "ajuste_creditos", "creditos": 0}),
    ("creditos", {"concepto": "ajuste_creditos", "nuevo_rango": None}),
])
def test_bad_form_data_is_refused_field_by_field(engine: Engine, db: Database, field: str,
                                                 extra: dict[str, Any]) -> None:
    data = {k: v for k, v in {**REQUEST, **extra}.items() if v is not None}
    with pytest.raises(InvalidData) as refused:
        open_case(engine, db, "reliquidacion_matricula", data, **VALENTINA)
    assert field in [e.field for e in refused.value.errors]
