"""The message board: unmatched messages, discarding and redelivering them, and what an instance waits for."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from engine.db import Database
from engine.errors import Conflict, InvalidData, NotFound
from engine.jobs import Job, JobStatus
from engine.message_board import discard_message, instance_waits, message_board, messages_with_status, redeliver_message
from engine.messages import DELIVER_KIND, Message, MessageStatus
from engine.models import Event
from engine.runtime import Engine
from engine.worker import Worker
from tests.engine.events_helpers import EVENT_MODELS, Clock

SLA = EVENT_MODELS / "sla_timers"
WAITS_FOR_INVOICE = EVENT_MODELS / "tic_espera_factura"


@pytest.fixture
def clock(engine: Engine) -> Clock:
    engine.clock = clock = Clock()
    return clock


def _deliver(engine: Engine, clock: Clock) -> int:
    return Worker(engine, "w1", clock=clock).run_once()


def _unmatched(engine: Engine, clock: Clock, name: str = "anulacion_hecha", key: str | None = "F-1",
               payload: object = None) -> int:
    message_id = engine.send_message(name, key, {"factura": key} if payload is None else payload, "tic.ana")
    assert message_id is not None
    assert _deliver(engine, clock) == 1
    return message_id


def _deploy(engine: Engine, *paths: Path) -> None:
    engine.deploy(list(paths), "disenador.eva")


def test_unmatched_messages_are_listed_oldest_first_with_their_counts(engine: Engine, db: Database,
                                                                       clock: Clock) -> None:
    assert message_board(db).unmatched == []
    first = _unmatched(engine, clock, key="F-1")
    clock.advance(minutes=5)
    second = _unmatched(engine, clock, name="nota_del_estudiante", key=None, payload=["texto", 1])
    clock.advance(minutes=5)
    pending = engine.send_message("otro", "K", {}, "fact.luis")  # not delivered yet: counted, not listed

    board = message_board(db)
    assert [m.id for m in board.unmatched] == [first, second]
    assert (board.pending, board.dead) == (1, 0)
    one, two = board.unmatched
    assert (one.name, one.correlation_key, one.sender, one.status) == ("anulacion_hecha", "F-1", "tic.ana",
                                                                       "unmatched")
    assert one.source_instance_id is None and one.source_business_key is None and one.created_at == clock.now - \
        timedelta(minutes=10)
    assert one.note is not None and "Ninguna instancia espera el mensaje «anulacion_hecha»" in one.note
    assert one.status_label == "Sin destinatario" and one.payload_preview == '{"factura": "F-1"}'
    assert two.correlation_key is None and two.payload == ["texto", 1]
    assert one.as_dict()["created_at"].startswith("2026-03-02T13:00")
    assert [m.id for m in messages_with_status(db, MessageStatus.PENDING)] == [pending]


def test_a_message_thrown_by_an_instance_names_its_source(engine: Engine, db: Database, clock: Clock) -> None:
    _deploy(engine, WAITS_FOR_INVOICE)
    view = engine.start("tic_espera_factura", "tic.ana", {"numero_factura": "F-77"})
    assert _deliver(engine, clock) == 1  # its "pedir_anulacion" finds nobody (facturación is not deployed)
    (message,) = message_board(db).unmatched
    assert (message.name, message.correlation_key) == ("pedir_anulacion", "F-77")
    assert (message.source_instance_id, message.source_business_key) == (view.id, view.business_key)


def test_discard_needs_a_reason_and_only_takes_unmatched_messages(engine: Engine, db: Database,
                                                                  clock: Clock) -> None:
    message_id = _unmatched(engine, clock)
    for reason in (None, "", "   ", "x" * 501, "con\x00nulo"):
        with pytest.raises(InvalidData) as refused:
            discard_message(db, message_id, "supervisor.raul", reason, clock.now)
        assert [e.field for e in refused.value.errors] == ["motivo"]
    with pytest.raises(NotFound):
        discard_message(db, 999_999, "supervisor.raul", "duplicado", clock.now)

    item = discard_message(db, message_id, "supervisor.raul", "  Factura de prueba  ", clock.now)
    assert item.status == "discarded" and item.note == "Descartado por supervisor.raul: Factura de prueba"
    assert message_board(db).unmatched == []
    with pytest.raises(Conflict, match="descartado"):
        discard_message(db, message_id, "supervisor.raul", "otra vez", clock.now)
    with pytest.raises(Conflict):
        redeliver_message(db, message_id, clock.now)
    assert _deliver(engine, clock) == 0  # nothing was queued for it


def test_discarding_a_sent_message_is_written_on_the_senders_history(engine: Engine, db: Database,
                                                                     clock: Clock) -> None:
    _deploy(engine, WAITS_FOR_INVOICE)
    view = engine.start("tic_espera_factura", "tic.ana", {"numero_factura": "F-78"})
    _deliver(engine, clock)
    (message,) = message_board(db).unmatched
    discard_message(db, message.id, "supervisor.raul", "Facturación lo atendió por correo", clock.now)
    with db.read() as session:
        event = session.scalars(select(Event).where(Event.instance_id == view.id,
                                                    Event.kind == "message_discarded")).one()
    assert (event.actor, event.element_id, event.element_name) == ("supervisor.raul", "Event_pedir_anulacion",
                                                                   "pedir_anulacion")
    assert event.detail == {"message_id": message.id, "correlation_key": "F-78",
                            "reason": "Facturación lo atendió por correo"}


def test_redeliver_queues_a_new_delivery_that_finds_a_receiver_deployed_since(engine: Engine, db: Database,
                                                                               clock: Clock) -> None:
    message_id = _unmatched(engine, clock, key="F-9", payload={"anulada": True})
    with pytest.raises(NotFound):
        redeliver_message(db, 999_999, clock.now)

    again = redeliver_message(db, message_id, clock.now, actor="supervisor.raul")
    assert again.status == "pending" and again.note is None
    with db.read() as session:
        queued = session.scalars(select(Job).where(Job.kind == DELIVER_KIND, Job.status == JobStatus.PENDING)).one()
        assert queued.payload == {"message_id": message_id}
        assert queued.dedupe_key == f"message:{message_id}:redeliver:{clock.now.isoformat()}"
    with pytest.raises(Conflict):  # pending now: neither retried twice nor discarded
        redeliver_message(db, message_id, clock.now)
    assert _deliver(engine, clock) == 1
    assert [m.id for m in message_board(db).unmatched] == [message_id]  # still nobody waits: back on the board

    # An instance that waits for it starts: the engine wakes the kept message itself and delivers it.
    _deploy(engine, WAITS_FOR_INVOICE)
    view = engine.start("tic_espera_factura", "tic.ana", {"numero_factura": "F-9"})
    clock.advance(seconds=1)
    while _deliver(engine, clock):
        pass
    assert message_board(db).unmatched[0].name == "pedir_anulacion"  # only its own outgoing request is left
    with db.read() as session:
        row = session.get(Message, message_id)
        assert row is not None and row.status == MessageStatus.DELIVERED and row.target_instance_id == view.id
    assert engine.show(view.id).data["anulacion"] == {"anulada": True}


def test_instance_waits_lists_timers_soonest_first_and_ignores_ended_instances(engine: Engine, db: Database,
                                                                                clock: Clock) -> None:
    _deploy(engine, SLA)
    view = engine.start("sla_timers", "tic.ana", {})
    waits = instance_waits(db, view.id)
    assert [t.due_at for t in waits.timers] == [clock.now + timedelta(days=1), clock.now + timedelta(days=3)]
    assert waits.awaited == [] and waits.sent == [] and waits.received == []
    assert waits.waits_for_anything and not waits.has_messages

    clock.advance(days=1, minutes=1)
    assert _deliver(engine, clock) == 1  # the reminder fires (it does not interrupt the task)
    assert [t.due_at for t in instance_waits(db, view.id).timers] == [view.created_at + timedelta(days=3)]

    engine.terminate(view.id, "supervisor.raul")
    assert instance_waits(db, view.id).timers == []
    with pytest.raises(NotFound):
        instance_waits(db, 999_999)


def test_instance_waits_lists_awaited_and_exchanged_messages(engine: Engine, db: Database, clock: Clock) -> None:
    _deploy(engine, WAITS_FOR_INVOICE)
    view = engine.start("tic_espera_factura", "tic.ana", {"numero_factura": "F-5"})
    _deliver(engine, clock)
    waits = instance_waits(db, view.id)
    (awaited,) = waits.awaited
    assert (awaited.name, awaited.correlation_key, awaited.element_id) == ("anulacion_hecha", "F-5",
                                                                           "Event_factura_anulada")
    (sent,) = waits.sent
    assert (sent.name, sent.correlation_key, sent.status, sent.target_instance_id) == ("pedir_anulacion", "F-5",
                                                                                       "unmatched", None)
    assert waits.received == []

    clock.advance(minutes=1)
    engine.send_message("anulacion_hecha", "F-5", {"numero": "F-5"}, "fact.luis")
    assert _deliver(engine, clock) == 1
    waits = instance_waits(db, view.id)
    assert waits.awaited == []  # it got what it waited for
    (received,) = waits.received
    assert (received.status, received.sender, received.source_instance_id) == ("delivered", "fact.luis", None)
    assert received.target_instance_id == view.id and received.delivered_at == clock.now
