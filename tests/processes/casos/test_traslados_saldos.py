"""Traslados de saldos end to end: Camila's credit balance moves to her brother Daniel's account as one
TRANSFER_OUT and one TRANSFER_IN referencing the case; a wrong destination or an amount above the balance is
refused with nothing posted."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from engine.db import Database
from engine.errors import InvalidData
from engine.runtime import Engine
from tests.processes.casos.driver import CaseRun, open_case, statement_of

CAMILA, DANIEL = "20262001", "20263001"
TRANSFER = {"codigo_destino": DANIEL, "nombre_destino": "Daniel Torres", "monto": "600000.00", "motivo": "hermano"}


def _open(engine: Engine, db: Database, **extra: str) -> CaseRun:
    return open_case(engine, db, "traslados_saldos", {**TRANSFER, **extra})


def _balances(db: Database) -> tuple[Decimal, Decimal]:
    return statement_of(db, CAMILA).balance, statement_of(db, DANIEL).balance


def test_the_balance_moves_to_the_other_account_and_the_requester_is_told(engine: Engine, db: Database) -> None:
    run = _open(engine, db)
    assert run.case().status == "en_revision" and run.case().unit == "tesoreria"
    assert statement_of(db, CAMILA).credit_balance == Decimal("1000000.00")
    assert statement_of(db, DANIEL).balance == Decimal("3000000.00")

    run.resolve({"mensaje": "Aplicado a la matrícula de Daniel."})

    assert run.view.status == "completed"
    camila, daniel = statement_of(db, CAMILA), statement_of(db, DANIEL)
    assert camila.credit_balance == Decimal("400000.00")
    assert daniel.balance == Decimal("2400000.00")
    out = [e for e in camila.entries if e.kind == "transfer_out"]
    into = [e for e in daniel.entries if e.kind == "transfer_in"]
    assert [(e.amount, e.reference) for e in out] == [(Decimal("600000.00"), run.number)]
    assert [(e.amount, e.reference) for e in into] == [(Decimal("-600000.00"), run.number)]
    case = run.case()
    assert case.status == "resuelto"
    assert "$ 600.000,00" in (case.outcome or "") and DANIEL in (case.outcome or "")
    assert "$ 400.000,00" in (case.outcome or "") and "matrícula de Daniel" in (case.outcome or "")
    assert [k for k, _r, _s in run.emails()] == ["case_created", "case_closed"]


def test_the_unit_rejects_and_nothing_moves(engine: Engine, db: Database) -> None:
    before = _balances(db)
    run = _open(engine, db)
    run.reject("El titular de la cuenta destino no autorizó recibir el saldo.")
    case = run.case()
    assert case.status == "rechazado" and "no autorizó" in (case.outcome or "")
    assert _balances(db) == before


@pytest.mark.parametrize("extra,why", [
    ({"monto": "1000000.01"}, "$ 1.000.000,00"),
    ({"codigo_destino": "20269999"}, "No existe una cuenta de estudiante con el código 20269999"),
    ({"codigo_destino": CAMILA, "nombre_destino": "Camila Torres"}, "la misma cuenta de origen"),
    ({"nombre_destino": "Daniel Pérez"}, "no corresponde al titular"),
])
def test_the_ledger_gateways_refuse_and_nothing_moves(engine: Engine, db: Database, extra: dict[str, str],
                                                      why: str) -> None:
    before = _balances(db)
    run = _open(engine, db, **extra)
    run.resolve()
    assert run.view.status == "completed"
    case = run.case()
    assert case.status == "rechazado" and why in (case.outcome or "")
    assert _balances(db) == before


def test_names_match_without_accents_or_case(engine: Engine, db: Database) -> None:
    run = _open(engine, db, nombre_destino="DANIEL TÓRRES ruiz")
    run.resolve()
    assert run.case().status == "resuelto"


def test_a_balance_that_moved_after_the_gateway_is_refused_by_the_posting(engine: Engine, db: Database) -> None:
    """The service task checks again: a gateway that said yes (the balance moved since) does not let the transfer
    through; the step is refused on ``monto`` and rolled back whole."""
    before = _balances(db)
    run = _open(engine, db, monto="1500000.00")
    handlers: dict[str, Any] = engine.script_engine.handlers
    handlers["transfer_fits_balance"] = lambda ctx, *args: True
    with pytest.raises(InvalidData) as refused:
        run.resolve()
    assert [e.field for e in refused.value.errors] == ["monto"]
    assert _balances(db) == before
    assert run.case().status == "en_revision"
    assert [t.element_id for t in engine.show(run.view.id).instance.open_tasks] == ["Activity_revisar"]


@pytest.mark.parametrize("field,value", [("codigo_destino", "12ab"), ("nombre_destino", "D"), ("monto", "600000"),
                                         ("monto", "-5.00"), ("motivo", "regalo")])
def test_bad_form_data_is_refused_field_by_field(engine: Engine, db: Database, field: str, value: str) -> None:
    with pytest.raises(InvalidData) as refused:
        open_case(engine, db, "traslados_saldos", {**TRANSFER, field: value})
    assert field in [e.field for e in refused.value.errors]


def test_a_missing_field_is_named(engine: Engine, db: Database) -> None:
    data = {k: v for k, v in TRANSFER.items() if k != "codigo_destino"}
    with pytest.raises(InvalidData) as refused:
        open_case(engine, db, "traslados_saldos", data)
    assert "codigo_destino" in [e.field for e in refused.value.errors]
