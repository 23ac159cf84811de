"""A process started both by hand (its start event without a trigger, in its lane's role) and by messages (its
message start events): each start runs only its own start event, and a manual start leaves no subscription to
the messages it could have been started by."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from bench.handlers import BENCH_HANDLERS
from engine.db import Database
from engine.errors import Conflict, Forbidden, ModelInvalid
from engine.messages import Message, MessageSubscription
from engine.runtime import Engine
from handlers.errors import HandlerInputError
from tests.engine.events_helpers import EVENT_MODELS, Clock, drain

# The message start events come first in the file, and in another lane than the manual one: the manual start's
# lane still says who starts the process by hand.
DUAL = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="Definitions_dual"
    targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:message id="Message_pedido" name="dual_pedido" />
  <bpmn:message id="Message_otro" name="dual_otro" />
  <bpmn:process id="dual" name="Dos formas de iniciar" isExecutable="true">
    <bpmn:laneSet id="LaneSet_dual">
      <bpmn:lane id="Lane_tic" name="direccion_tic">
        <bpmn:flowNodeRef>Event_pedido</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>Event_otro</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>Activity_mapear</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>Activity_revisar</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>Event_fin</bpmn:flowNodeRef>
      </bpmn:lane>
      <bpmn:lane id="Lane_coord" name="coordinacion_administrativa">
        <bpmn:flowNodeRef>Event_manual</bpmn:flowNodeRef>
      </bpmn:lane>
    </bpmn:laneSet>
    <bpmn:startEvent id="Event_pedido" name="Pedido por mensaje">
      <bpmn:outgoing>Flow_pedido</bpmn:outgoing>
      <bpmn:messageEventDefinition id="MessageDef_pedido" messageRef="Message_pedido">
        <bpmn:extensionElements>
          <spiffworkflow:messageVariable>pedido</spiffworkflow:messageVariable>
        </bpmn:extensionElements>
      </bpmn:messageEventDefinition>
    </bpmn:startEvent>
    <bpmn:startEvent id="Event_otro" name="Otro mensaje">
      <bpmn:outgoing>Flow_otro</bpmn:outgoing>
      <bpmn:messageEventDefinition id="MessageDef_otro" messageRef="Message_otro">
        <bpmn:extensionElements>
          <spiffworkflow:messageVariable>otro</spiffworkflow:messageVariable>
        </bpmn:extensionElements>
      </bpmn:messageEventDefinition>
    </bpmn:startEvent>
    <bpmn:startEvent id="Event_manual" name="A mano">
      <bpmn:outgoing>Flow_manual</bpmn:outgoing>
    </bpmn:startEvent>
    <bpmn:scriptTask id="Activity_mapear" name="Tomar el pedido">
      <bpmn:incoming>Flow_pedido</bpmn:incoming>
      <bpmn:outgoing>Flow_mapeado</bpmn:outgoing>
      <bpmn:script>origen = pedido["origen"]</bpmn:script>
    </bpmn:scriptTask>
    <bpmn:manualTask id="Activity_revisar" name="Revisar">
      <bpmn:incoming>Flow_manual</bpmn:incoming>
      <bpmn:incoming>Flow_mapeado</bpmn:incoming>
      <bpmn:incoming>Flow_otro</bpmn:incoming>
      <bpmn:outgoing>Flow_fin</bpmn:outgoing>
    </bpmn:manualTask>
    <bpmn:endEvent id="Event_fin" name="Fin">
      <bpmn:incoming>Flow_fin</bpmn:incoming>
    </bpmn:endEvent>
    <bpmn:sequenceFlow id="Flow_pedido" sourceRef="Event_pedido" targetRef="Activity_mapear" />
    <bpmn:sequenceFlow id="Flow_mapeado" sourceRef="Activity_mapear" targetRef="Activity_revisar" />
    <bpmn:sequenceFlow id="Flow_otro" sourceRef="Event_otro" targetRef="Activity_revisar" />
    <bpmn:sequenceFlow id="Flow_manual" sourceRef="Event_manual" targetRef="Activity_revisar" />
    <bpmn:sequenceFlow id="Flow_fin" sourceRef="Activity_revisar" targetRef="Event_fin" />
  </bpmn:process>
</bpmn:definitions>
"""


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def dual(db: Database, demo: dict[str, object], clock: Clock, tmp_path: Path) -> Engine:
    model = tmp_path / "dual"
    model.mkdir()
    (model / "dual.bpmn").write_text(DUAL, encoding="utf-8")
    engine = Engine(db, BENCH_HANDLERS, input_errors=(HandlerInputError,), clock=clock)
    engine.deploy([model, EVENT_MODELS / "facturacion_anula"], "disenador.eva")
    return engine


def _ran(engine: Engine, instance_id: int) -> list[str]:
    return [e.element_id or "" for e in engine.show(instance_id).history if e.kind == "task_run"]


def _subscriptions(db: Database) -> list[tuple[int, str]]:
    with db.read() as session:
        return [(s.instance_id, s.name) for s in session.scalars(select(MessageSubscription))]


