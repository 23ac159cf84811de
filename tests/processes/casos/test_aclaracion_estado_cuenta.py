"""Aclaración del estado de cuenta end to end: the unit's answer goes with the statement summary of the day,
issued as a document; an empty statement closes the case saying so; no answer, no resolution."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from engine.db import Database
from engine.errors import InvalidData
from engine.runtime import Engine
from handlers.ledger.statement_render import format_date
from tests.processes.casos.consultas_students import documents, engine_with, ledger_counts, student, today
from tests.processes.casos.driver import CaseRun, open_case

PID = "aclaracion_estado_cuenta"
QUESTION = {"tema": "becas", "consulta": "¿Por qué la beca aparece por la mitad de la matrícula?"}
ANSWER = "La Beca Talento cubre el 50 % de la matrícula; el resto lo cubrió su pago."


@pytest.fixture
def engine(db: Database, demo: dict[str, object]) -> Engine:
    return engine_with(db, PID)


def _open(engine: Engine, db: Database, code: str = "20266003", **extra: Any) -> CaseRun:
    return open_case(engine, db, PID, {**QUESTION, **extra}, **student(code))


def test_the_answer_goes_with_the_statement_summary_document(engine: Engine, db: Database) -> None:
    run = _open(engine, db)
    assert run.case().unit == "cartera"
    entries_before = ledger_counts(db)[0]

    run.resolve({"mensaje": ANSWER})

    assert run.view.status == "completed"
    [summary] = documents(db, "estado_cuenta")
    assert summary.number == "EDC-1001" and summary.amount == Decimal("0.00")
    body = " ".join(summary.body.split())
    assert f"Fecha de corte: {format_date(today())}" in body and "Tema consultado: Becas y descuentos" in body
    for line in ("Cargos: $ 5.000.000,00", "Abonos de pagos: $ 2.500.000,00", "Becas y descuentos: $ 2.500.000,00",
                 "Saldo total: $ 0,00", "Saldo a favor: $ 0,00", "Saldo vencido: $ 0,00"):
        assert line in body
    assert "Matrícula" in body and "Beca: Beca Talento 50%" in body
    assert ledger_counts(db)[0] == entries_before
    outcome = run.case().outcome or ""
    assert run.case().status == "resuelto" and ANSWER in outcome and "EDC-1001" in outcome
    assert "saldo vencido $ 0,00" in outcome


def test_an_overdue_statement_shows_its_overdue_balance(engine: Engine, db: Database) -> None:
    run = _open(engine, db, "20266004", tema="saldo_vencido")
    run.resolve({"mensaje": "Su matrícula venció y tiene un saldo pendiente."})
    [summary] = documents(db, "estado_cuenta")
    assert "Saldo vencido: $ 2.000.000,00" in " ".join(summary.body.split())


def test_resolving_without_an_answer_is_refused_on_the_field_and_nothing_is_written(engine: Engine,
                                                                                    db: Database) -> None:
    run = _open(engine, db)
    before = ledger_counts(db)
    with pytest.raises(InvalidData) as refused:
        run.resolve()
    assert [e.field for e in refused.value.errors] == ["mensaje"]
    assert ledger_counts(db) == before and run.case().status == "en_revision"


def test_an_empty_statement_closes_the_case_saying_so(engine: Engine, db: Database) -> None:
    run = _open(engine, db, "20266005")
    before = ledger_counts(db)
    run.resolve()
    assert ledger_counts(db) == before
    case = run.case()
    assert case.status == "cerrado" and "no registra movimientos" in (case.outcome or "")


def test_the_unit_rejects_and_nothing_is_written(engine: Engine, db: Database) -> None:
    run = _open(engine, db)
    before = ledger_counts(db)
    run.reject("La pregunta corresponde a otra unidad: Crédito.")
    assert ledger_counts(db) == before and run.case().status == "rechazado"


@pytest.mark.parametrize("field,value", [("tema", "deudas"), ("consulta", "¿y?"), ("correo", "sin-arroba")])
def test_bad_form_data_is_refused_field_by_field(engine: Engine, db: Database, field: str, value: object) -> None:
    with pytest.raises(InvalidData) as refused:
        _open(engine, db, "20266003", **{field: value})
    assert field in [e.field for e in refused.value.errors]
