"""Moving running instances to a newer version of their model (issue 6 §5): allowed where the engine can do it
safely, refused with the reason (naming the element) where it cannot, the refused ones left exactly as they were."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from bench.handlers import BENCH_HANDLERS
from engine.db import Database
from engine.errors import Forbidden, InvalidData, NotFound
from engine.messages import MessageSubscription
from engine.models import Event, HumanTask, Incident, Instance, ProcessVersion
from engine.runtime import Engine
from handlers.errors import HandlerInputError
from tests.conftest import BENCH_MODELS
from tests.engine.events_helpers import EVENT_MODELS, T0, Clock, drain
from tests.engine.pro_maa_16_driver import run_to_end, start
from tests.processes.casos.driver import CaseRun, open_case

DESIGNER = "disenador.eva"
SIMPLE = {p.name: p.read_text(encoding="utf-8") for p in (BENCH_MODELS / "simple").iterdir()}
REFUND = {"monto": "400000.00", "motivo": "beca_posterior", "banco": "Bancolombia", "tipo_cuenta": "ahorros",
          "numero_cuenta": "12345678901", "titular": "Camila Torres Ruiz", "documento_titular": "1090123456"}
SLA = {p.name: p.read_text(encoding="utf-8") for p in (EVENT_MODELS / "sla_timers").iterdir()}


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def simple(db: Database, demo: dict[str, object], clock: Clock) -> Engine:
    """Only the small bench model deployed (version 1 of ``simple``: first review -> second review)."""
    return _engine(db, clock, BENCH_MODELS / "simple")


def _engine(db: Database, clock: Clock, folder: Path) -> Engine:
    eng = Engine(db, BENCH_HANDLERS, input_errors=(HandlerInputError,), clock=clock)
    eng.deploy([folder], DESIGNER)
    return eng


def _bpmn(files: dict[str, str]) -> str:
    return next(name for name in files if name.endswith(".bpmn"))


def _edit(files: dict[str, str], *pairs: tuple[str, str]) -> dict[str, str]:
    name = _bpmn(files)
    text = files[name]
    for old, new in pairs:
        assert old in text, old
        text = text.replace(old, new)
    return {**files, name: text}


def _renamed_and_replaced() -> dict[str, str]:
    """Version 2 of ``simple``: the first review renamed, the second one replaced by a final review."""
    return _edit(SIMPLE, ('name="Primera revisión"', 'name="Primera revisión del monto"'),
                 ("Activity_segunda_revision", "Activity_revision_final"),
                 ('name="Segunda revisión"', 'name="Revisión final"'))


def without_first_review() -> dict[str, str]:
    """Version 2 of ``simple`` without the first review: the start goes straight to the gateway."""
    name = _bpmn(SIMPLE)
    text = SIMPLE[name]
    text = re.sub(r'\s*<bpmn:userTask id="Activity_primera_revision".*?</bpmn:userTask>', "", text, flags=re.S)
    text = re.sub(r'\s*<bpmn:flowNodeRef>Activity_primera_revision</bpmn:flowNodeRef>', "", text)
    text = re.sub(r'\s*<bpmn:sequenceFlow id="Flow_primera_hecha"[^>]*/>', "", text)
    text = re.sub(r'\s*<bpmndi:BPMNShape id="Activity_primera_revision_di".*?</bpmndi:BPMNShape>', "", text,
                  flags=re.S)
    text = re.sub(r'\s*<bpmndi:BPMNEdge id="Flow_primera_hecha_di".*?</bpmndi:BPMNEdge>', "", text, flags=re.S)
    text = text.replace('targetRef="Activity_primera_revision"', 'targetRef="Gateway_grande"')
    text = text.replace("is_large(amount)", "is_large(0)")  # the amount came from the first review's form
    text = text.replace("<bpmn:incoming>Flow_primera_hecha</bpmn:incoming>",
                        "<bpmn:incoming>Flow_inicio</bpmn:incoming>")
    files = {k: v for k, v in SIMPLE.items() if not k.startswith("primera.")}
    return {**files, name: text}


def _without_second_review() -> dict[str, str]:
    """Version 2 of ``simple`` without the second review: both of its incoming flows go to the end."""
    name = _bpmn(SIMPLE)
    text = SIMPLE[name]
    text = re.sub(r'\s*<bpmn:userTask id="Activity_segunda_revision".*?</bpmn:userTask>', "", text, flags=re.S)
    text = re.sub(r'\s*<bpmn:flowNodeRef>Activity_segunda_revision</bpmn:flowNodeRef>', "", text)
    text = re.sub(r'\s*<bpmn:sequenceFlow id="Flow_segunda_hecha"[^>]*/>', "", text)
    text = re.sub(r'\s*<bpmndi:BPMNShape id="Activity_segunda_revision_di".*?</bpmndi:BPMNShape>', "", text,
                  flags=re.S)
    text = re.sub(r'\s*<bpmndi:BPMNEdge id="Flow_segunda_hecha_di".*?</bpmndi:BPMNEdge>', "", text, flags=re.S)
    text = text.replace('targetRef="Activity_segunda_revision"', 'targetRef="Event_fin"')
    text = text.replace("<bpmn:incoming>Flow_segunda_hecha</bpmn:incoming>",
                        "<bpmn:incoming>Flow_grande_no</bpmn:incoming>\n"
                        "      <bpmn:incoming>Flow_paso_registrado</bpmn:incoming>")
    files = {k: v for k, v in SIMPLE.items() if not k.startswith("segunda.")}
    return {**files, name: text}


def _deploy(engine: Engine, model: str, files: dict[str, str]) -> None:
    result = engine.deploy_model(DESIGNER, model, files)
    assert result.status != "unchanged"


def _row(db: Database, instance_id: int) -> tuple[Any, ...]:
    with db.read() as session:
        row = session.execute(select(Instance.state, Instance.status, Instance.process_version_id,
                                     Instance.row_version, Instance.steps).where(Instance.id == instance_id)).one()
        return tuple(row)


def _version_of(db: Database, instance_id: int) -> int:
    with db.read() as session:
        return int(session.scalar(select(ProcessVersion.version).join(
            Instance, Instance.process_version_id == ProcessVersion.id).where(Instance.id == instance_id)) or 0)


def _kinds(db: Database, instance_id: int) -> list[str]:
    with db.read() as session:
        return list(session.scalars(select(Event.kind).where(Event.instance_id == instance_id).order_by(Event.id)))


def _open(engine: Engine, instance_id: int) -> list[tuple[str, str]]:
    return [(t.element_id, t.name) for t in engine.show(instance_id).instance.open_tasks]


def test_an_instance_moves_to_the_new_version_and_continues_along_its_path(simple: Engine, db: Database) -> None:
    view = simple.start("simple", "tic.ana")
    assert _open(simple, view.id) == [("Activity_primera_revision", "Primera revisión")]
    _deploy(simple, "simple", _renamed_and_replaced())

    plan = simple.migration_plan(DESIGNER, "simple", 1, 2)
    assert [(c.instance_id, c.movable, c.reasons) for c in plan.candidates] == [(view.id, True, [])]
    report = simple.migrate_instances(DESIGNER, "simple", 1, 2)
    assert (report.moved, report.refused) == ([view.id], [])

    assert _version_of(db, view.id) == 2
    # the open task (same row) now bears the new version's name, in the inbox too
    [task] = simple.show(view.id).instance.open_tasks
    assert (task.element_id, task.name) == ("Activity_primera_revision", "Primera revisión del monto")
    assert [t.name for t in simple.inbox("tic.ana").rows if t.instance_id == view.id] == [
        "Primera revisión del monto"]
    kinds = _kinds(db, view.id)
    moved = kinds[kinds.index("migration_suspended"):]
    assert moved == ["migration_suspended", "task_migrated", "instance_migrated", "migration_resumed"]
    with db.read() as session:
        migrated = session.scalars(select(Event).where(Event.instance_id == view.id,
                                                       Event.kind == "instance_migrated")).one()
        assert migrated.detail == {"from_version": 1, "to_version": 2, "moved_by": DESIGNER, "reasons": []}
        assert migrated.actor == DESIGNER

    simple.complete(task.id, "tic.ana", {"amount": 10})
    # the new version's path: the final review replaced the second one
    assert _open(simple, view.id) == [("Activity_revision_final", "Revisión final")]
    [final] = simple.show(view.id).instance.open_tasks
    simple.complete(final.id, "tic.ana", {"ok": True})
    assert simple.show(view.id).instance.status == "completed"


def test_an_instance_waiting_at_a_removed_task_is_refused_and_left_untouched(simple: Engine, db: Database) -> None:
    view = simple.start("simple", "tic.ana")
    _deploy(simple, "simple", without_first_review())
    before = _row(db, view.id)
    [check] = simple.migration_plan(DESIGNER, "simple", 1, 2).candidates
    assert not check.movable
    assert check.reasons == ["La tarea en curso «Primera revisión» (Activity_primera_revision) no existe en la "
                             "versión 2."]

    report = simple.migrate_instances(DESIGNER, "simple", 1, 2)
    assert report.moved == []
    assert [(c.instance_id, c.reasons) for c in report.refused] == [(view.id, check.reasons)]
    assert _row(db, view.id) == before
    assert _kinds(db, view.id)[-1] == "migration_refused"
    assert "migration_suspended" not in _kinds(db, view.id)  # rolled back with the rest
    # still works on version 1
    [task] = simple.show(view.id).instance.open_tasks
    simple.complete(task.id, "tic.ana", {"amount": 10})
    assert _open(simple, view.id) == [("Activity_segunda_revision", "Segunda revisión")]


def test_a_batch_moves_what_it_can_and_reports_the_rest(simple: Engine, db: Database) -> None:
    at_first = simple.start("simple", "tic.ana")
    at_second = simple.start("simple", "tic.ana")
    [task] = simple.show(at_second.id).instance.open_tasks
    simple.complete(task.id, "tic.ana", {"amount": 10})
    # version 2 drops the second review: only the instance still at the first one can move
    _deploy(simple, "simple", _without_second_review())
    report = simple.migrate_instances(DESIGNER, "simple", 1, 2, [at_first.id, at_second.id])
    assert report.moved == [at_first.id]
    assert [c.instance_id for c in report.refused] == [at_second.id]
    assert report.refused[0].reasons == ["La tarea en curso «Segunda revisión» (Activity_segunda_revision) no "
                                         "existe en la versión 2."]
    assert _version_of(db, at_first.id) == 2 and _version_of(db, at_second.id) == 1


def test_only_designers_migrate_and_versions_must_exist_and_go_forward(simple: Engine) -> None:
    _deploy(simple, "simple", _renamed_and_replaced())
    with pytest.raises(Forbidden):
        simple.migrate_instances("tic.ana", "simple", 1, 2)
    with pytest.raises(Forbidden):
        simple.migration_plan("tic.ana", "simple", 1, 2)
    with pytest.raises(NotFound):
        simple.migration_plan(DESIGNER, "simple", 1, 9)
    with pytest.raises(NotFound):
        simple.migrate_instances(DESIGNER, "no_existe", 1, 2)
    with pytest.raises(InvalidData) as raised:
        simple.migrate_instances(DESIGNER, "simple", 2, 1)
    assert raised.value.errors[0].field == "a"  # the migration page's field for the target version
    with pytest.raises(InvalidData):
        simple.migration_plan(DESIGNER, "simple", 1, 1)


def test_suspended_finished_and_foreign_instances_are_not_moved(simple: Engine, db: Database) -> None:
    suspended = simple.start("simple", "tic.ana")
    simple.suspend(suspended.id, "supervisor.raul")
    done = simple.start("simple", "tic.ana")
    simple.terminate(done.id, "supervisor.raul")
    _deploy(simple, "simple", _renamed_and_replaced())
    before = _row(db, suspended.id)
    plan = simple.migration_plan(DESIGNER, "simple", 1, 2)
    assert [(c.instance_id, c.movable) for c in plan.candidates] == [(suspended.id, False)]
    assert "suspendida" in plan.candidates[0].reasons[0]
    report = simple.migrate_instances(DESIGNER, "simple", 1, 2, [suspended.id, done.id, 999999])
    assert report.moved == []
    assert [c.instance_id for c in report.refused] == [suspended.id, done.id, 999999]
    assert _row(db, suspended.id) == before
    assert simple.show(suspended.id).instance.status == "suspended"


def test_a_waiting_timer_keeps_its_due_time_and_fires_on_the_new_version(db: Database, demo: dict[str, object],
                                                                       clock: Clock) -> None:
    timed = _engine(db, clock, EVENT_MODELS / "sla_timers")
    view = timed.start("sla_timers", "tic.ana")
    clock.advance(hours=12)
    _deploy(timed, "sla_timers", _edit(SLA, ('name="Revisar solicitud"', 'name="Revisar la solicitud"')))
    assert timed.migrate_instances(DESIGNER, "sla_timers", 1, 2).moved == [view.id]
    assert _open(timed, view.id) == [("Activity_revisar", "Revisar la solicitud")]
    clock.advance(hours=11)
    assert drain(timed, clock) == 0  # the reminder is due one day after the start, not after the migration
    clock.advance(hours=2)
    assert drain(timed, clock) == 1
    with db.read() as session:
        fired = session.scalars(select(Event.element_id).where(Event.instance_id == view.id,
                                                               Event.kind == "timer_fired")).all()
    assert fired == ["Event_recordatorio"]
    assert _open(timed, view.id) == [("Activity_revisar", "Revisar la solicitud")]
    assert _version_of(db, view.id) == 2
    # an intermediate timer that was waiting when the instance moved also fires
    [task] = timed.show(view.id).instance.open_tasks
    timed.complete(task.id, "tic.ana", {})
    clock.advance(hours=1)
    _deploy(timed, "sla_timers", _edit(SLA, ('name="Esperar dos horas"', 'name="Esperar 2 horas"')))
    assert timed.migrate_instances(DESIGNER, "sla_timers", 2, 3).moved == [view.id]
    clock.advance(hours=1, minutes=1)
    drain(timed, clock)
    assert timed.show(view.id).instance.status == "completed"
    assert _version_of(db, view.id) == 3


def test_the_live_cache_does_not_serve_the_old_workflow(simple: Engine, db: Database) -> None:
    view = simple.start("simple", "tic.ana")
    [task] = simple.show(view.id).instance.open_tasks
    with db.read() as session:
        row_version = session.scalar(select(Instance.row_version).where(Instance.id == view.id))
    _deploy(simple, "simple", _renamed_and_replaced())
    simple.migrate_instances(DESIGNER, "simple", 1, 2)
    with db.read() as session:
        assert session.scalar(select(Instance.row_version).where(Instance.id == view.id)) == (row_version or 0) + 1
    cached = simple.live.take(view.id, (row_version or 0) + 1)
    assert cached is not None and cached.spec.task_specs["Activity_primera_revision"].bpmn_name == (
        "Primera revisión del monto")
    simple.complete(task.id, "tic.ana", {"amount": 10})  # from the saved state, on version 2
    assert _open(simple, view.id) == [("Activity_revision_final", "Revisión final")]


def test_pro_maa_16_at_its_first_task_moves_to_a_version_with_a_renamed_task(engine: Engine, db: Database) -> None:
    view = start(db, "PG-1001")
    assert [t.element_id for t in view.open_tasks] == ["Activity_revisar_solicitud"]
    v1 = engine.model_files(DESIGNER, "pro_maa_16", 1).files
    _deploy(engine, "pro_maa_16", _edit(v1, ('name="Revisar solicitud"', 'name="Revisar la solicitud de ajuste"')))
    report = engine.migrate_instances(DESIGNER, "pro_maa_16", 1, 2)
    assert report.moved == [view.id]
    assert _open(engine, view.id) == [("Activity_revisar_solicitud", "Revisar la solicitud de ajuste")]
    with db.read() as session:
        assert session.scalar(select(HumanTask.name).where(HumanTask.instance_id == view.id)) == (
            "Revisar la solicitud de ajuste")
        audit = session.scalars(select(Event).where(Event.instance_id == view.id,
                                                    Event.kind == "task_migrated")).one()
    assert audit.detail["changes"] == {"name": ["Revisar solicitud", "Revisar la solicitud de ajuste"]}
    worked = run_to_end(db, engine.show(view.id).instance)
    assert worked[0] == "Activity_revisar_solicitud"
    assert engine.show(view.id).instance.status == "completed"
    assert _version_of(db, view.id) == 2


def test_an_active_task_whose_kind_changed_is_refused(simple: Engine, db: Database) -> None:
    view = simple.start("simple", "tic.ana")
    _deploy(simple, "simple", _edit(SIMPLE, ('<bpmn:userTask id="Activity_primera_revision"',
                                             '<bpmn:manualTask id="Activity_primera_revision"'),
                                    ("</bpmn:userTask>\n    <bpmn:exclusiveGateway",
                                     "</bpmn:manualTask>\n    <bpmn:exclusiveGateway")))
    before = _row(db, view.id)
    report = simple.migrate_instances(DESIGNER, "simple", 1, 2)
    assert report.moved == []
    [reason] = report.refused[0].reasons
    assert reason.startswith("La tarea en curso «Primera revisión» (Activity_primera_revision) cambió de tipo")
    assert _row(db, view.id) == before


def test_a_new_lane_role_moves_the_open_task_to_that_role(simple: Engine, db: Database) -> None:
    view = simple.start("simple", "tic.ana")
    _deploy(simple, "simple", _edit(SIMPLE, ('name="direccion_tic"', 'name="tesoreria"')))
    assert simple.migrate_instances(DESIGNER, "simple", 1, 2).moved == [view.id]
    [task] = simple.show(view.id).instance.open_tasks
    assert task.role == "tesoreria"
    with db.read() as session:
        audit = session.scalars(select(Event).where(Event.instance_id == view.id,
                                                    Event.kind == "task_migrated")).one()
    assert audit.detail["changes"] == {"role": ["direccion_tic", "tesoreria"]}
    with pytest.raises(Forbidden):
        simple.complete(task.id, "tic.ana", {"amount": 10})
    simple.complete(task.id, "tesoreria.sofia", {"amount": 10})
    assert _open(simple, view.id) == [("Activity_segunda_revision", "Segunda revisión")]


def test_a_new_due_time_counts_from_when_the_task_opened(db: Database, demo: dict[str, object],
                                                         clock: Clock) -> None:
    engine = _engine(db, clock, EVENT_MODELS / "espera_nota")
    case = engine.start("espera_nota", "estudiante.camila", {"asunto": "Mi reintegro"})
    clock.advance(hours=5)
    notes = {p.name: p.read_text(encoding="utf-8") for p in (EVENT_MODELS / "espera_nota").iterdir()}
    due = '<spiffworkflow:property name="dueIn" value="P2D" />\n          '
    _deploy(engine, "espera_nota", _edit(notes, ('<spiffworkflow:property name="formJsonSchemaFilename" '
                                                 'value="revisar.schema.json" />',
                                                 due + '<spiffworkflow:property name="formJsonSchemaFilename" '
                                                 'value="revisar.schema.json" />')))
    assert engine.migrate_instances(DESIGNER, "espera_nota", 1, 2).moved == [case.id]
    [task] = engine.show(case.id).instance.open_tasks
    assert task.due_at == T0 + timedelta(days=2)


def test_an_instance_with_an_open_incident_is_refused(simple: Engine, db: Database, clock: Clock) -> None:
    view = simple.start("simple", "tic.ana")
    with db.write() as session:
        session.add(Incident(instance_id=view.id, element_id="Activity_record_step", error_type="RuntimeError",
                             error="falló", actor="tic.ana", retry_data={}, created_at=clock()))
    _deploy(simple, "simple", _renamed_and_replaced())
    [check] = simple.migrate_instances(DESIGNER, "simple", 1, 2).refused
    assert "incidente abierto" in check.reasons[0] and "Activity_record_step" in check.reasons[0]
    assert _version_of(db, view.id) == 1


def test_an_instance_waiting_for_a_message_still_receives_it(db: Database, demo: dict[str, object],
                                                             clock: Clock) -> None:
    engine = _engine(db, clock, EVENT_MODELS / "espera_nota")
    case = engine.start("espera_nota", "estudiante.camila", {"asunto": "Mi reintegro"})
    notes = {p.name: p.read_text(encoding="utf-8") for p in (EVENT_MODELS / "espera_nota").iterdir()}
    _deploy(engine, "espera_nota", _edit(notes, ('name="Revisar la consulta"', 'name="Revisar consulta"')))
    assert engine.migrate_instances(DESIGNER, "espera_nota", 1, 2).moved == [case.id]
    with db.read() as session:
        waits = session.scalars(select(MessageSubscription.name)
                                .where(MessageSubscription.instance_id == case.id)).all()
    assert waits == ["nota_solicitante"]
    engine.add_note(case.id, "estudiante.camila", "Adjunto el soporte del banco")
    drain(engine, clock)
    detail = engine.show(case.id)
    assert detail.data["nota"]["texto"] == "Adjunto el soporte del banco"
    assert [t.name for t in detail.instance.open_tasks] == ["Revisar consulta"]
    assert _version_of(db, case.id) == 2


def _asking(engine: Engine, db: Database) -> CaseRun:
    """A refund case whose unit asked the requester for information: it runs inside a call activity."""
    run = open_case(engine, db, "devolucion_saldos", REFUND)
    run.ask("Adjunte la certificación bancaria de la cuenta.")
    assert [t.element_id for t in run.view.open_tasks] == ["Activity_responder"]
    return run


def _in_every_file(files: dict[str, str], old: str, new: str) -> dict[str, str]:
    return {name: text.replace(old, new) for name, text in files.items()}


def test_a_task_inside_a_running_call_activity_moves_with_its_new_name(engine: Engine, db: Database) -> None:
    run = _asking(engine, db)
    v1 = engine.model_files(DESIGNER, "devolucion_saldos", 1).files
    _deploy(engine, "devolucion_saldos", _in_every_file(v1, 'name="Responder solicitud de información"',
                                                        'name="Responder la solicitud de información"'))
    assert engine.migrate_instances(DESIGNER, "devolucion_saldos", 1, 2).moved == [run.view.id]
    run.view = engine.show(run.view.id).instance
    assert [t.name for t in run.view.open_tasks] == ["Responder la solicitud de información"]
    run.answer("Adjunto la certificación.")
    run.resolve()
    assert run.view.status == "completed" and run.case().status == "resuelto"


def test_a_running_call_activity_whose_process_is_gone_is_refused(engine: Engine, db: Database) -> None:
    run = _asking(engine, db)
    v1 = engine.model_files(DESIGNER, "devolucion_saldos", 1).files
    _deploy(engine, "devolucion_saldos", _in_every_file(v1, "caso_pedir_informacion", "caso_pedir_datos"))
    before = _row(db, run.view.id)
    [check] = engine.migrate_instances(DESIGNER, "devolucion_saldos", 1, 2).refused
    assert check.reasons == ["El subproceso en curso «Pedir información al solicitante» (Call_informacion_revision) "
                             "no existe en la versión 2."]
    assert _row(db, run.view.id) == before