def test_a_manual_start_runs_only_the_untriggered_start_and_subscribes_to_nothing(dual: Engine, db: Database,
                                                                                   clock: Clock) -> None:
    view = dual.start("dual", "coord.bogota")
    assert [t.element_id for t in view.open_tasks] == ["Activity_revisar"]
    ran = _ran(dual, view.id)
    assert "Event_manual" in ran and not {"Event_pedido", "Event_otro", "Activity_mapear"} & set(ran)
    assert _subscriptions(db) == []
    # The message start events' variables are there, empty: an expression may ask how the instance began.
    data = dual.show(view.id).data
    assert data["pedido"] is None and data["otro"] is None
    assert drain(dual, clock) == 0  # nothing queued for it either


def test_a_message_starts_the_process_at_its_own_start_event_only(dual: Engine, db: Database, clock: Clock) -> None:
    dual.send_message("dual_pedido", None, {"origen": "cartera"}, "cartera.juan", "pedido-1")
    drain(dual, clock)
    with db.read() as session:
        message = session.scalars(select(Message).where(Message.name == "dual_pedido")).one()
    assert message.status.value == "delivered" and message.target_instance_id is not None
    instance_id = message.target_instance_id
    ran = _ran(dual, instance_id)
    assert ran[:2] == ["Event_pedido", "Activity_mapear"]
    assert not {"Event_manual", "Event_otro"} & set(ran)
    detail = dual.show(instance_id)
    assert detail.instance.initiator == "sistema"
    assert [t.element_id for t in detail.instance.open_tasks] == ["Activity_revisar"]
    assert detail.data["origen"] == "cartera" and detail.data["otro"] is None
    assert _subscriptions(db) == []


def test_another_message_starts_it_at_that_message_start_event(dual: Engine, clock: Clock, db: Database) -> None:
    dual.send_message("dual_otro", None, {"x": 1}, "cartera.juan", "otro-1")
    drain(dual, clock)
    with db.read() as session:
        target = session.scalars(select(Message.target_instance_id).where(Message.name == "dual_otro")).one()
    assert target is not None
    ran = _ran(dual, target)
    assert ran[0] == "Event_otro" and not {"Event_manual", "Event_pedido", "Activity_mapear"} & set(ran)
    assert dual.show(target).data["otro"] == {"x": 1}


def test_the_manual_starts_lane_says_who_starts_it_by_hand(dual: Engine) -> None:
    assert "dual" in [p.process_id for p in dual.startable_processes("coord.bogota")]
    assert dual.start_form_of("dual", "coord.bogota").start_role == "coordinacion_administrativa"
    assert "dual" not in [p.process_id for p in dual.startable_processes("tic.ana")]
    with pytest.raises(Forbidden):
        dual.start("dual", "tic.ana")  # the message start events' lane does not make TIC its starter


def test_a_process_only_messages_start_is_still_refused_by_hand(dual: Engine) -> None:
    with pytest.raises(Conflict) as raised:
        dual.start("facturacion_anula", "fact.luis")
    assert "pedir_anulacion" in raised.value.message
    assert "facturacion_anula" not in [p.process_id for p in dual.startable_processes("fact.luis")]


def test_two_untriggered_start_events_fail_the_deploy(dual: Engine, tmp_path: Path) -> None:
    model = tmp_path / "dual2"
    model.mkdir()
    second = ('<bpmn:startEvent id="Event_manual_bis" name="Otra vez a mano">'
              '<bpmn:outgoing>Flow_bis</bpmn:outgoing></bpmn:startEvent>'
              '<bpmn:sequenceFlow id="Flow_bis" sourceRef="Event_manual_bis" targetRef="Activity_revisar" />'
              '<bpmn:endEvent id="Event_fin"')
    text = (DUAL.replace('<bpmn:endEvent id="Event_fin"', second)
            .replace('<bpmn:incoming>Flow_otro</bpmn:incoming>',
                     '<bpmn:incoming>Flow_otro</bpmn:incoming><bpmn:incoming>Flow_bis</bpmn:incoming>')
            .replace('"dual"', '"dual2"').replace("dual_pedido", "dual2_pedido").replace("dual_otro", "dual2_otro"))
    (model / "dual2.bpmn").write_text(text, encoding="utf-8")
    with pytest.raises(ModelInvalid) as raised:
        dual.deploy([model], "disenador.eva")
    [problem] = raised.value.problems
    assert problem.element_id == "Event_manual_bis" and "Event_manual" in problem.message


def test_a_second_process_started_by_one_of_its_messages_is_refused(dual: Engine, tmp_path: Path) -> None:
    model = tmp_path / "dual3"
    model.mkdir()
    text = DUAL.replace('"dual"', '"dual3"').replace("dual_pedido", "dual3_pedido")  # still started by dual_otro
    (model / "dual3.bpmn").write_text(text, encoding="utf-8")
    with pytest.raises(ModelInvalid) as raised:
        dual.deploy([model], "disenador.eva")
    assert "dual_otro" in str(raised.value) and "dual" in str(raised.value)
