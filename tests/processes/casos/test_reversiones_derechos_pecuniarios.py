"""Reversiones de derechos pecuniarios end to end: a fee in force is reversed with a counter-entry; tuition, an
unknown charge or one already reversed are refused with the reason, and nothing is written."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select

from engine.db import Database
from engine.errors import InvalidData
from engine.runtime import Engine
from handlers.ledger.models import Account, Charge
from tests.processes.casos.driver import CaseRun, open_case, statement_of

SANTIAGO = {"codigo_estudiante": "20264002", "documento": "1093000002", "nombre_estudiante": "Santiago Pérez Lozano",
            "programa": "Comunicación Social"}
REQUEST = {"cargo": "Derecho de grado", "motivo": "servicio_no_prestado"}


def _open(engine: Engine, db: Database, **extra: Any) -> CaseRun:
    return open_case(engine, db, "reversiones_derechos_pecuniarios", {**REQUEST, **extra}, **SANTIAGO)


def test_a_fee_in_force_is_reversed_and_the_requester_told(engine: Engine, db: Database) -> None:
    run = _open(engine, db)
    assert run.case().unit == "cartera"
    before = statement_of(db, "20264002")
    fee = next(e for e in before.entries if e.description == "Derecho pecuniario: Derecho de grado")

    run.resolve()

    assert run.view.status == "completed"
    after = statement_of(db, "20264002")
    new = after.entries[len(before.entries):]
    assert [(e.kind, e.amount, e.reverses_entry_id) for e in new] == [
        ("counter_entry", Decimal("-380000.00"), fee.entry_id)]
    assert after.balance == before.balance - Decimal("380000.00")
    case = run.case()
    assert case.status == "resuelto" and "«Derecho de grado» por $ 380.000,00" in (case.outcome or "")


def test_a_paid_fee_named_by_its_number_is_reversed_and_what_was_paid_stays(engine: Engine, db: Database) -> None:
    before = statement_of(db, "20264002")
    with db.read() as session:
        charge_id = session.scalars(select(Charge.id).join(Account, Account.id == Charge.account_id).where(
            Account.code == "20264002", Charge.description == "Certificado de notas")).one()
    run = _open(engine, db, cargo=f"#{charge_id}", motivo="cobro_errado")
    run.resolve()
    after = statement_of(db, "20264002")
    assert [e.amount for e in after.entries[len(before.entries):]] == [Decimal("-18000.00")]
    assert [e for e in after.entries if e.kind == "credit" and e.amount == Decimal("-18000.00")]
    assert run.case().status == "resuelto"


@pytest.mark.parametrize("cargo,reason", [
    ("Matrícula 2026A", "Reversiones de matrícula"),
    ("Carné estudiantil", "ya fue reversado"),
    ("Derecho de piscina", "No encontramos el cargo"),
])
def test_a_charge_that_is_not_a_fee_in_force_is_refused_and_nothing_written(engine: Engine, db: Database,
                                                                            cargo: str, reason: str) -> None:
    run = _open(engine, db, cargo=cargo)
    before = statement_of(db, "20264002").entries
    run.resolve()
    assert statement_of(db, "20264002").entries == before
    case = run.case()
    assert case.status == "rechazado" and reason in (case.outcome or "")


def test_the_unit_rejects_and_nothing_changes(engine: Engine, db: Database) -> None:
    run = _open(engine, db)
    before = statement_of(db, "20264002").entries
    run.reject("El derecho de grado corresponde a su ceremonia del 12/06/2026, que sigue programada.")
    assert statement_of(db, "20264002").entries == before
    assert run.case().status == "rechazado"


@pytest.mark.parametrize("field,value", [("cargo", ""), ("cargo", "   "), ("motivo", "no_me_gusta")])
def test_bad_form_data_is_refused_field_by_field(engine: Engine, db: Database, field: str, value: object) -> None:
    with pytest.raises(InvalidData) as refused:
        _open(engine, db, **{field: value})
    assert field in [e.field for e in refused.value.errors]
