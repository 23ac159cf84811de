"""After a step: what the instance now waits for (timers, messages, asynchronous tasks) and the messages it sent.

Timers become wake-up jobs at their due times; message waits become subscription rows with their correlation
keys; thrown messages that no task of the same instance caught become stored messages with delivery jobs. All
of it is written in the step's own transaction, so a rolled-back step leaves no wake-up, subscription or message.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from SpiffWorkflow.bpmn import BpmnEvent
from SpiffWorkflow.bpmn.specs.event_definitions.message import MessageEventDefinition
from SpiffWorkflow.bpmn.specs.mixins.events.event_types import ThrowingEvent
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import delete
from sqlalchemy.orm import Session

from engine import jobs, messages
from engine.event_specs import CASE_NUMBER, EventSpecs
from engine.scripting import to_json_value
from engine.timers import due_at, next_due_times, timer_tasks

if TYPE_CHECKING:
    from engine.steps import StepRecorder

TIMER_KIND = "timer"
ASYNC_KIND = "async_task"


class EventExpressionError(Exception):
    """A correlation expression failed on ``task``; the step fails at that element."""

    def __init__(self, task: Task, cause: BaseException) -> None:
        super().__init__(str(cause))
        self.task = task
        self.cause = cause


@dataclass
class Thrown:
    definition: MessageEventDefinition
    element_id: str | None
    correlation_key: str | None


def _key(task: Task, expression: str | None, case_number: str | None) -> str | None:
    if not expression:
        return None
    try:
        value = task.workflow.script_engine.environment.evaluate(expression, {**task.data, CASE_NUMBER: case_number})
    except Exception as exc:
        raise EventExpressionError(task, exc) from exc
    return None if value is None else str(value)[:200]


def collect_thrown(task: Task, events: EventSpecs, case_number: str | None, into: list[Thrown]) -> None:
    """Note a message thrown by ``task`` (just run) with its correlation key, evaluated on the task's data."""
    spec = task.task_spec
    definition = getattr(spec, "event_definition", None)
    if isinstance(spec, ThrowingEvent) and isinstance(definition, MessageEventDefinition):
        element_id = getattr(spec, "bpmn_id", None)
        into.append(Thrown(definition, element_id, _key(task, events.correlation.get(element_id or ""), case_number)))


def waiting_messages(workflow: BpmnWorkflow, events: EventSpecs, case_number: str | None) -> list[messages.Waiting]:
    waiting = []
    for task in workflow.event_manager.tasks.values():
        definition = task.task_spec.event_definition
        if isinstance(definition, MessageEventDefinition):
            element_id = str(task.task_spec.bpmn_id)
            key = _key(task, events.correlation.get(element_id), case_number)
            waiting.append(messages.Waiting(definition.name, key, element_id))
    return waiting


def sync_waits(session: Session, instance_id: int, thrown: list[BpmnEvent], workflow: BpmnWorkflow,
               recorder: StepRecorder, events: EventSpecs, finished: bool) -> None:
    if events.has_timers:
        due_times = set() if finished else next_due_times(workflow)
        drop_wake_ups(session, instance_id, keep=due_times)
        for due in sorted(due_times):
            elements = sorted(str(t.task_spec.bpmn_id) for t in timer_tasks(workflow) if due_at(t) == due)
            jobs.enqueue(session, TIMER_KIND, due, {"elements": elements}, instance_id=instance_id,
                         dedupe_key=f"timer:{instance_id}:{due.isoformat()}")
    if events.asynchronous:
        for task in workflow.get_tasks(state=TaskState.READY, manual=True):
            element_id = str(task.task_spec.bpmn_id)
            if element_id in events.asynchronous:
                jobs.enqueue(session, ASYNC_KIND, recorder.now, {"task_id": str(task.id), "element_id": element_id},
                             instance_id=instance_id, dedupe_key=f"async:{instance_id}:{task.id}")
    if events.catches_messages:
        messages.replace_subscriptions(session, instance_id, [] if finished else recorder.waiting, recorder.now)
    if events.throws_messages:
        _send_thrown(session, instance_id, thrown, recorder)


def drop_wake_ups(session: Session, instance_id: int, keep: set[datetime] | None = None) -> None:
    """Forget the pending wake-ups of timers that went away (with their task, or with the instance), except those
    due at ``keep``, so nothing reports them as still waiting. Deleted, not marked done, so the same due time can
    be queued again should a timer come back to it."""
    stale = delete(jobs.Job).where(jobs.Job.instance_id == instance_id, jobs.Job.kind == TIMER_KIND,
                                   jobs.Job.status == jobs.JobStatus.PENDING)
    if keep:
        stale = stale.where(jobs.Job.due_at.not_in(sorted(keep)))
    session.execute(stale)


def _send_thrown(session: Session, instance_id: int, events: list[BpmnEvent], recorder: StepRecorder) -> None:
    thrown = list(recorder.thrown)
    for number, event in enumerate(events):
        definition = event.event_definition
        if not isinstance(definition, MessageEventDefinition):
            continue
        match = next((t for t in thrown if t.definition is definition), None)
        if match is not None:
            thrown.remove(match)
        payload: Any = to_json_value(event.payload)
        key = match.correlation_key if match else None
        element_id = match.element_id if match else None
        # The instance's step count makes the key unique per step; a retried step that rolled back reuses it.
        message_key = f"instance:{instance_id}:step:{recorder.step_number}:{number}"
        message_id = messages.send(session, message_key, definition.name, key, payload, recorder.actor,
                                   recorder.now, source_instance_id=instance_id, source_element_id=element_id)
        recorder.event("message_sent", element_id, definition.name, message_id=message_id, correlation_key=key)
