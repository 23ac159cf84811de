"""Giros adicionales de Icetex end to end: a student with an Icetex loan and pending tuition gets the certificate
of that balance; without an Icetex loan or without pending tuition the case is refused and nothing issued."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

from engine.db import Database
from engine.errors import InvalidData
from engine.runtime import Engine
from handlers.casos.icetex import current_period
from handlers.ledger.models import Document
from handlers.ledger.values import bogota_date
from tests.processes.casos.driver import CaseRun, open_case

MARIANA = {"codigo_estudiante": "20265003", "documento": "1093456703", "nombre_estudiante": "Mariana Quintero Gil",
           "programa": "Psicología"}
SEBASTIAN = {"codigo_estudiante": "20265004", "documento": "1093456704", "nombre_estudiante": "Sebastián Ortiz Lara",
             "programa": "Contaduría Pública"}
VALENTINA = {"codigo_estudiante": "20265001", "documento": "1093456701", "nombre_estudiante": "Valentina Ríos Mejía",
             "programa": "Ingeniería Industrial"}


def _open(engine: Engine, db: Database, student: dict[str, str], **extra: str) -> CaseRun:
    fields = {"periodo": "2099-1", "valor_solicitado": "2500000.00", "motivo": "giro_insuficiente", **extra}
    return open_case(engine, db, "giros_icetex", fields, **student)


def _certificates(db: Database) -> list[tuple[str, Decimal | None, str]]:
    with db.read() as session:
        return [(d.number, d.amount, d.body) for d in session.scalars(
            select(Document).where(Document.kind == "certificado_icetex").order_by(Document.id))]


def test_a_student_with_icetex_and_pending_tuition_gets_the_certificate(engine: Engine, db: Database) -> None:
    run = _open(engine, db, MARIANA)
    assert run.case().unit == "credito"
    run.resolve()
    assert run.view.status == "completed"
    [(number, value, body)] = _certificates(db)
    assert number.startswith("CI-") and value == Decimal("2500000.00")
    for text in ("Mariana Quintero Gil", "CR-5004", "saldo pendiente de matrícula de $ 2.500.000,00",
                 "Periodo del giro adicional: 2099-1", "El giro de Icetex no cubrió la matrícula"):
        assert text in body
    case = run.case()
    assert case.status == "resuelto" and number in (case.outcome or "") and "$ 2.500.000,00" in (case.outcome or "")
    assert [k for k, _r, _s in run.emails()] == ["case_created", "case_closed"]


@pytest.mark.parametrize("student,words", [(SEBASTIAN, "no tiene saldo pendiente"),
                                           (VALENTINA, "No encontramos un crédito de Icetex")])
def test_without_icetex_loan_or_pending_tuition_the_case_is_refused(engine: Engine, db: Database,
                                                                    student: dict[str, str], words: str) -> None:
    run = _open(engine, db, student)
    run.resolve()
    case = run.case()
    assert case.status == "rechazado" and words in (case.outcome or "")
    assert _certificates(db) == []


def test_the_unit_rejecting_issues_nothing(engine: Engine, db: Database) -> None:
    run = _open(engine, db, MARIANA)
    run.reject("Icetex no abrió convocatoria de giros adicionales para ese periodo.")
    assert run.case().status == "rechazado" and _certificates(db) == []


def test_a_period_already_over_is_refused_on_that_field_with_nothing_issued(engine: Engine, db: Database) -> None:
    run = _open(engine, db, MARIANA, periodo="2020-1")
    assert current_period(bogota_date(run.case().opened_at)) > "2020-1"
    with pytest.raises(InvalidData) as refused:
        run.resolve()
    assert [e.field for e in refused.value.errors] == ["periodo"]
    assert _certificates(db) == [] and run.case().status == "en_revision"


@pytest.mark.parametrize("field,value", [("periodo", "2026-3"), ("valor_solicitado", "-1.00"),
                                         ("motivo", "viaje")])
def test_bad_form_data_is_refused_field_by_field(engine: Engine, db: Database, field: str, value: str) -> None:
    with pytest.raises(InvalidData) as refused:
        _open(engine, db, MARIANA, **{field: value})
    assert field in [e.field for e in refused.value.errors]
