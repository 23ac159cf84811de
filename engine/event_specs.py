"""What a model's events and asynchronous tasks ask of the engine, read once when the model is compiled.

Most models have no timers or messages; their steps then skip every event-related statement.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from SpiffWorkflow.bpmn.specs.bpmn_process_spec import BpmnProcessSpec
from SpiffWorkflow.bpmn.specs.event_definitions.message import MessageEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.simple import NoneEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.bpmn.specs.mixins.events.event_types import CatchingEvent, ThrowingEvent
from SpiffWorkflow.bpmn.specs.mixins.events.start_event import StartEvent
from SpiffWorkflow.specs.base import TaskSpec

CORRELATION_PROPERTY = "correlationKey"
ASYNC_PROPERTY = "asynchronous"  # on a service task: run by the worker, after the step that reached it commits
# The name a correlation expression may use besides the task data: the instance's case number.
CASE_NUMBER = "case_number"


@dataclass(frozen=True)
class TimerStart:
    """A timer start event: instances are started by the scheduler when it falls due."""

    element_id: str
    kind: str  # "date", "duration" or "cycle"
    expression: str


@dataclass(frozen=True)
class EventSpecs:
    has_timers: bool = False
    catches_messages: bool = False
    throws_messages: bool = False
    message_start: str | None = None  # the (first) message name that starts an instance, if any start event has one
    timer_start: TimerStart | None = None
    correlation: dict[str, str] = field(default_factory=dict)  # element id -> correlationKey expression
    asynchronous: frozenset[str] = frozenset()  # ids of the service tasks the worker runs
    none_start: str | None = None  # the start event without a trigger: the one a person starts by hand
    message_starts: dict[str, str] = field(default_factory=dict)  # message name -> id of the start event it sets off
    # The messageVariable of each message start event: present as None in an instance another start event began,
    # so an expression may ask how the instance was started (as an empty optional form field is None).
    start_variables: frozenset[str] = frozenset()

    @property
    def any(self) -> bool:
        return self.has_timers or self.catches_messages or self.throws_messages or bool(self.asynchronous)

    @property
    def startable_by_hand(self) -> bool:
        """A process only messages start (another pool's request) would wait forever if started by hand."""
        return self.none_start is not None or not self.message_starts


def _all_task_specs(spec: BpmnProcessSpec, subprocess_specs: dict[str, BpmnProcessSpec]) -> Iterable[TaskSpec]:
    yield from spec.task_specs.values()
    for sub in subprocess_specs.values():
        yield from sub.task_specs.values()


def _timer_kind(definition: TimerEventDefinition) -> str:
    name = type(definition).__name__
    return "cycle" if name.startswith("Cycle") else "duration" if name.startswith("Duration") else "date"


def read_event_specs(spec: BpmnProcessSpec, subprocess_specs: dict[str, BpmnProcessSpec]) -> EventSpecs:
    """Read the model's events, and mark its asynchronous service tasks manual (the spec is this version's own
    parse, never shared with another version)."""
    has_timers = catches = throws = False
    correlation: dict[str, str] = {}
    asynchronous: set[str] = set()
    for task_spec in _all_task_specs(spec, subprocess_specs):
        if is_asynchronous(task_spec):
            # A manual task is one do_engine_steps leaves READY: the step stops there and a job runs it.
            task_spec.manual = True
            asynchronous.add(str(task_spec.bpmn_id))
        definition = getattr(task_spec, "event_definition", None)
        if isinstance(definition, TimerEventDefinition) and not isinstance(task_spec, StartEvent):
            has_timers = True
        if isinstance(definition, MessageEventDefinition):
            catches = catches or (isinstance(task_spec, CatchingEvent) and not isinstance(task_spec, StartEvent))
            throws = throws or isinstance(task_spec, ThrowingEvent)
            properties = (getattr(task_spec, "extensions", None) or {}).get("properties") or {}
            if properties.get(CORRELATION_PROPERTY):
                correlation[str(task_spec.bpmn_id)] = str(properties[CORRELATION_PROPERTY])
    timer_start: TimerStart | None = None
    message_starts: dict[str, str] = {}
    variables: set[str] = set()
    for task_spec in spec.task_specs.values():
        if not isinstance(task_spec, StartEvent) or task_spec.bpmn_id is None:
            continue
        definition = task_spec.event_definition
        if isinstance(definition, MessageEventDefinition):
            message_starts.setdefault(definition.name, str(task_spec.bpmn_id))
            if getattr(definition, "message_var", None):
                variables.add(str(definition.message_var))
        elif isinstance(definition, TimerEventDefinition):
            timer_start = TimerStart(str(task_spec.bpmn_id), _timer_kind(definition), str(definition.expression))
    manual = manual_start_spec(spec)
    return EventSpecs(has_timers, catches, throws, next(iter(message_starts), None), timer_start, correlation,
                      frozenset(asynchronous), str(manual.bpmn_id) if manual is not None else None, message_starts,
                      frozenset(variables))


def manual_start_spec(spec: BpmnProcessSpec) -> TaskSpec | None:
    """The process's start event without a trigger (no message, timer or other event definition), if any."""
    for task_spec in spec.task_specs.values():
        if isinstance(task_spec, StartEvent) and task_spec.bpmn_id is not None \
                and type(task_spec.event_definition) is NoneEventDefinition:
            return task_spec
    return None


def is_asynchronous(task_spec: TaskSpec) -> bool:
    if type(task_spec).__name__ != "ServiceTask":
        return False
    properties = (getattr(task_spec, "extensions", None) or {}).get("properties") or {}
    return str(properties.get(ASYNC_PROPERTY, "")).strip().lower() == "true"
