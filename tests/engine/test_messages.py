"""Messages between instances and pools, correlated by key: TIC asks billing to annul an invoice (a message that
starts billing's process), billing's "factura anulada" reaches the TIC instance waiting for that invoice and no
other; a message nobody waits for is kept and reported, then delivered when someone waits; a resend is dropped."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from bench.handlers import BENCH_HANDLERS
from engine import jobs
from engine.db import Database
from engine.errors import Conflict, InvalidData
from engine.messages import Message, MessageStatus, MessageSubscription
from engine.models import Instance
from engine.runtime import Engine
from engine.worker import run_deliver_message
from handlers.errors import HandlerInputError
from tests.engine.events_helpers import EVENT_MODELS, Clock, drain


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def pools(db: Database, demo: dict[str, object], clock: Clock) -> Engine:
    engine = Engine(db, BENCH_HANDLERS, input_errors=(HandlerInputError,), clock=clock)
    engine.deploy([EVENT_MODELS / "tic_espera_factura", EVENT_MODELS / "facturacion_anula"], "disenador.eva")
    return engine



def _messages(db: Database) -> list[tuple[str, str | None, str, int | None]]:
    with db.read() as session:
        return [(m.name, m.correlation_key, m.status.value, m.target_instance_id)
                for m in session.scalars(select(Message).order_by(Message.id))]


def _billing_task(engine: Engine, invoice: str) -> int:
    [task] = [t for t in engine.tasks_for("fact.luis") if t.process_id == "facturacion_anula"
              and engine.show(t.instance_id).data.get("solicitud", {}).get("factura") == invoice]
    return task.id


def test_a_message_starts_the_billing_pool_and_the_answer_reaches_the_waiting_tic_instance(
        pools: Engine, db: Database, clock: Clock) -> None:
    tic = pools.start("tic_espera_factura", "tic.ana", {"numero_factura": "FE-77"})
    assert tic.status == "waiting" and tic.open_tasks == []
    assert drain(pools, clock) == 1  # delivers "pedir_anulacion": billing's process starts
    [(name, key, status, billing_id)] = _messages(db)
    assert (name, key, status) == ("pedir_anulacion", "FE-77", "delivered")
    assert billing_id is not None and billing_id != tic.id
    billing = pools.show(billing_id)
    assert billing.instance.process_id == "facturacion_anula"
    assert billing.data["solicitud"] == {"factura": "FE-77"}  # the payload, under the messageVariable

    pools.complete(_billing_task(pools, "FE-77"), "fact.luis", {"motivo": "Pago revertido"})
    assert pools.show(billing_id).instance.status == "completed"
    drain(pools, clock)
    assert _messages(db)[1] == ("anulacion_hecha", "FE-77", "delivered", tic.id)
    detail = pools.show(tic.id)
    assert detail.data["anulacion"] == {"factura": "FE-77", "motivo": "Pago revertido"}
    assert [t.element_id for t in detail.instance.open_tasks] == ["Activity_confirmar"]
    kinds = [(e.kind, e.element_id) for e in detail.history]
    assert ("message_sent", "Event_pedir_anulacion") in kinds
    assert ("message_received", "Event_factura_anulada") in kinds
    with db.read() as session:  # the TIC instance no longer waits for anything
        assert session.scalar(select(func.count()).select_from(MessageSubscription)) == 0


def test_the_answer_reaches_only_the_instance_waiting_for_that_invoice(pools: Engine, db: Database,
                                                                      clock: Clock) -> None:
    first = pools.start("tic_espera_factura", "tic.ana", {"numero_factura": "FE-1"})
    second = pools.start("tic_espera_factura", "tic.ana", {"numero_factura": "FE-2"})
    drain(pools, clock)
    pools.complete(_billing_task(pools, "FE-2"), "fact.luis", {"motivo": "segunda"})
    drain(pools, clock)
    assert [t.element_id for t in pools.show(second.id).instance.open_tasks] == ["Activity_confirmar"]
    assert pools.show(first.id).instance.status == "waiting"  # still waiting for FE-1
    assert pools.show(first.id).instance.open_tasks == []


def test_a_message_nobody_waits_for_is_kept_reported_and_delivered_once_someone_waits(
        pools: Engine, db: Database, clock: Clock) -> None:
    message_id = pools.send_message("anulacion_hecha", "FE-9", {"factura": "FE-9", "motivo": "temprano"}, "fact.luis",
                                    message_key="gp-annul-FE-9")
    drain(pools, clock)
    with db.read() as session:
        kept = session.get(Message, message_id)
        assert kept is not None and kept.status == MessageStatus.UNMATCHED
        assert "FE-9" in (kept.note or "") and "anulacion_hecha" in (kept.note or "")
    tic = pools.start("tic_espera_factura", "tic.ana", {"numero_factura": "FE-9"})
    drain(pools, clock)  # delivers the request to billing, and the kept answer to the new waiter
    with db.read() as session:
        kept = session.get(Message, message_id)
        assert kept is not None and kept.status == MessageStatus.DELIVERED and kept.target_instance_id == tic.id
    assert pools.show(tic.id).data["anulacion"]["motivo"] == "temprano"


def test_a_message_sent_twice_is_delivered_once(pools: Engine, db: Database, clock: Clock) -> None:
    tic = pools.start("tic_espera_factura", "tic.ana", {"numero_factura": "FE-5"})
    drain(pools, clock)
    first = pools.send_message("anulacion_hecha", "FE-5", {"motivo": "uno"}, "fact.luis", message_key="m-5")
    again = pools.send_message("anulacion_hecha", "FE-5", {"motivo": "dos"}, "fact.luis", message_key="m-5")
    assert first is not None and again is None
    drain(pools, clock)
    detail = pools.show(tic.id)
    assert detail.data["anulacion"] == {"motivo": "uno"}
    assert [e.kind for e in detail.history].count("message_received") == 1


def test_a_message_for_a_suspended_instance_waits_for_its_resume(pools: Engine, db: Database, clock: Clock) -> None:
    tic = pools.start("tic_espera_factura", "tic.ana", {"numero_factura": "FE-3"})
    drain(pools, clock)
    pools.suspend(tic.id, "supervisor.raul")
    pools.send_message("anulacion_hecha", "FE-3", {"motivo": "x"}, "fact.luis", message_key="m-3")
    drain(pools, clock)
    assert _messages(db)[-1][2] == "unmatched"
    pools.resume(tic.id, "supervisor.raul")
    drain(pools, clock)
    assert _messages(db)[-1][2:] == ("delivered", tic.id)
    assert [t.element_id for t in pools.show(tic.id).instance.open_tasks] == ["Activity_confirmar"]


def test_a_message_started_process_cannot_be_started_by_hand(pools: Engine) -> None:
    with pytest.raises(Conflict) as raised:
        pools.start("facturacion_anula", "fact.luis")
    assert "pedir_anulacion" in raised.value.message


@pytest.mark.parametrize(("name", "key", "message_key", "field"), [
    ("", None, None, "nombre"), ("   ", None, None, "nombre"), ("x" * 201, None, None, "nombre"),
    ("a\x00b", None, None, "nombre"), ("m", "k" * 201, None, "clave"), ("m", "k\x00", None, "clave"),
    ("m", None, "", "id"), ("m", None, "i" * 201, "id")])
def test_bad_messages_are_refused_naming_the_field(pools: Engine, db: Database, name: str, key: str | None,
                                                   message_key: str | None, field: str) -> None:
    with pytest.raises(InvalidData) as raised:
        pools.send_message(name, key, {}, "tic.ana", message_key=message_key)
    assert [e.field for e in raised.value.errors] == [field]
    assert _messages(db) == []


def test_a_rolled_back_step_sends_no_message(pools: Engine, db: Database, clock: Clock) -> None:
    with pytest.raises(InvalidData):
        pools.start("tic_espera_factura", "tic.ana", {"numero_factura": ""})  # the start form refuses it
    assert _messages(db) == []
    with db.read() as session:
        assert session.scalar(select(func.count()).select_from(Instance)) == 0


def test_a_requesters_note_reaches_the_case_that_waits_for_it(db: Database, demo: dict[str, object],
                                                             clock: Clock) -> None:
    engine = Engine(db, BENCH_HANDLERS, input_errors=(HandlerInputError,), clock=clock)
    engine.deploy([EVENT_MODELS / "espera_nota"], "disenador.eva")
    case = engine.start("espera_nota", "estudiante.camila", {"asunto": "Mi reintegro"})
    other = engine.start("espera_nota", "estudiante.camila", {"asunto": "Otra consulta"})
    engine.add_note(case.id, "estudiante.camila", "Adjunto el soporte del banco")
    engine.add_note(case.id, "tic.ana", "Nota interna de TIC")  # staff notes stay notes
    drain(engine, clock)
    detail = engine.show(case.id)
    assert detail.data["nota"]["texto"] == "Adjunto el soporte del banco"
    assert [e.kind for e in detail.history].count("message_received") == 1
    assert [t.element_id for t in detail.instance.open_tasks] == ["Activity_revisar"]  # not interrupted
    assert "message_received" not in [e.kind for e in engine.show(other.id).history]
    assert _messages(db) == [("nota_solicitante", case.business_key, "delivered", case.id)]
    engine.add_note(case.id, "estudiante.camila", "Otra nota")  # the boundary event fired: nobody waits now
    assert len(_messages(db)) == 1


def test_message_ids_belong_to_their_sender_and_sends_without_id_never_collapse(pools: Engine, db: Database) -> None:
    assert pools.send_message("aviso", "K", {}, "tic.ana", message_key="1") is not None
    assert pools.send_message("aviso", "K", {}, "fact.luis", message_key="1") is not None  # another sender's "1"
    assert pools.send_message("aviso", "K", {}, "fact.luis", message_key="1") is None  # its own resend
    # the same content twice at the same instant, without an id: two messages, as the client meant
    twice = [pools.send_message("aviso", "K", {}, "tic.ana") for _ in range(2)]
    assert None not in twice
    long_a, long_b = "x" * 196 + "aaaa", "x" * 196 + "bbbb"  # long ids that differ only at their end
    assert None not in (pools.send_message("aviso", None, {}, "tic.ana", message_key=long_a),
                        pools.send_message("aviso", None, {}, "tic.ana", message_key=long_b))
    assert len(_messages(db)) == 6


def test_a_message_discarded_meanwhile_is_not_woken_by_a_new_waiter(pools: Engine, db: Database, clock: Clock) -> None:
    message_id = pools.send_message("anulacion_hecha", "FE-8", {}, "fact.luis", message_key="m-8")
    drain(pools, clock)
    with db.write() as session:  # a supervisor discards it
        message = session.get(Message, message_id)
        assert message is not None
        message.status = MessageStatus.DISCARDED
    tic = pools.start("tic_espera_factura", "tic.ana", {"numero_factura": "FE-8"})
    drain(pools, clock)
    assert _messages(db)[0][2] == "discarded"
    assert pools.show(tic.id).instance.status == "waiting"


def test_a_delivery_rerun_after_its_lease_lapsed_is_rolled_back(pools: Engine, db: Database, clock: Clock) -> None:
    tic = pools.start("tic_espera_factura", "tic.ana", {"numero_factura": "FE-4"})
    drain(pools, clock)
    pools.send_message("anulacion_hecha", "FE-4", {"motivo": "x"}, "fact.luis", message_key="m-4")
    [slow] = jobs.claim(db, "slow-worker", clock.now, lease=timedelta(seconds=1))  # then it stalls
    clock.advance(seconds=5)
    assert drain(pools, clock, "fast-worker") == 1  # the lease lapsed: another worker delivers it
    with pytest.raises(jobs.LeaseLost):
        run_deliver_message(pools, slow)  # the stalled worker wakes up: nothing it did is kept
    assert [e.kind for e in pools.show(tic.id).history].count("message_received") == 1


def test_a_process_a_message_starts_is_not_offered_to_start_by_hand(engine: Engine) -> None:
    offered = [p.process_id for p in engine.startable_processes("fact.luis")]
    assert "pro_maa_16_facturacion" not in offered  # billing's pool of PRO-MAA-16, started by TIC's message
    with pytest.raises(Conflict) as raised:
        engine.start_form_of("pro_maa_16_facturacion", "fact.luis")
    assert raised.value.status == 409 and "anular_factura" in raised.value.message
