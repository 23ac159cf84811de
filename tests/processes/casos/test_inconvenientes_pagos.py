"""Inconvenientes con pagos end to end: a payment on the account is located (number, receipt, what it paid);
one that is not goes through the generic-bag check and Tesorería's note to a claim document for the bank."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from engine.db import Database
from engine.errors import InvalidData
from engine.runtime import Engine
from handlers.ledger.statement_render import format_date
from tests.processes.casos.consultas_students import documents, engine_with, ledger_counts, student, today
from tests.processes.casos.driver import CaseRun, open_case

PID = "inconvenientes_pagos"


def _report(days_ago: int, value: str) -> dict[str, Any]:
    return {"fecha_pago": (today() - timedelta(days=days_ago)).isoformat(), "valor": value, "medio": "pse",
            "referencia": "CUS-88123456", "banco": "Banco de Bogotá"}


@pytest.fixture
def engine(db: Database, demo: dict[str, object]) -> Engine:
    return engine_with(db, PID)


def _open(engine: Engine, db: Database, report: dict[str, Any], code: str = "20266001") -> CaseRun:
    return open_case(engine, db, PID, report, **student(code))


def test_a_payment_on_the_account_is_located_and_nothing_is_written(engine: Engine, db: Database) -> None:
    run = _open(engine, db, _report(8, "3800000.00"))  # paid 10 days ago: within the 3 days around
    assert run.case().unit == "tesoreria"
    before = ledger_counts(db)

    run.resolve()

    assert run.view.status == "completed" and ledger_counts(db) == before
    found = engine.show(run.view.id).data["pago"]
    assert found["pago"] == "PG-6601" and found["recibo"].startswith("RC-")
    outcome = run.case().outcome or ""
    assert run.case().status == "resuelto" and "PG-6601" in outcome and found["recibo"] in outcome
    assert f"del {format_date(today() - timedelta(days=10))}" in outcome
    assert "aplicado a: Matrícula" in outcome and "$ 3.800.000,00" in outcome


def test_a_payment_not_found_ends_in_a_claim_with_the_generic_bag_candidates(engine: Engine, db: Database) -> None:
    run = _open(engine, db, _report(1, "850000.00"))  # PG-6690 (unidentified) was paid 2 days ago
    run.resolve()
    task = run.open_task("Activity_reclamo")
    assert task.role == "tesoreria"
    assert engine.show(run.view.id).data["bolsa"]["pagos"] == ["PG-6690"]
    run.work("Activity_reclamo", {"nota_banco": "El extracto muestra el débito; confirmar abono a la universidad."})

    assert run.view.status == "completed"
    [claim] = documents(db, "reclamo_pago")
    body = " ".join(claim.body.split())
    assert claim.number == "RCL-1001" and str(claim.amount) == "850000.00"
    for text in ("Medio de pago: PSE", "Banco: Banco de Bogotá", "Referencia de la transacción: CUS-88123456",
                 f"Fecha del pago: {format_date(today() - timedelta(days=1))}", "PG-6690",
                 "confirmar abono a la universidad", "Documento del estudiante: 1093456701"):
        assert text in body
    outcome = run.case().outcome or ""
    assert run.case().status == "resuelto" and "RCL-1001" in outcome and "bolsa genérica" in outcome
    assert "PG-6690" in outcome


def test_no_bag_candidate_is_said_too(engine: Engine, db: Database) -> None:
    run = _open(engine, db, _report(30, "123456.78"))
    run.resolve()
    assert engine.show(run.view.id).data["bolsa"]["pagos"] == []
    run.work("Activity_reclamo", {})
    assert "no hay pagos sin identificar" in (run.case().outcome or "")


def test_a_future_payment_date_is_refused_on_the_field_and_nothing_is_written(engine: Engine,
                                                                              db: Database) -> None:
    run = _open(engine, db, _report(-2, "3800000.00"))
    before = ledger_counts(db)
    with pytest.raises(InvalidData) as refused:
        run.resolve()
    assert [e.field for e in refused.value.errors] == ["fecha_pago"]
    assert ledger_counts(db) == before and run.case().status == "en_revision"


def test_the_unit_rejects_and_nothing_is_written(engine: Engine, db: Database) -> None:
    run = _open(engine, db, _report(1, "850000.00"))
    before = ledger_counts(db)
    run.reject("El comprobante adjunto es de otra universidad.")
    assert ledger_counts(db) == before and run.case().status == "rechazado"


@pytest.mark.parametrize("field,value", [("fecha_pago", "23/11/2026"), ("valor", "850000"), ("medio", "cheque"),
                                         ("referencia", "no vale!"), ("banco", "B")])
def test_bad_form_data_is_refused_field_by_field(engine: Engine, db: Database, field: str, value: object) -> None:
    with pytest.raises(InvalidData) as refused:
        _open(engine, db, {**_report(1, "850000.00"), field: value})
    assert field in [e.field for e in refused.value.errors]
