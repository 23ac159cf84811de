"""Activación de matrícula financiera end to end: a covered tuition is activated with a certificate; one with a
pending balance is not, and the requester learns how much is pending and when it falls due."""

from __future__ import annotations

from datetime import timedelta

import pytest

from engine.db import Database
from engine.errors import InvalidData
from engine.runtime import Engine
from handlers.casos.activation import activate_tuition
from handlers.errors import HandlerInputError
from handlers.ledger.statement_render import format_date
from tests.processes.casos.consultas_students import StepCtx, documents, engine_with, ledger_counts, student, today
from tests.processes.casos.driver import CaseRun, open_case

PID = "activacion_matricula"


@pytest.fixture
def engine(db: Database, demo: dict[str, object]) -> Engine:
    return engine_with(db, PID)


def _open(engine: Engine, db: Database, code: str, **extra: object) -> CaseRun:
    return open_case(engine, db, PID, {"situacion": "pague_no_activa", **extra}, **student(code))


@pytest.mark.parametrize("code,paid,scholarships", [("20266001", "3.800.000,00", "0,00"),
                                                    ("20266003", "2.500.000,00", "2.500.000,00")])
def test_a_covered_tuition_is_activated_with_a_certificate(engine: Engine, db: Database, code: str, paid: str,
                                                           scholarships: str) -> None:
    run = _open(engine, db, code)
    assert run.case().unit == "cartera" and run.case().status == "en_revision"
    entries_before = ledger_counts(db)[0]

    run.resolve()

    assert run.view.status == "completed"
    [certificate] = documents(db, "constancia_activacion")
    assert certificate.number == "CAM-1001" and certificate.issued_on == today()
    assert "ACTIVA" in certificate.body and code in certificate.body and run.number in certificate.body
    text = " ".join(certificate.body.split())
    assert f"Pagos aplicados: $ {paid}" in text and f"Becas y descuentos: $ {scholarships}" in text
    assert ledger_counts(db)[0] == entries_before  # a certificate, no money moved
    case = run.case()
    assert case.status == "resuelto" and "CAM-1001" in (case.outcome or "")
    assert [k for k, _r, _s in run.emails()] == ["case_created", "case_closed"]


def test_a_pending_tuition_is_not_activated_and_the_pending_amount_and_due_date_are_told(engine: Engine,
                                                                                        db: Database) -> None:
    run = _open(engine, db, "20266002")
    before = ledger_counts(db)
    run.resolve()
    assert ledger_counts(db) == before
    case = run.case()
    due = format_date(today() + timedelta(days=20))
    assert case.status == "rechazado"
    assert "$ 1.500.000,00" in (case.outcome or "") and f"vencimiento el {due}" in (case.outcome or "")


def test_no_tuition_charged_is_told_as_such(engine: Engine, db: Database) -> None:
    run = _open(engine, db, "20266005")
    run.resolve()
    assert run.case().status == "rechazado" and "no tiene matrícula financiera" in (run.case().outcome or "")
    assert documents(db, "constancia_activacion") == []


def test_the_unit_rejects_and_nothing_is_written(engine: Engine, db: Database) -> None:
    run = _open(engine, db, "20266001")
    before = ledger_counts(db)
    run.reject("El soporte adjunto no corresponde al periodo.")
    assert ledger_counts(db) == before
    assert run.case().status == "rechazado" and "soporte" in (run.case().outcome or "")


def test_the_activation_handler_refuses_a_pending_tuition_on_the_field(engine: Engine, db: Database) -> None:
    """The gateway already routes a pending tuition away; the handler still refuses to certify it."""
    with db.write() as session, pytest.raises(HandlerInputError) as refused:
        activate_tuition(StepCtx(session), "20266002")
    assert refused.value.field == "codigo_estudiante" and "1.500.000,00" in refused.value.message
    assert documents(db, "constancia_activacion") == []


@pytest.mark.parametrize("field,value", [("situacion", "otra_cosa"), ("documento", "1"), ("acepta_datos", False)])
def test_bad_form_data_is_refused_field_by_field(engine: Engine, db: Database, field: str, value: object) -> None:
    with pytest.raises(InvalidData) as refused:
        _open(engine, db, "20266001", **{field: value})
    assert field in [e.field for e in refused.value.errors]

