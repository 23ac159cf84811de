"""Reversiones de matrícula end to end: Cartera resolves the case, the case's message starts PRO-MAA-16, TIC,
billing and accounting work it there, and PRO-MAA-16's answer closes the case (resuelto with what was done,
or rechazado with PRO-MAA-16's reason). PRO-MAA-16 is still started by hand as before."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

from engine.db import Database
from engine.errors import Conflict, Forbidden, InvalidData
from engine.messages import Message, MessageSubscription
from engine.runtime import Engine
from engine.views import InstanceView
from handlers.ledger.invoices import find_invoice, invoice_status
from handlers.ledger.kinds import InvoiceEventKind
from handlers.ledger.payments import active_credit_entries, get_payment
from tests.conftest import PROCESSES, make_engine
from tests.engine import pro_maa_16_driver as pro
from tests.processes.casos.driver import CaseRun, open_case, statement_of

VALENTINA = {"codigo_estudiante": "20267001", "documento": "1093456701", "nombre_estudiante": "Valentina Ospina Mejía",
             "programa": "Derecho"}
ANDRES = {"codigo_estudiante": "20267002", "documento": "1093456702", "nombre_estudiante": "Andrés Felipe Rueda Gil",
          "programa": "Medicina"}
REVERSAL = {"numero_pago": "PG-7001", "motivo": "correccion_estimacion",
            "justificacion": "Cambio de tarifa por traslado de plan académico aprobado por la facultad."}


@pytest.fixture
def engine(db: Database, demo: dict[str, object]) -> Engine:
    """Only the models this story runs: the case type and both pools of PRO-MAA-16."""
    eng = make_engine(db)
    eng.deploy([PROCESSES / "casos" / "reversiones_matricula", PROCESSES / "pro_maa_16",
                PROCESSES / "pro_maa_16_facturacion"], "disenador.eva")
    return eng


def _open(engine: Engine, db: Database, student: dict[str, str] | None = None, **extra: str) -> CaseRun:
    return open_case(engine, db, "reversiones_matricula", {**REVERSAL, **extra}, **(student or VALENTINA))


def _requests(db: Database, case_instance: int) -> list[Message]:
    with db.read() as session:
        found = list(session.scalars(select(Message).where(Message.name == "reversa_matricula_solicitada",
                                                           Message.source_instance_id == case_instance)))
        for message in found:
            session.expunge(message)
        return found


def _pro_maa_16_of(db: Database, run: CaseRun) -> InstanceView:
    """The PRO-MAA-16 instance the case's message started (the worker delivers it first)."""
    pro.run_worker(db)
    [request] = _requests(db, run.view.id)
    assert request.status.value == "delivered" and request.correlation_key == run.number
    assert request.payload == {"payment": "PG-7001", "adjustment": "reversa", "reason": "correccion_estimacion",
                               "justification": REVERSAL["justificacion"], "caso": run.number}
    assert request.target_instance_id is not None
    return pro.make_engine(db).show(request.target_instance_id).instance


def _refresh(run: CaseRun) -> CaseRun:
    run.view = run.engine.show(run.view.id).instance
    return run


def test_a_resolved_case_runs_pro_maa_16_by_message_and_closes_with_the_reversal(engine: Engine,
                                                                                  db: Database) -> None:
    run = _open(engine, db)
    assert run.case().status == "en_revision" and run.case().unit == "cartera"
    assert statement_of(db, "20267001").balance == Decimal("0.00")

    run.resolve()
    assert run.view.status == "waiting"  # at "PRO-MAA-16 responde", keyed by its case number
    tic = _pro_maa_16_of(db, run)
    assert tic.process_id == "pro_maa_16" and tic.initiator == "sistema"
    data = pro.make_engine(db).show(tic.id).data
    assert (data["payment"], data["adjustment"], data["caso"], data["origen"]) == ("PG-7001", "reversa",
                                                                                  run.number, "cartera")
    assert [t.element_id for t in tic.open_tasks] == ["Activity_revisar_solicitud"]  # Cartera is authorized

    worked = pro.run_to_end(db, tic)  # TIC reviews, billing annuls the invoice, TIC releases the payment
    assert worked == ["Activity_revisar_solicitud", "Activity_anular_factura", "Activity_liberar_pago_ajuste"]
    tic_detail = pro.make_engine(db).show(tic.id)
    assert tic_detail.instance.status == "completed"
    ran = [e.element_id for e in tic_detail.history if e.kind == "task_run"]
    assert ran[0] == "Event_solicitud_caso" and "Event_solicitud" not in ran
    assert ran[-2:] == ["Event_responder_caso_ajuste", "Event_ajuste_registrado"]

    _refresh(run)
    assert run.view.status == "completed"
    case = run.case()
    assert case.status == "resuelto"
    assert "PRO-MAA-16" in (case.outcome or "") and "PG-7001" in (case.outcome or "")
    assert "$ 5.200.000,00" in (case.outcome or "")  # the payment, as the statement now shows it
    # The ledger: the abono is countered, the receipt annulled, the invoice annulled and replaced.
    statement = statement_of(db, "20267001")
    assert statement.balance == Decimal("5200000.00")  # the tuition is owed again
    counters = [e for e in statement.entries if e.kind == "counter_entry"]
    assert len(counters) == 1 and counters[0].amount == Decimal("5200000.00")
    with db.read() as session:
        assert active_credit_entries(session, get_payment(session, "PG-7001")) == []
        old = find_invoice(session, "FE-7001")
        assert old is not None and invoice_status(session, old) is InvoiceEventKind.ANNULLED
        assert session.scalars(select(MessageSubscription)).all() == []
    assert [k for k, _r, _s in run.emails()] == ["case_created", "case_closed"]


