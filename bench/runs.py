"""The measured runs: the same processes purely in memory with SpiffWorkflow, and through cauce."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from SpiffWorkflow.bpmn import BpmnEvent
from SpiffWorkflow.bpmn.specs.event_definitions.message import MessageEventDefinition
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import select

from engine.compiler import CompiledModel
from engine.db import Database, utcnow
from engine.messages import Message
from engine.runtime import Engine
from engine.scripting import CauceScriptEngine, StepContext, step_context
from engine.state import SERIALIZER_VERSION, dump_state, load_state
from engine.worker import Worker

# What each person types, by task element id, for the two processes measured.
SIMPLE_ANSWERS: dict[str, tuple[str, dict[str, Any]]] = {
    "Activity_primera_revision": ("tic.ana", {"amount": 5000}),  # large: the gateway sends it to the service task
    "Activity_segunda_revision": ("tic.ana", {"ok": True}),
}
PRO_MAA_16_ANSWERS: dict[str, tuple[str, dict[str, Any]]] = {
    "Activity_revisar_solicitud": ("tic.ana", {"decision": "aprobar"}),
    "Activity_anular_factura": ("fact.luis", {"motivo_anulacion": "Corrección de estimación"}),
    "Activity_liberar_pago_ajuste": ("tic.ana", {"confirmacion": True}),
    "Activity_reclasificar": ("conta.maria", {"summary_type": "MATRICULA", "analytic_dimension": "PRE-2026A-ING"}),
}


def pro_maa_16_request(payment: str) -> dict[str, Any]:
    return {"payment": payment, "adjustment": "anulacion", "reason": "correccion_estimacion",
            "justification": "Cambio de tarifa por traslado de plan académico."}


@dataclass(frozen=True)
class Case:
    """One instance to run: its process, initiator, start data and the answers to its tasks."""

    process_id: str
    initiator: str
    start_data: dict[str, Any]
    answers: dict[str, tuple[str, dict[str, Any]]]


def rate(count: int, seconds: float) -> float:
    return count / seconds if seconds > 0 else float("inf")


def run_in_memory(models: Mapping[str, CompiledModel], script_engine: CauceScriptEngine, db: Database,
                  cases: list[Case]) -> float:
    """SpiffWorkflow alone: no state saved, no task rows, no audit. Handlers still run, on the same ledger,
    one transaction per human step as in cauce, so the difference measured is the engine's own persistence.
    Messages between pools are handed over in memory, straight away (``_hand_over``)."""
    started = time.perf_counter()
    for case in cases:
        main = _new_workflow(models[case.process_id], case.start_data, script_engine)
        live = [main]
        action: Callable[[], None] | None = None
        while True:
            with db.write() as session:
                ctx = StepContext(session=session, actor=case.initiator, initiator=case.initiator,
                                  instance_ref="bench", now=utcnow())
                with step_context(ctx):
                    if action is not None:
                        action()
                    for workflow in list(live):
                        workflow.do_engine_steps()
                    _hand_over(live, models, script_engine)
            ready = [t for workflow in live for t in workflow.get_tasks(state=TaskState.READY, manual=True)]
            if not ready:
                break
            task = ready[0]
            _, data = case.answers[task.task_spec.bpmn_id]

            def complete(task: Any = task, data: dict[str, Any] = data) -> None:
                task.data.update(data)
                task.run()

            action = complete
        assert main.is_completed(), case
    return rate(len(cases), time.perf_counter() - started)


def _new_workflow(model: CompiledModel, data: dict[str, Any], script_engine: CauceScriptEngine) -> BpmnWorkflow:
    workflow = BpmnWorkflow(model.spec, model.subprocess_specs, script_engine=script_engine)
    workflow.task_tree.data.update(data)
    return workflow


def _waiting_for(workflow: BpmnWorkflow, name: str) -> MessageEventDefinition | None:
    for task in workflow.event_manager.tasks.values():
        definition = task.task_spec.event_definition
        if isinstance(definition, MessageEventDefinition) and definition.name == name:
            return definition
    return None


def _hand_over(live: list[BpmnWorkflow], models: Mapping[str, CompiledModel],
               script_engine: CauceScriptEngine) -> None:
    """Deliver every message thrown to the workflow waiting for it, or to a new workflow of the model whose
    start event catches it: what cauce's worker does, without storing anything."""
    while thrown := [event for workflow in live for event in workflow.get_events()]:
        for event in thrown:
            name = event.event_definition.name
            target = next((w for w in live if _waiting_for(w, name) is not None), None)
            if target is None:
                model = next(m for m in models.values() if m.events.message_start == name)
                target = _new_workflow(model, {}, script_engine)
                target.do_engine_steps()
                live.append(target)
            definition = _waiting_for(target, name)
            assert definition is not None
            target.send_event(BpmnEvent(definition, event.payload))
            target.do_engine_steps()


