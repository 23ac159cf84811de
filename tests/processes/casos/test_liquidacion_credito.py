"""Liquidación de crédito a largo plazo end to end: partial, total and graduation payoffs write the payoff
movement and the payoff statement; a loan not the student's, without balance, a partial amount above the balance
or a graduation payoff before the last term are refused with nothing written."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select

from engine.db import Database
from engine.errors import InvalidData
from engine.runtime import Engine
from handlers.ledger.loans import find_loan, standing_of
from handlers.ledger.models import Document, LoanMovement
from handlers.ledger.values import bogota_date
from tests.processes.casos.driver import CaseRun, open_case

VALENTINA = {"codigo_estudiante": "20265001", "documento": "1093456701", "nombre_estudiante": "Valentina Ríos Mejía",
             "programa": "Ingeniería Industrial"}
ANDRES = {"codigo_estudiante": "20265002", "documento": "1093456702", "nombre_estudiante": "Andrés Cárdenas Peña",
          "programa": "Especialización en Finanzas"}


def _open(engine: Engine, db: Database, student: dict[str, str], **extra: str) -> CaseRun:
    return open_case(engine, db, "liquidacion_credito", {"numero_credito": "CR-5001", "tipo_liquidacion": "parcial",
                                                         "valor": "1500000.00", **extra}, **student)


def _loan(db: Database, number: str) -> tuple[Decimal, list[tuple[str, Decimal]]]:
    with db.read() as session:
        loan = find_loan(session, number)
        assert loan is not None
        moves = session.scalars(select(LoanMovement).where(LoanMovement.loan_id == loan.id)
                                .order_by(LoanMovement.id)).all()
        return standing_of(session, loan).balance, [(m.kind, m.amount) for m in moves]


def _documents(db: Database) -> list[Any]:
    with db.read() as session:
        found = session.scalars(select(Document).where(Document.kind == "liquidacion_credito")
                                .order_by(Document.id)).all()
        for document in found:
            session.expunge(document)
        return list(found)


def test_a_partial_payoff_is_written_on_the_loan_with_its_statement(engine: Engine, db: Database) -> None:
    run = _open(engine, db, VALENTINA)
    assert run.case().unit == "credito" and run.case().status == "en_revision"
    assert _loan(db, "CR-5001")[0] == Decimal("8000000.00")

    run.resolve()

    assert run.view.status == "completed"
    balance, moves = _loan(db, "CR-5001")
    assert balance == Decimal("6500000.00")
    assert moves[-1] == ("liquidacion", Decimal("1500000.00")) and len(moves) == 9
    [document] = _documents(db)
    assert document.amount == Decimal("1500000.00") and document.number.startswith("LQ-")
    today = bogota_date(run.case().opened_at)
    for text in ("Capital: $ 12.000.000,00", "Pagado: $ 4.000.000,00", "Saldo: $ 8.000.000,00",
                 "Valor a pagar: $ 1.500.000,00", "Saldo después del pago: $ 6.500.000,00",
                 f"válida hasta el {today + timedelta(days=15):%d/%m/%Y}", "Abono parcial", "Valentina Ríos Mejía"):
        assert text in document.body
    case = run.case()
    assert case.status == "resuelto"
    assert document.number in (case.outcome or "") and "$ 1.500.000,00" in (case.outcome or "")
    assert [k for k, _r, _s in run.emails()] == ["case_created", "case_closed"]


def test_a_total_payoff_settles_the_whole_balance_with_the_validity_the_unit_sets(engine: Engine,
                                                                                  db: Database) -> None:
    run = _open(engine, db, VALENTINA, tipo_liquidacion="total", valor="1.00")
    valid_until = bogota_date(run.case().opened_at) + timedelta(days=20)
    run.resolve({"vigente_hasta": valid_until.isoformat()})
    balance, moves = _loan(db, "CR-5001")
    assert balance == Decimal("0.00") and moves[-1] == ("liquidacion", Decimal("8000000.00"))
    [document] = _documents(db)
    assert document.amount == Decimal("8000000.00") and f"{valid_until:%d/%m/%Y}" in document.body
    assert run.case().status == "resuelto"


def test_a_graduation_payoff_in_the_last_term_settles_the_balance(engine: Engine, db: Database) -> None:
    run = _open(engine, db, ANDRES, numero_credito="CR-5003", tipo_liquidacion="grado", valor="1.00")
    run.resolve()
    balance, moves = _loan(db, "CR-5003")
    assert balance == Decimal("0.00") and moves[-1] == ("liquidacion", Decimal("4500000.00"))
    assert "Pago total por proceso de grado" in _documents(db)[0].body
    assert run.case().status == "resuelto"


def test_a_graduation_payoff_before_the_last_term_is_refused_and_nothing_written(engine: Engine,
                                                                                 db: Database) -> None:
    run = _open(engine, db, VALENTINA, tipo_liquidacion="grado", valor="1.00")
    run.resolve()
    assert _loan(db, "CR-5001")[0] == Decimal("8000000.00") and _documents(db) == []
    case = run.case()
    assert case.status == "rechazado" and "el semestre 1 de 10 de Ingeniería Industrial" in (case.outcome or "")


def test_a_partial_payoff_above_the_balance_is_refused(engine: Engine, db: Database) -> None:
    run = _open(engine, db, VALENTINA, valor="8000000.01")
    run.resolve()
    assert _loan(db, "CR-5001")[0] == Decimal("8000000.00") and _documents(db) == []
    case = run.case()
    assert case.status == "rechazado" and "$ 8.000.000,00" in (case.outcome or "")


@pytest.mark.parametrize("student,loan,words", [
    (VALENTINA, "CR-5002", "ya está pagado"),  # hers, without balance
    (VALENTINA, "CR-5003", "No encontramos el crédito CR-5003"),  # Andrés's
    (VALENTINA, "CR-9999", "No encontramos el crédito CR-9999"),
])
def test_a_loan_not_hers_or_without_balance_is_refused(engine: Engine, db: Database, student: dict[str, str],
                                                       loan: str, words: str) -> None:
    run = _open(engine, db, student, numero_credito=loan, tipo_liquidacion="total", valor="1.00")
    run.resolve()
    case = run.case()
    assert case.status == "rechazado" and words in (case.outcome or "")
    assert _documents(db) == [] and _loan(db, "CR-5003")[0] == Decimal("4500000.00")


def test_the_unit_rejecting_writes_nothing(engine: Engine, db: Database) -> None:
    run = _open(engine, db, VALENTINA)
    run.reject("El crédito tiene un acuerdo de pago vigente; comuníquese con Crédito.")
    assert run.case().status == "rechazado"
    assert _loan(db, "CR-5001")[0] == Decimal("8000000.00") and _documents(db) == []


def test_a_validity_beyond_thirty_days_is_refused_on_that_field_with_nothing_written(engine: Engine,
                                                                                      db: Database) -> None:
    run = _open(engine, db, VALENTINA)
    too_late = bogota_date(run.case().opened_at) + timedelta(days=31)
    with pytest.raises(InvalidData) as refused:
        run.resolve({"vigente_hasta": too_late.isoformat()})
    assert [e.field for e in refused.value.errors] == ["vigente_hasta"]
    assert _loan(db, "CR-5001")[0] == Decimal("8000000.00") and _documents(db) == []
    assert run.case().status == "en_revision"
    assert [t.element_id for t in engine.show(run.view.id).instance.open_tasks] == ["Activity_revisar"]


@pytest.mark.parametrize("field,value", [("numero_credito", "5001"), ("tipo_liquidacion", "condonacion"),
                                         ("valor", "1.500.000"), ("valor", None)])
def test_bad_form_data_is_refused_field_by_field(engine: Engine, db: Database, field: str, value: object) -> None:
    extra: dict[str, Any] = {"numero_credito": "CR-5001", "tipo_liquidacion": "parcial", "valor": "1500000.00"}
    if value is None:
        del extra[field]  # a partial payoff without its amount
    else:
        extra[field] = value
    with pytest.raises(InvalidData) as refused:
        open_case(engine, db, "liquidacion_credito", extra, **VALENTINA)
    assert field in [e.field for e in refused.value.errors]
