"""Aplicación de beneficios end to end: the benefit becomes a scholarship credit on this term's tuition, once,
and never above what is left of the charge."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from engine.db import Database
from engine.errors import InvalidData
from engine.runtime import Engine
from tests.processes.casos.driver import CaseRun, open_case, statement_of

MARIANA = {"codigo_estudiante": "20264003", "documento": "1093000003", "nombre_estudiante": "Mariana Gil Ospina",
           "programa": "Ingeniería de Sistemas"}
ANDRES = {"codigo_estudiante": "20264004", "documento": "1093000004", "nombre_estudiante": "Andrés Cárdenas Vélez",
          "programa": "Administración de Empresas"}
REQUEST = {"beneficio": "beca_excelencia", "modalidad": "porcentaje", "porcentaje": 20, "soporte": "adjunto-17"}


def _open(engine: Engine, db: Database, student: dict[str, str] = MARIANA, **extra: Any) -> CaseRun:
    data = {k: v for k, v in {**REQUEST, **extra}.items() if v is not None}  # None: the field left out
    return open_case(engine, db, "aplicacion_beneficios", data, **student)


def test_a_percentage_benefit_is_credited_to_the_tuition(engine: Engine, db: Database) -> None:
    run = _open(engine, db)
    before = statement_of(db, "20264003")
    assert before.balance == Decimal("2400000.00")

    run.resolve()

    assert run.view.status == "completed"
    after = statement_of(db, "20264003")
    new = after.entries[len(before.entries):]
    assert [(e.kind, e.amount, e.description) for e in new] == [
        ("scholarship", Decimal("-960000.00"), "Beca: Beca excelencia 20%")]
    assert after.balance == Decimal("1440000.00")
    case = run.case()
    assert case.status == "resuelto"
    assert "«Beca excelencia 20%» por $ 960.000,00" in (case.outcome or "")
    assert "saldo por pagar es de $ 1.440.000,00" in (case.outcome or "")


def test_a_value_benefit_larger_than_what_is_owed_leaves_a_credit_balance(engine: Engine, db: Database) -> None:
    run = _open(engine, db, beneficio="descuento_egresado", modalidad="valor", valor="3000000.00", porcentaje=None)
    run.resolve()
    after = statement_of(db, "20264003")
    assert after.credit_balance == Decimal("600000.00")
    assert "saldo a favor de $ 600.000,00" in (run.case().outcome or "")


@pytest.mark.parametrize("student,extra,reason", [
    (ANDRES, {}, "ya está aplicado"),
    (ANDRES, {"beneficio": "convenio_empresa", "modalidad": "valor", "valor": "3520000.01", "porcentaje": None},
     "supera lo que queda"),
    (MARIANA, {"modalidad": "valor", "valor": "4800000.01", "porcentaje": None}, "supera lo que queda"),
])
def test_a_benefit_already_applied_or_too_large_is_refused_and_nothing_written(
        engine: Engine, db: Database, student: dict[str, str], extra: dict[str, Any], reason: str) -> None:
    run = _open(engine, db, student, **extra)
    code = student["codigo_estudiante"]
    before = statement_of(db, code).entries
    run.resolve()
    assert statement_of(db, code).entries == before
    case = run.case()
    assert case.status == "rechazado" and reason in (case.outcome or "")


def test_the_unit_rejects_and_nothing_changes(engine: Engine, db: Database) -> None:
    run = _open(engine, db)
    before = statement_of(db, "20264003").entries
    run.reject("El soporte no corresponde a la resolución de becas del periodo 2026A.")
    assert statement_of(db, "20264003").entries == before
    assert run.case().status == "rechazado"


def test_a_zero_value_is_refused_by_the_handler_and_nothing_is_written(engine: Engine, db: Database) -> None:
    run = _open(engine, db, modalidad="valor", valor="0.00", porcentaje=None)
    before = statement_of(db, "20264003").entries
    with pytest.raises(InvalidData) as refused:
        run.resolve()
    assert [e.field for e in refused.value.errors] == ["valor"]
    assert statement_of(db, "20264003").entries == before
    assert run.case().status == "en_revision"


@pytest.mark.parametrize("field,extra", [
    ("beneficio", {"beneficio": "beca_total"}),
    ("modalidad", {"modalidad": "especie"}),
    ("porcentaje", {"porcentaje": 101}),
    ("porcentaje", {"porcentaje": None}),
    ("valor", {"modalidad": "valor", "valor": "1,5", "porcentaje": None}),
    ("valor", {"modalidad": "valor", "porcentaje": None}),
    ("soporte", {"soporte": None}),
])
def test_bad_form_data_is_refused_field_by_field(engine: Engine, db: Database, field: str,
                                                 extra: dict[str, Any]) -> None:
    data = {k: v for k, v in {**REQUEST, **extra}.items() if v is not None}
    with pytest.raises(InvalidData) as refused:
        open_case(engine, db, "aplicacion_beneficios", data, **MARIANA)
    assert field in [e.field for e in refused.value.errors]
