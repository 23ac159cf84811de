"""Timer start events: when a process's next instance is due, kept as one ``timer_start`` job per occurrence.

Deploying a version with a timer start event schedules its first occurrence (and drops the occurrences the
previous version had scheduled). Each occurrence, when run, starts one instance and schedules the next one for a
cycle (``R3/2026-12-01T08:00:00Z/P1D``: three instances, a day apart; ``R/...``: without end).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from sqlalchemy import delete
from sqlalchemy.orm import Session

from engine import jobs
from engine.event_specs import TimerStart
from engine.timers import engine_time

TIMER_START_KIND = "timer_start"


@dataclass(frozen=True)
class Occurrence:
    due: datetime
    remaining: int  # occurrences after this one; -1 without end
    period_seconds: float

    def following(self) -> Occurrence | None:
        if self.remaining == 0 or self.period_seconds <= 0:
            return None
        return Occurrence(self.due + timedelta(seconds=self.period_seconds),
                          self.remaining - 1 if self.remaining > 0 else -1, self.period_seconds)


def _utc(value: datetime) -> datetime:
    return datetime.fromtimestamp(value.timestamp(), UTC)


def first_occurrence(timer: TimerStart, evaluate: Any, now: datetime) -> Occurrence | None:
    """The first occurrence of a timer start event at ``now``; ``evaluate`` turns its expression into text.
    Raises ValueError when the expression is not a valid ISO 8601 date, duration or cycle."""
    with engine_time(now):
        text = evaluate(timer.expression)
        if not isinstance(text, str):
            raise ValueError(f"el temporizador debe dar un texto ISO 8601, no {type(text).__name__}")
        try:
            if timer.kind == "date":
                return Occurrence(_utc(TimerEventDefinition.get_datetime(text)), 0, 0)
            if timer.kind == "duration":
                parsed = TimerEventDefinition.parse_iso_duration(text)
                return Occurrence(now + TimerEventDefinition.get_timedelta_from_start(parsed, now), 0, 0)
            cycles, start, period = TimerEventDefinition.parse_iso_recurring_interval(text)
        except Exception as exc:  # the library raises bare Exceptions for malformed values
            raise ValueError(f"«{text}» no es una fecha, duración o ciclo ISO 8601 válido") from exc
    if cycles == 0:
        return None
    return Occurrence(_utc(start), cycles - 1 if cycles > 0 else -1, period.total_seconds())


def schedule(session: Session, process_id: str, occurrence: Occurrence | None) -> int | None:
    """Queue an occurrence (once: a second schedule of the same one is a no-op)."""
    if occurrence is None:
        return None
    payload = {"process_id": process_id, "due": occurrence.due.isoformat(), "remaining": occurrence.remaining,
               "period_seconds": occurrence.period_seconds}
    return jobs.enqueue(session, TIMER_START_KIND, occurrence.due, payload,
                        dedupe_key=f"timer_start:{process_id}:{occurrence.due.isoformat()}")


def unschedule(session: Session, process_id: str) -> None:
    """Drop the pending occurrences of a process (a new version brings its own timer)."""
    session.execute(delete(jobs.Job).where(jobs.Job.kind == TIMER_START_KIND,
                                           jobs.Job.status == jobs.JobStatus.PENDING,
                                           jobs.Job.dedupe_key.like(f"timer_start:{process_id}:%")))


def occurrence_of(payload: dict[str, Any]) -> Occurrence:
    return Occurrence(datetime.fromisoformat(str(payload["due"])), int(payload["remaining"]),
                      float(payload["period_seconds"]))
