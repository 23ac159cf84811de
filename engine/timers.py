"""Timers: the engine's clock inside SpiffWorkflow, and when an instance's waiting timers fall due.

SpiffWorkflow's timer events read ``datetime.now()`` themselves. A step runs under ``engine_time(now)``, so a
timer's due time is computed from, and compared with, the step's own clock: the same clock the audit trail
uses, and one a test can set to any day without sleeping.

An instance does not get polled to see whether a timer fell due. After each step its waiting timers' due times
become ``timer`` wake-up jobs (indexed by due time in the job table); the worker claims a wake-up when it is due
and runs the instance's timers then. A wake-up for a timer that is gone by then (its task was completed) finds
nothing due and changes nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

import SpiffWorkflow.bpmn.specs.event_definitions.timer as spiff_timer
from SpiffWorkflow.bpmn.specs.event_definitions.timer import (
    CycleTimerEventDefinition,
    TimerEventDefinition,
)
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.task import Task

_REAL_DATETIME = datetime
_now: ContextVar[datetime | None] = ContextVar("cauce_engine_time", default=None)


class _EngineClockMeta(type):
    def __instancecheck__(cls, obj: object) -> bool:  # the module's isinstance(x, datetime) must still hold
        return isinstance(obj, _REAL_DATETIME)


class _EngineDatetime(_REAL_DATETIME, metaclass=_EngineClockMeta):
    """``datetime`` as SpiffWorkflow's timer module sees it: ``now()`` is the running step's clock."""

    @classmethod
    def now(cls, tz: Any = None) -> Any:
        at = _now.get()
        if at is None:
            return _REAL_DATETIME.now(tz)
        return at.astimezone(tz) if tz is not None else at.astimezone(UTC).replace(tzinfo=None)


spiff_timer.datetime = _EngineDatetime


@contextmanager
def engine_time(now: datetime) -> Iterator[None]:
    token = _now.set(now)
    try:
        yield
    finally:
        _now.reset(token)


def timer_tasks(workflow: BpmnWorkflow) -> list[Task]:
    """The tasks waiting on a timer, in this workflow and its subprocesses (one event manager holds them all)."""
    return [task for task in workflow.event_manager.tasks.values()
            if isinstance(task.task_spec.event_definition, TimerEventDefinition)]


def due_at(task: Task) -> datetime | None:
    """When a waiting timer task falls due (its next occurrence, for a cycle); None if not computed yet."""
    value = task._get_internal_data("event_value")
    if value is None:
        return None
    definition = task.task_spec.event_definition
    if isinstance(definition, CycleTimerEventDefinition):
        if not isinstance(value, dict) or value.get("cycles") == 0:
            return None
        value = value["next"]
    if not isinstance(value, str):
        return None
    try:
        parsed = TimerEventDefinition.get_datetime(value)
    except ValueError:
        return None
    return _REAL_DATETIME.fromtimestamp(parsed.timestamp(), UTC)


def next_due_times(workflow: BpmnWorkflow) -> set[datetime]:
    """The distinct due times of the instance's waiting timers."""
    return {at for at in (due_at(task) for task in timer_tasks(workflow)) if at is not None}


def any_due(workflow: BpmnWorkflow, now: datetime) -> bool:
    return any(at < now for at in next_due_times(workflow))
