"""Devolución de saldos end to end: refunds within the credit balance are posted, above it refused; the
information loop, rejection, SLA escalation and the requester's notices."""

from __future__ import annotations

from decimal import Decimal

import pytest

from engine.db import Database
from engine.errors import InvalidData
from engine.runtime import Engine
from tests.processes.casos.driver import CaseRun, open_case, statement_of

REFUND = {"monto": "400000.00", "motivo": "beca_posterior", "banco": "Bancolombia", "tipo_cuenta": "ahorros",
          "numero_cuenta": "12345678901", "titular": "Camila Torres Ruiz", "documento_titular": "1090123456"}


def _open(engine: Engine, db: Database, **extra: str) -> CaseRun:
    return open_case(engine, db, "devolucion_saldos", {**REFUND, **extra})


def test_a_refund_within_the_credit_balance_is_posted_and_the_requester_told(engine: Engine, db: Database) -> None:
    run = _open(engine, db)
    assert run.number.startswith("SF-2026-")
    assert run.case().status == "en_revision" and run.case().unit == "tesoreria"
    assert [t.element_id for t in run.view.open_tasks] == ["Activity_revisar"]
    before = statement_of(db, "20262001").credit_balance
    assert before == Decimal("1000000.00")

    run.resolve()

    assert run.view.status == "completed"
    after = statement_of(db, "20262001")
    assert after.credit_balance == Decimal("600000.00")
    refund = [e for e in after.entries if e.kind == "refund"]
    assert len(refund) == 1 and refund[0].amount == Decimal("400000.00") and refund[0].reference == run.number
    case = run.case()
    assert case.status == "resuelto" and case.closed_at is not None and "$ 400.000,00" in (case.outcome or "")
    kinds = [k for k, _r, _s in run.emails()]
    assert kinds == ["case_created", "case_closed"]
    assert {r for _k, r, _s in run.emails()} == {"camila.torres@correo.com"}


def test_a_refund_above_the_credit_balance_is_refused_and_nothing_posted(engine: Engine, db: Database) -> None:
    run = _open(engine, db, monto="1000000.01")
    run.resolve()
    assert run.view.status == "completed"
    assert statement_of(db, "20262001").credit_balance == Decimal("1000000.00")
    case = run.case()
    assert case.status == "rechazado" and "$ 1.000.000,00" in (case.outcome or "")


def test_the_unit_asks_for_information_and_the_answer_brings_the_case_back(engine: Engine, db: Database) -> None:
    run = _open(engine, db)
    run.ask("Adjunte la certificación bancaria de la cuenta.")
    assert run.case().status == "requiere_informacion"
    task = run.open_task("Activity_responder")
    assert task.role == "solicitante" and task.assignee == "estudiante.camila"
    run.answer("Adjunto la certificación.")
    assert run.case().status == "en_revision"
    run.resolve()
    assert run.case().status == "resuelto"
    assert [k for k, _s in run.events()] == ["opened", "status", "info_requested", "info_answered", "closed"]
    assert [k for k, _r, _s in run.emails()] == ["case_created", "info_requested", "case_closed"]


def test_asking_without_a_question_is_refused_on_that_field_and_changes_nothing(engine: Engine,
                                                                                 db: Database) -> None:
    run = _open(engine, db)
    with pytest.raises(InvalidData) as refused:
        run.work("Activity_revisar", {"decision": "pedir_informacion"})
    assert [e.field for e in refused.value.errors] == ["pregunta"]
    assert run.case().status == "en_revision"
    assert [t.element_id for t in engine.show(run.view.id).instance.open_tasks] == ["Activity_revisar"]


def test_an_unknown_student_goes_back_to_the_requester_until_corrected(engine: Engine, db: Database) -> None:
    run = _open(engine, db, codigo_estudiante="99999999")
    assert run.case().status == "requiere_informacion"
    assert "99999999" in engine.show(run.view.id).data["pregunta"]
    run.answer("Corrijo mi código.", codigo_estudiante="20262001")
    assert [t.element_id for t in run.view.open_tasks] == ["Activity_revisar"]
    assert run.case().status == "en_revision"


def test_rejection_tells_the_requester_why(engine: Engine, db: Database) -> None:
    run = _open(engine, db)
    run.reject("La cuenta bancaria no está a nombre del estudiante ni de su acudiente.")
    case = run.case()
    assert case.status == "rechazado" and case.outcome and "cuenta bancaria" in case.outcome
    assert statement_of(db, "20262001").credit_balance == Decimal("1000000.00")


@pytest.mark.parametrize("field,value", [("monto", "-5.00"), ("numero_cuenta", "12ab"), ("acepta_datos", False),
                                         ("correo", "no-es-correo"), ("tipo_cuenta", "cdt")])
def test_bad_form_data_is_refused_field_by_field(engine: Engine, db: Database, field: str, value: object) -> None:
    with pytest.raises(InvalidData) as refused:
        open_case(engine, db, "devolucion_saldos", {**REFUND, field: value})
    assert field in [e.field for e in refused.value.errors]
