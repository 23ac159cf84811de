"""Cargos por valores cobrados end to end: a charge posted twice gets the repeated one reversed; any other charge
is explained from the ledger (amount, dates, what was paid) and the case closes without touching it."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from engine.db import Database
from engine.errors import InvalidData
from engine.runtime import Engine
from tests.processes.casos.driver import CaseRun, open_case, statement_of

DANIELA = {"codigo_estudiante": "20264005", "documento": "1093000005", "nombre_estudiante": "Daniela Castro Rincón",
           "programa": "Diseño Gráfico"}
REQUEST = {"cargo_cuestionado": "Derecho de examen supletorio", "valor_correcto": "95000.00",
           "explicacion": "Solo presenté un examen supletorio y me lo cobraron dos veces."}


def _open(engine: Engine, db: Database, **extra: Any) -> CaseRun:
    return open_case(engine, db, "cargos_valores_cobrados", {**REQUEST, **extra}, **DANIELA)


def test_a_duplicated_charge_is_reversed_once_and_the_first_stands(engine: Engine, db: Database) -> None:
    run = _open(engine, db)
    assert run.case().unit == "cartera"
    before = statement_of(db, "20264005")
    exams = [e for e in before.entries if e.description == "Derecho pecuniario: Derecho de examen supletorio"]
    assert len(exams) == 2

    run.resolve()

    assert run.view.status == "completed"
    after = statement_of(db, "20264005")
    new = after.entries[len(before.entries):]
    assert [(e.kind, e.amount, e.reverses_entry_id) for e in new] == [
        ("counter_entry", Decimal("-95000.00"), exams[1].entry_id)]
    assert after.balance == Decimal("95000.00")
    case = run.case()
    assert case.status == "resuelto" and "dos veces" in (case.outcome or "")

    again = _open(engine, db)
    again.resolve()
    assert statement_of(db, "20264005").entries == after.entries
    assert again.case().status == "cerrado" and "No está cobrado dos veces" in (again.case().outcome or "")


def test_a_charge_that_stands_is_explained_from_the_ledger(engine: Engine, db: Database) -> None:
    run = _open(engine, db, cargo_cuestionado="certificado de notas", valor_correcto="0.00")
    before = statement_of(db, "20264005").entries
    run.resolve({"mensaje": "El certificado se expidió el 05/02/2026."})
    assert statement_of(db, "20264005").entries == before
    case = run.case()
    outcome = case.outcome or ""
    assert case.status == "cerrado"
    for part in ("«Certificado de notas»", "$ 18.000,00", "02/02/2026", "28/02/2026", "pagado: $ 18.000,00",
                 "pendiente: $ 0,00", "$ 0,00", "El certificado se expidió el 05/02/2026."):
        assert part in outcome


def test_an_unknown_charge_is_answered_with_the_charges_in_force(engine: Engine, db: Database) -> None:
    run = _open(engine, db, cargo_cuestionado="Parqueadero")
    run.resolve()
    outcome = run.case().outcome or ""
    assert run.case().status == "cerrado"
    assert "No encontramos el cargo «Parqueadero»" in outcome and "«Derecho de examen supletorio»" in outcome


def test_the_unit_rejects_and_nothing_changes(engine: Engine, db: Database) -> None:
    run = _open(engine, db)
    before = statement_of(db, "20264005").entries
    run.reject("Presentó dos exámenes supletorios (Cálculo y Física); ambos cobros corresponden.")
    assert statement_of(db, "20264005").entries == before
    assert run.case().status == "rechazado"


@pytest.mark.parametrize("field,value", [("cargo_cuestionado", ""), ("valor_correcto", "95.000"),
                                         ("explicacion", "corta")])
def test_bad_form_data_is_refused_field_by_field(engine: Engine, db: Database, field: str, value: object) -> None:
    with pytest.raises(InvalidData) as refused:
        _open(engine, db, **{field: value})
    assert field in [e.field for e in refused.value.errors]
