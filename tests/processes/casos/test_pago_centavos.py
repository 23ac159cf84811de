"""Pago con centavos end to end: a cheque with cents within the pending tuition gets a personalised receipt for
exactly its value; a cheque without cents is told to use the normal receipt; one above the pending fee is refused;
nothing is issued when the unit rejects."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select

from engine.db import Database
from engine.errors import InvalidData
from engine.runtime import Engine
from handlers.ledger.models import Document
from tests.processes.casos.driver import CaseRun, open_case, statement_of

ISABELLA = {"codigo_estudiante": "20263002", "documento": "1092345678", "nombre_estudiante": "Isabella Moreno Díaz",
            "programa": "Comunicación Social"}
CHEQUE = {"valor_cheque": "2345678.90", "banco_cheque": "Banco de Bogotá", "numero_cheque": "0045127",
          "cargo": "matricula"}


def _open(engine: Engine, db: Database, **extra: str) -> CaseRun:
    return open_case(engine, db, "pago_centavos", {**CHEQUE, **extra}, **ISABELLA)


def _documents(db: Database) -> list[tuple[str, str, Decimal | None, str]]:
    with db.read() as session:
        return [(d.number, d.kind, d.amount, d.body) for d in session.scalars(
            select(Document).where(Document.kind == "recibo_personalizado").order_by(Document.id))]


def test_a_cheque_with_cents_gets_a_receipt_for_exactly_its_value(engine: Engine, db: Database) -> None:
    before = statement_of(db, "20263002").balance
    run = _open(engine, db)
    assert run.case().status == "en_revision"

    run.resolve()

    assert run.view.status == "completed"
    [(number, _kind, value, body)] = _documents(db)
    assert value == Decimal("2345678.90")
    assert number.startswith("RCP-")
    assert "$ 2.345.678,90" in body and "0045127" in body and "Banco de Bogotá" in body and run.number in body
    assert "matrícula financiera" in body
    case = run.case()
    assert case.status == "resuelto"
    assert number in (case.outcome or "") and "$ 2.345.678,90" in (case.outcome or "")
    # A receipt is not a payment: the account owes the same until the cheque is paid.
    assert statement_of(db, "20263002").balance == before
    assert [k for k, _r, _s in run.emails()] == ["case_created", "case_closed"]


def test_receipts_are_numbered_in_their_own_series(engine: Engine, db: Database) -> None:
    _open(engine, db).resolve()
    _open(engine, db, valor_cheque="100000.50", cargo="derechos_pecuniarios").resolve()
    numbers = [number for number, _k, _v, _b in _documents(db)]
    assert len(numbers) == 2 and int(numbers[1][4:]) == int(numbers[0][4:]) + 1


def test_a_cheque_without_cents_is_told_to_use_the_normal_receipt(engine: Engine, db: Database) -> None:
    run = _open(engine, db, valor_cheque="2345678.00")
    run.resolve()
    case = run.case()
    assert case.status == "cerrado" and "recibo normal" in (case.outcome or "")
    assert _documents(db) == []


def test_a_cheque_above_the_pending_fee_is_refused(engine: Engine, db: Database) -> None:
    run = _open(engine, db, valor_cheque="412300.50", cargo="derechos_pecuniarios")
    run.resolve()
    case = run.case()
    assert case.status == "rechazado"
    assert "$ 412.300,50" in (case.outcome or "") and "$ 412.300,00" in (case.outcome or "")
    assert _documents(db) == []


def test_nothing_pending_is_refused(engine: Engine, db: Database) -> None:
    """Camila's tuition is paid (she has a credit balance): there is nothing to pay with a cheque."""
    run = open_case(engine, db, "pago_centavos", {**CHEQUE, "valor_cheque": "1000.50"})
    run.resolve()
    case = run.case()
    assert case.status == "rechazado" and "No tiene saldo pendiente de matrícula" in (case.outcome or "")
    assert _documents(db) == []


def test_the_unit_rejects_and_no_receipt_is_issued(engine: Engine, db: Database) -> None:
    run = _open(engine, db)
    run.reject("La copia del cheque adjunta no es legible.")
    assert run.case().status == "rechazado" and "no es legible" in (run.case().outcome or "")
    assert _documents(db) == []


def test_the_receipt_is_checked_again_when_issued(engine: Engine, db: Database) -> None:
    """A gateway that said yes although the cheque exceeds what is pending (the balance moved since) does not
    let the receipt through: the step is refused on ``valor_cheque`` and rolled back whole."""
    run = _open(engine, db, valor_cheque="5612300.01")
    handlers: dict[str, Any] = engine.script_engine.handlers
    handlers["cents_receipt_fits"] = lambda ctx, *args: True
    with pytest.raises(InvalidData) as refused:
        run.resolve()
    assert [e.field for e in refused.value.errors] == ["valor_cheque"]
    assert _documents(db) == []
    assert run.case().status == "en_revision"


@pytest.mark.parametrize("field,value", [("valor_cheque", "2345678,90"), ("valor_cheque", "0.5"),
                                         ("banco_cheque", "B"), ("numero_cheque", "12-34"),
                                         ("cargo", "biblioteca")])
def test_bad_form_data_is_refused_field_by_field(engine: Engine, db: Database, field: str, value: str) -> None:
    with pytest.raises(InvalidData) as refused:
        _open(engine, db, **{field: value})
    assert field in [e.field for e in refused.value.errors]
