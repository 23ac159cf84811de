"""Pointing one workflow at a newer version's specs, in memory: SpiffWorkflow's diff says which of its running
tasks have no counterpart (or a counterpart of another kind), and ``migrate_workflow`` moves the rest."""

from __future__ import annotations

from copy import deepcopy
from datetime import datetime
from typing import Any

from SpiffWorkflow.bpmn.util.diff import WorkflowDiff, diff_workflow, migrate_workflow
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.task import TaskState

from engine.compiler import CompiledModel
from engine.state import SERIALIZER, SERIALIZER_VERSION, dump_state, load_state
from engine.steps import element_of
from engine.timers import engine_time

ACTIVE = TaskState.READY | TaskState.WAITING | TaskState.STARTED


def move_workflow(workflow: BpmnWorkflow, new: CompiledModel, to_version: int, now: datetime,
                  script_engine: Any) -> tuple[list[str], BpmnWorkflow | None]:
    """Point ``workflow`` (top process and running subprocesses) at ``new``'s specs. Returns the reasons it
    cannot move, or none and the moved workflow, reloaded from its new state so that nothing in it (the event
    manager's list of waiting tasks included) still refers to the old specs."""
    top, subs = diff_workflow(SERIALIZER.registry, workflow, new.spec, new.subprocess_specs)
    reasons = _blocking(workflow, top, subs, to_version)
    if reasons:
        return reasons, None
    try:
        _migrate(workflow, top, subs, new, now)
        reasons = _stale_tasks(workflow, to_version)
        if reasons:
            return reasons, None
        moved = load_state(dump_state(workflow), SERIALIZER_VERSION, new.spec, new.subprocess_specs)
    except Exception as exc:  # a shape the library cannot move (it raises its own errors): refuse, don't fail
        return [f"No se pudo trasladar la instancia a la versión {to_version}: {exc}"], None
    moved.script_engine = script_engine
    return [], moved


def _migrate(workflow: BpmnWorkflow, top: WorkflowDiff, subs: dict[Any, WorkflowDiff | None], new: CompiledModel,
             now: datetime) -> None:
    # migrate_workflow re-predicts every ready or waiting task from scratch: keep what they held, so a waiting
    # timer keeps its due time instead of starting again from the moment of the migration.
    kept = {task.id: (task.state, deepcopy(task.data), deepcopy(task.internal_data))
            for task in workflow.get_tasks(state=TaskState.READY | TaskState.WAITING)}
    with engine_time(now):
        for sp_id, sub in list(workflow.subprocesses.items()):
            diff = subs[sp_id]
            assert diff is not None  # _blocking refused missing subprocess specs
            migrate_workflow(diff, sub, new.subprocess_specs[sub.spec.name])
        migrate_workflow(top, workflow, new.spec)
        workflow.subprocess_specs = dict(new.subprocess_specs)
        for task_id, (state, data, internal) in kept.items():
            task = workflow.get_task_from_id(task_id)
            if task is not None and task.state == state:
                task.data, task.internal_data = data, internal


def _blocking(workflow: BpmnWorkflow, top: WorkflowDiff, subs: dict[Any, WorkflowDiff | None],
              to_version: int) -> list[str]:
    reasons = _task_reasons(workflow.get_tasks(state=ACTIVE, skip_subprocesses=True), top, to_version)
    for sp_id, sub in workflow.subprocesses.items():
        diff = subs.get(sp_id)
        if diff is None:
            caller = workflow.get_task_from_id(sp_id)
            element_id, name = element_of(caller) if caller is not None else (sub.spec.name, sub.spec.name)
            reasons.append(f"El subproceso en curso «{name}» ({element_id}) no existe en la versión {to_version}.")
        else:
            reasons += _task_reasons(sub.get_tasks(state=ACTIVE, skip_subprocesses=True), diff, to_version)
    return list(dict.fromkeys(reasons))


def _task_reasons(tasks: list[Task], diff: WorkflowDiff, to_version: int) -> list[str]:
    reasons = []
    for task in tasks:
        element_id, name = element_of(task)
        element_id = element_id or task.task_spec.name
        aligned = diff.alignment.get(task)
        if aligned is None:
            reasons.append(f"La tarea en curso «{name or element_id}» ({element_id}) no existe en la versión "
                           f"{to_version}.")
        elif type(aligned) is not type(task.task_spec):
            reasons.append(f"La tarea en curso «{name or element_id}» ({element_id}) cambió de tipo en la versión "
                           f"{to_version} ({type(task.task_spec).__name__} → {type(aligned).__name__}).")
    return reasons


def _stale_tasks(workflow: BpmnWorkflow, to_version: int) -> list[str]:
    """Tasks still kept on an old spec after the move (a finished step the instance's state keeps, or a step
    predicted under a running subprocess) have no counterpart to be restored with: refuse rather than break."""
    reasons = []
    for flow in (workflow, *workflow.subprocesses.values()):
        for task in flow.tasks.values():
            if flow.spec.task_specs.get(task.task_spec.name) is not task.task_spec:
                element_id, name = element_of(task)
                element_id = element_id or task.task_spec.name
                reasons.append(f"El paso «{name or element_id}» ({element_id}) que la instancia conserva no existe "
                               f"en la versión {to_version}.")
    return list(dict.fromkeys(reasons))