def test_an_invoice_already_used_ends_pro_maa_16_and_closes_the_case_rejected(engine: Engine, db: Database) -> None:
    run = _open(engine, db, ANDRES, numero_pago="PG-7002")
    run.resolve()
    pro.run_worker(db)
    [request] = _requests(db, run.view.id)
    assert request.target_instance_id is not None
    tic = pro.make_engine(db).show(request.target_instance_id).instance
    assert pro.run_to_end(db, tic) == ["Activity_revisar_solicitud"]
    ran = [e.element_id for e in pro.make_engine(db).show(tic.id).history if e.kind == "task_run"]
    assert ran[-2:] == ["Event_responder_caso_factura_utilizada", "Event_factura_utilizada"]

    _refresh(run)
    case = run.case()
    assert run.view.status == "completed" and case.status == "rechazado"
    assert "PG-7002" in (case.outcome or "") and "ya fue utilizada" in (case.outcome or "")
    statement = statement_of(db, "20267002")
    assert statement.balance == Decimal("0.00") and not [e for e in statement.entries if e.kind == "counter_entry"]


def test_tic_rejecting_closes_the_case_rejected_with_its_observations(engine: Engine, db: Database) -> None:
    run = _open(engine, db)
    run.resolve()
    tic = _pro_maa_16_of(db, run)
    pro.run_to_end(db, tic, {"Activity_revisar_solicitud": ("tic.ana", {
        "decision": "rechazar", "observaciones": "Falta el acta del comité de la facultad."})})
    _refresh(run)
    case = run.case()
    assert case.status == "rechazado" and "Falta el acta del comité" in (case.outcome or "")
    assert statement_of(db, "20267001").balance == Decimal("0.00")


def test_the_unit_rejecting_sends_nothing_to_pro_maa_16(engine: Engine, db: Database) -> None:
    run = _open(engine, db)
    run.reject("El pago corresponde a derechos de grado, no a matrícula.")
    assert run.view.status == "completed" and run.case().status == "rechazado"
    assert _requests(db, run.view.id) == []
    assert statement_of(db, "20267001").balance == Decimal("0.00")


def test_a_payment_already_reversed_is_not_sent_again(engine: Engine, db: Database) -> None:
    first = _open(engine, db)
    first.resolve()
    pro.run_to_end(db, _pro_maa_16_of(db, first))
    assert _refresh(first).case().status == "resuelto"
    before = statement_of(db, "20267001")

    second = _open(engine, db)
    second.resolve()  # the ledger gateway: no abono of PG-7001 stands on the tuition any more
    assert second.view.status == "completed"
    case = second.case()
    assert case.status == "rechazado" and "no tiene abonos vigentes" in (case.outcome or "")
    assert _requests(db, second.view.id) == []
    assert statement_of(db, "20267001").entries == before.entries


@pytest.mark.parametrize(("field", "value"), [
    ("numero_pago", "7001"), ("numero_pago", "PG-"), ("motivo", "cambio_de_opinion"), ("justificacion", "corta"),
    ("justificacion", "x" * 2001)])
def test_bad_form_data_is_refused_field_by_field(engine: Engine, db: Database, field: str, value: str) -> None:
    with pytest.raises(InvalidData) as refused:
        open_case(engine, db, "reversiones_matricula", {**REVERSAL, field: value}, **VALENTINA)
    assert [e.field for e in refused.value.errors] == [field]


@pytest.mark.parametrize(("student", "payment"), [(VALENTINA, "PG-7002"), (VALENTINA, "PG-9999999")])
def test_a_payment_of_another_account_or_unknown_is_refused_on_its_field(engine: Engine, db: Database,
                                                                        student: dict[str, str],
                                                                        payment: str) -> None:
    run = _open(engine, db, student, numero_pago=payment)
    with pytest.raises(InvalidData) as refused:
        run.resolve()
    assert [e.field for e in refused.value.errors] == ["numero_pago"]
    assert run.case().status == "en_revision"  # the step rolled back whole
    assert [t.element_id for t in engine.show(run.view.id).instance.open_tasks] == ["Activity_revisar"]
    assert _requests(db, run.view.id) == []


def test_pro_maa_16_is_still_started_by_hand_and_subscribes_to_nothing(engine: Engine, db: Database) -> None:
    view = pro.start(db, "PG-1001")
    assert [t.element_id for t in view.open_tasks] == ["Activity_revisar_solicitud"]
    detail = engine.show(view.id)
    ran = [e.element_id for e in detail.history if e.kind == "task_run"]
    assert ran[0] == "Event_solicitud" and "Event_solicitud_caso" not in ran
    assert detail.data["solicitud_caso"] is None
    with db.read() as session:
        assert session.scalars(select(MessageSubscription)).all() == []
    assert engine.start_form_of("pro_maa_16", "coord.bogota").start_role == "coordinacion_administrativa"
    with pytest.raises(Forbidden):
        engine.start("pro_maa_16", "cartera.juan", {**pro.REQUEST, "payment": "PG-1001"})
    # An unauthorized coordinator still takes the rejection branch, with no answer to any case.
    refused = pro.start(db, "PG-1001", requester="coord.medellin")
    ran = [e.element_id for e in engine.show(refused.id).history if e.kind == "task_run"]
    assert ran[-2:] == ["Gateway_caso_no_autorizado", "Event_no_autorizado"]
    with db.read() as session:
        assert session.scalars(select(Message).where(Message.name == "reversa_matricula_resuelta")).all() == []


def test_billing_pool_only_messages_start_is_still_refused_by_hand(engine: Engine) -> None:
    with pytest.raises(Conflict):
        engine.start("pro_maa_16_facturacion", "fact.luis")