def run_persisted(engine: Engine, cases: list[Case]) -> float:
    """Through cauce: every step stored; when an instance waits for another pool, the worker delivers the
    messages (as the background worker would) and the other pool's task is worked in its own instance."""
    worker = Worker(engine, "bench-worker")
    started = time.perf_counter()
    for case in cases:
        view = engine.start(case.process_id, case.initiator, case.start_data)
        while True:
            if view.open_tasks:
                task = view.open_tasks[0]
            elif view.status == "waiting":
                while worker.run_once():
                    pass
                task = _task_of_other_pool(engine, view.id)
            else:
                break
            actor, data = case.answers[task.element_id]
            after = engine.complete(task.id, actor, data)
            if after.id != view.id:
                while worker.run_once():
                    pass
                after = engine.show(view.id).instance
            view = after
        assert view.status == "completed", view
    return rate(len(cases), time.perf_counter() - started)


def _task_of_other_pool(engine: Engine, instance_id: int) -> Any:
    with engine.db.read() as session:
        target = session.scalar(select(Message.target_instance_id).where(Message.source_instance_id == instance_id)
                                .order_by(Message.id.desc()).limit(1))
    assert target is not None, f"instance {instance_id} waits, but sent no message"
    return engine.show(int(target)).instance.open_tasks[0]


def _advance_loop(engine: Engine, view: Any, rounds: int) -> Any:
    for _ in range(rounds):
        view = engine.complete(view.open_tasks[0].id, "tic.ana", {"again": True})
    return view


def step_costs(engine: Engine, checkpoints: list[int], window: int = 31) -> dict[int, float]:
    """Median seconds to complete the loop's task in instances that have already run N rounds, through cauce.

    One instance per checkpoint is first brought to its age; then they are stepped in turn, so every age is
    measured in the same moments of the machine's noise.
    """
    views = {c: _advance_loop(engine, engine.start("loop", "tic.ana", {}), c - 1) for c in checkpoints}
    samples: dict[int, list[float]] = {c: [] for c in checkpoints}
    for _ in range(window):
        for c in checkpoints:
            t0 = time.perf_counter()
            views[c] = engine.complete(views[c].open_tasks[0].id, "tic.ana", {"again": True})
            samples[c].append(time.perf_counter() - t0)
    return {c: statistics.median(v) for c, v in samples.items()}


def spiff_alone_step_costs(model: CompiledModel, checkpoints: list[int], window: int = 31) -> dict[int, float]:
    """The same loop with SpiffWorkflow's own tree (never pruned), saved and loaded around each step, for
    contrast. It cannot pass ~333 rounds (its tree iterator stops at depth 1000), so checkpoints stay below."""
    script_engine = CauceScriptEngine({})

    def step(state: dict[str, Any]) -> dict[str, Any]:
        workflow = load_state(state, SERIALIZER_VERSION, model.spec, model.subprocess_specs)
        workflow.script_engine = script_engine
        task = workflow.get_tasks(state=TaskState.READY, manual=True)[0]
        task.data.update({"again": True})
        task.run()
        workflow.do_engine_steps()
        return dump_state(workflow)

    states: dict[int, dict[str, Any]] = {}
    for c in checkpoints:
        workflow = BpmnWorkflow(model.spec, model.subprocess_specs, script_engine=script_engine)
        workflow.do_engine_steps()
        state = dump_state(workflow)
        for _ in range(c - 1):
            state = step(state)
        states[c] = state
    samples: dict[int, list[float]] = {c: [] for c in checkpoints}
    for _ in range(window):
        for c in checkpoints:
            t0 = time.perf_counter()
            states[c] = step(states[c])
            samples[c].append(time.perf_counter() - t0)
    return {c: statistics.median(v) for c, v in samples.items()}
