"""Transferencias empresariales vía ACH end to end: a company with a valid NIT gets an instruction document with
the university's ACH account and the reference to write; a NIT whose check digit is wrong is refused with the
right digit named; nothing is issued when the unit rejects."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select

from engine.db import Database
from engine.errors import InvalidData
from engine.runtime import Engine
from handlers.casos.ach_transfers import ACH_ACCOUNT_NUMBER, ACH_BANK, UNIVERSITY_NIT
from handlers.ledger.models import Document
from tests.processes.casos.driver import CaseRun, open_case

ACH = {"empresa": "Acme Ingeniería S.A.S.", "nit": "900.123.456-8", "valor_estimado": "3000000.00",
       "concepto": "Matrícula 2026A"}


def _open(engine: Engine, db: Database, **extra: str) -> CaseRun:
    return open_case(engine, db, "transferencias_ach", {**ACH, **extra})


def _documents(db: Database) -> list[tuple[str, int | None, Decimal | None, str]]:
    with db.read() as session:
        return [(d.number, d.account_id, d.amount, d.body) for d in session.scalars(
            select(Document).where(Document.kind == "instruccion_ach").order_by(Document.id))]


def test_a_valid_nit_gets_the_ach_instruction(engine: Engine, db: Database) -> None:
    run = _open(engine, db)
    assert run.case().status == "en_revision"
    run.resolve()

    assert run.view.status == "completed"
    [(number, account_id, value, body)] = _documents(db)
    assert number.startswith("ACH-") and account_id is not None and value == Decimal("3000000.00")
    reference = f"20262001-{run.number}"
    for text in (ACH_BANK, ACH_ACCOUNT_NUMBER, UNIVERSITY_NIT, reference, "Acme Ingeniería S.A.S. (NIT 900123456-8)",
                 "$ 3.000.000,00", "Matrícula 2026A", "Camila Torres Ruiz (20262001)"):
        assert text in body
    case = run.case()
    assert case.status == "resuelto"
    for text in (number, ACH_ACCOUNT_NUMBER, UNIVERSITY_NIT, reference, "$ 3.000.000,00"):
        assert text in (case.outcome or "")
    assert [k for k, _r, _s in run.emails()] == ["case_created", "case_closed"]


def test_a_wrong_check_digit_is_refused_naming_the_right_one(engine: Engine, db: Database) -> None:
    run = _open(engine, db, nit="900123456-7")
    run.resolve()
    case = run.case()
    assert case.status == "rechazado"
    assert "dígito de verificación" in (case.outcome or "") and "debe ser 8" in (case.outcome or "")
    assert _documents(db) == []


def test_the_unit_rejects_and_nothing_is_issued(engine: Engine, db: Database) -> None:
    run = _open(engine, db)
    run.reject("Adjunte la carta de patrocinio de la empresa.")
    assert run.case().status == "rechazado" and "carta de patrocinio" in (run.case().outcome or "")
    assert _documents(db) == []


def test_the_nit_is_checked_again_when_issued(engine: Engine, db: Database) -> None:
    run = _open(engine, db, nit="900123456-1")
    handlers: dict[str, Any] = engine.script_engine.handlers
    handlers["ach_request_is_valid"] = lambda ctx, *args: True
    with pytest.raises(InvalidData) as refused:
        run.resolve()
    assert [e.field for e in refused.value.errors] == ["nit"]
    assert _documents(db) == []
    assert run.case().status == "en_revision"


@pytest.mark.parametrize("field,value", [("empresa", "A"), ("nit", "900123456"), ("nit", "9001234568"),
                                         ("nit", "NIT900123456-8"), ("valor_estimado", "3.000.000"),
                                         ("concepto", "")])
def test_bad_form_data_is_refused_field_by_field(engine: Engine, db: Database, field: str, value: str) -> None:
    with pytest.raises(InvalidData) as refused:
        _open(engine, db, **{field: value})
    assert field in [e.field for e in refused.value.errors]
