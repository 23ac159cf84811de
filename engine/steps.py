"""Running one step of one instance inside the caller's transaction: the workflow moves, handlers write,
the human-task rows and the audit trail follow, and the instance row gets its new state."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.task import TaskState
from sqlalchemy.orm import Session

from engine import store
from engine.compiler import CompiledModel
from engine.durations import parse_duration
from engine.event_specs import EventSpecs, is_asynchronous
from engine.identity import REQUESTER_ROLE
from engine.messages import Waiting
from engine.models import InstanceStatus, TaskStatus
from engine.scripting import CauceScriptEngine, StepContext, step_context, to_json_value
from engine.state import SERIALIZER_VERSION, dump_state, load_state, prune_history
from engine.store import LiveInstance
from engine.timers import engine_time
from engine.views import TaskView
from engine.waits import EventExpressionError, Thrown, collect_thrown, sync_waits, waiting_messages

# Prune inside long automatic runs too, so a loop of service or script tasks cannot outgrow the tree.
PRUNE_EVERY_ENGINE_TASKS = 100


class StepError(Exception):
    """A step failed inside the workflow; ``cause`` is the original exception, ``element_id`` where."""

    def __init__(self, cause: BaseException, element_id: str | None, element_name: str | None) -> None:
        super().__init__(str(cause))
        self.cause = cause
        self.element_id = element_id
        self.element_name = element_name
        self.instance_id: int | None = None
        self.retry: dict[str, Any] = {}


@dataclass
class StepRecorder:
    """Collects what a step did, to be written as audit events once the step has succeeded."""

    instance_id: int
    actor: str
    now: datetime
    ctx: StepContext
    case_number: str | None = None
    events: list[dict[str, Any]] = field(default_factory=list)
    current: Task | None = None
    ran: int = 0
    thrown: list[Thrown] = field(default_factory=list)  # message events thrown in this step, in order
    waiting: list[Waiting] = field(default_factory=list)  # message events the instance waits at after it
    step_number: int = 0

    def event(self, kind: str, element_id: str | None = None, element_name: str | None = None,
              from_status: str | None = None, to_status: str | None = None, **detail: Any) -> None:
        self.events.append({"instance_id": self.instance_id, "at": self.now, "actor": self.actor, "kind": kind,
                            "element_id": element_id, "element_name": element_name, "from_status": from_status,
                            "to_status": to_status, "detail": to_json_value(detail)})


def restore(instance: Any, model: CompiledModel, script_engine: CauceScriptEngine) -> BpmnWorkflow:
    assert instance.state is not None, "the instance's state was not loaded"
    workflow = load_state(instance.state, instance.serializer_version, model.spec, model.subprocess_specs)
    workflow.script_engine = script_engine
    return workflow


def element_of(task: Task) -> tuple[str | None, str | None]:
    spec = task.task_spec
    return getattr(spec, "bpmn_id", None), getattr(spec, "bpmn_name", None) or getattr(spec, "bpmn_id", None)


def advance(workflow: BpmnWorkflow, recorder: StepRecorder, first: Callable[[], None] | None = None,
            events: EventSpecs | None = None) -> None:
    """Run ``first`` (e.g. completing a user task), fire the timers that fell due, then every engine task that
    becomes ready. Timers read the step's clock (``recorder.now``), never the wall clock."""

    def will_run(task: Task) -> None:
        recorder.current = task
        recorder.ctx.calls.clear()

    def did_run(task: Task) -> None:
        element_id, name = element_of(task)
        if element_id is not None:
            detail: dict[str, Any] = {"type": type(task.task_spec).__name__}
            if recorder.ctx.calls:
                detail["calls"] = list(recorder.ctx.calls)
            recorder.event("task_run", element_id, name, **detail)
        recorder.ctx.calls.clear()
        if events is not None and events.throws_messages:
            collect_thrown(task, events, recorder.case_number, recorder.thrown)
        recorder.current = None
        recorder.ran += 1
        if recorder.ran % PRUNE_EVERY_ENGINE_TASKS == 0:
            prune_history(workflow)

    with step_context(recorder.ctx), engine_time(recorder.now):
        try:
            if first is not None:
                first()
            if events is not None and events.has_timers:
                workflow.refresh_timers()
            workflow.do_engine_steps(will_complete_task=will_run, did_complete_task=did_run)
            if events is not None and events.catches_messages:
                recorder.waiting = waiting_messages(workflow, events, recorder.case_number)
        except Exception as exc:
            if isinstance(exc, EventExpressionError):
                recorder.current, exc = exc.task, exc.cause  # type: ignore[assignment]
            cause = recorder.ctx.failure or exc
            element_id, name = element_of(recorder.current) if recorder.current else (None, None)
            raise StepError(cause, element_id, name) from exc


