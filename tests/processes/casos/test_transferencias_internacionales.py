"""Transferencias internacionales end to end: a payment from abroad whose estimate in pesos (reference rates)
fits what the account owes gets an instruction document (SWIFT/BIC, intermediary, beneficiary, reference);
above it, or with nothing owed, it is refused; nothing is issued when the unit rejects."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select

from engine.db import Database
from engine.errors import InvalidData
from engine.runtime import Engine
from handlers.casos.international_transfers import REFERENCE_RATES
from handlers.ledger.models import Document
from tests.processes.casos.driver import CaseRun, open_case, statement_of

ISABELLA = {"codigo_estudiante": "20263002", "documento": "1092345678", "nombre_estudiante": "Isabella Moreno Díaz",
            "programa": "Comunicación Social"}
PAYMENT = {"pais": "España", "moneda": "EUR", "valor_moneda": "1000.00", "pagador": "Lucía Díaz Ferrer"}


def _open(engine: Engine, db: Database, **extra: str) -> CaseRun:
    return open_case(engine, db, "transferencias_internacionales", {**PAYMENT, **extra}, **ISABELLA)


def _documents(db: Database) -> list[tuple[str, Decimal | None, str]]:
    with db.read() as session:
        return [(d.number, d.amount, d.body) for d in session.scalars(
            select(Document).where(Document.kind == "instruccion_internacional").order_by(Document.id))]


def test_the_rates_are_decimal_pesos_per_unit() -> None:
    assert set(REFERENCE_RATES) == {"USD", "EUR"}
    assert all(isinstance(rate, Decimal) and rate > 0 for rate in REFERENCE_RATES.values())


def test_an_instruction_with_the_estimate_in_pesos_is_issued(engine: Engine, db: Database) -> None:
    before = statement_of(db, "20263002").balance
    run = _open(engine, db)
    run.resolve()

    assert run.view.status == "completed"
    [(number, estimate, body)] = _documents(db)
    assert number.startswith("INT-") and estimate == Decimal("4350000.00")
    for text in ("OCCICOBC", "DEUTDEFF", "Universidad Autónoma de Occidente", f"20263002-{run.number}",
                 "1000.00 EUR", "$ 4.350.000,00", "$ 4.350,00 por 1 EUR", "Lucía Díaz Ferrer (España)"):
        assert text in body
    case = run.case()
    assert case.status == "resuelto"
    for text in (number, "OCCICOBC", "Deutsche Bank", f"20263002-{run.number}", "$ 4.350.000,00"):
        assert text in (case.outcome or "")
    assert statement_of(db, "20263002").balance == before  # instructions are not payments


def test_dollars_go_through_their_own_intermediary(engine: Engine, db: Database) -> None:
    _open(engine, db, moneda="USD", valor_moneda="1403.07").resolve()
    [(_number, estimate, body)] = _documents(db)
    assert estimate == Decimal("5612280.00") and "CITIUS33" in body


def test_an_estimate_above_what_is_owed_is_refused(engine: Engine, db: Database) -> None:
    run = _open(engine, db, moneda="USD", valor_moneda="1403.08")
    run.resolve()
    case = run.case()
    assert case.status == "rechazado"
    assert "$ 5.612.320,00" in (case.outcome or "") and "$ 5.612.300,00" in (case.outcome or "")
    assert "hasta 1403.07 USD" in (case.outcome or "")
    assert _documents(db) == []


def test_an_account_that_owes_nothing_is_refused(engine: Engine, db: Database) -> None:
    run = open_case(engine, db, "transferencias_internacionales", PAYMENT)  # Camila: credit balance
    run.resolve()
    assert run.case().status == "rechazado" and "no tiene saldo pendiente" in (run.case().outcome or "")
    assert _documents(db) == []


def test_the_unit_rejects_and_nothing_is_issued(engine: Engine, db: Database) -> None:
    run = _open(engine, db)
    run.reject("El pagador debe ser el estudiante o su acudiente registrado.")
    assert run.case().status == "rechazado" and "acudiente" in (run.case().outcome or "")
    assert _documents(db) == []


def test_the_estimate_is_checked_again_when_issued(engine: Engine, db: Database) -> None:
    run = _open(engine, db, valor_moneda="5000.00")
    handlers: dict[str, Any] = engine.script_engine.handlers
    handlers["international_estimate_fits"] = lambda ctx, *args: True
    with pytest.raises(InvalidData) as refused:
        run.resolve()
    assert [e.field for e in refused.value.errors] == ["valor_moneda"]
    assert _documents(db) == []
    assert run.case().status == "en_revision"


@pytest.mark.parametrize("field,value", [("pais", "E"), ("moneda", "GBP"), ("valor_moneda", "1.000,00"),
                                         ("valor_moneda", "1000"), ("pagador", "")])
def test_bad_form_data_is_refused_field_by_field(engine: Engine, db: Database, field: str, value: str) -> None:
    with pytest.raises(InvalidData) as refused:
        _open(engine, db, **{field: value})
    assert field in [e.field for e in refused.value.errors]