def current_data(workflow: BpmnWorkflow) -> dict[str, Any]:
    if workflow.is_completed():
        return dict(workflow.data)
    merged: dict[str, Any] = {}
    for task in workflow.get_tasks(state=TaskState.READY | TaskState.WAITING | TaskState.STARTED):
        merged.update(task.data)
    return dict(to_json_value(merged))


def ready_human_tasks(workflow: BpmnWorkflow) -> dict[str, Task]:
    return {str(t.id): t for t in workflow.get_tasks(state=TaskState.READY, manual=True)
            if not is_asynchronous(t.task_spec)}


def save(session: Session, instance: LiveInstance, workflow: BpmnWorkflow, recorder: StepRecorder,
         ready_before: set[str], completed_task_id: str | None = None, events: EventSpecs | None = None) -> None:
    """Prune, persist the state, sync the human-task rows, set the status and write the audit events; then
    what the instance waits for (timers, messages) and the messages it sent.

    ``ready_before`` are the human tasks that were ready when the step began (each has an open row).
    """
    prune_history(workflow)
    ready = ready_human_tasks(workflow)
    for spiff_id in ready_before - ready.keys():
        done = spiff_id == completed_task_id
        if not done:
            row = store.load_task_by_spiff_id(session, spiff_id)
            recorder.event("task_cancelled", row.element_id if row else None, row.name if row else None,
                           task_id=row.id if row else None)
        store.close_task_by_spiff_id(session, spiff_id, TaskStatus.COMPLETED if done else TaskStatus.CANCELLED,
                                     recorder.actor if done else None, recorder.now)
    still_open: list[TaskView] = []
    if ready_before & ready.keys():
        still_open = [store.task_view(row) for row in store.open_task_rows(session, instance.id)
                      if row.spiff_task_id in ready_before]
    for spiff_id in ready.keys() - ready_before:
        still_open.append(_open_human_task(session, instance, spiff_id, ready[spiff_id], recorder))

    old_status = instance.status
    if workflow.is_completed():
        instance.status = InstanceStatus.COMPLETED
        instance.ended_at = recorder.now
    elif old_status != InstanceStatus.SUSPENDED:
        instance.status = InstanceStatus.RUNNING if still_open else InstanceStatus.WAITING
    if instance.status != old_status:
        recorder.event("status_changed", from_status=old_status.value, to_status=instance.status.value)
    recorder.step_number = instance.steps + 1
    # Before the dump: thrown messages leave the workflow's event list here, so no later load sends them again.
    thrown = workflow.get_events()
    if events is not None and events.any:
        sync_waits(session, instance.id, thrown, workflow, recorder, events, finished=workflow.is_completed())
    instance.state = dump_state(workflow)
    instance.serializer_version = SERIALIZER_VERSION
    instance.steps += 1
    instance.updated_at = recorder.now
    instance.open_tasks = sorted(still_open, key=lambda t: t.id)
    store.write_instance(session, instance)
    store.insert_events(session, recorder.events)


def human_task_fields(task: Task, opened_at: datetime) -> dict[str, Any]:
    """What a human-task row says of its task's spec: element, name, role, form and due time (counted from when
    the task opened). A new row and a row moved to a newer version read them alike."""
    element_id, name = element_of(task)
    properties = task.task_spec.extensions.get("properties") or {}
    due_in = properties.get("dueIn")
    return {"element_id": element_id or "", "name": name or "", "role": task.task_spec.lane or "",
            "form": properties.get("formJsonSchemaFilename"),
            "due_at": opened_at + parse_duration(due_in) if due_in else None}


def _open_human_task(session: Session, instance: LiveInstance, spiff_id: str, task: Task,
                     recorder: StepRecorder) -> TaskView:
    fields = human_task_fields(task, recorder.now)
    role = fields["role"]
    values: dict[str, Any] = {
        "instance_id": instance.id, "spiff_task_id": spiff_id, **fields,
        "process_id": instance.process_id, "business_key": instance.business_key, "subject": instance.subject,
        "assignee": instance.initiator if role == REQUESTER_ROLE else None, "status": TaskStatus.OPEN,
        "created_at": recorder.now, "completed_by": None, "completed_at": None,
    }
    task_id = store.insert_task(session, values)
    recorder.event("task_created", fields["element_id"] or None, fields["name"] or None, task_id=task_id, role=role)
    values.pop("spiff_task_id")
    return TaskView(id=task_id, **{**values, "status": TaskStatus.OPEN.value})
