"""A controllable clock and event-model paths shared by the timer and message tests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from engine.runtime import Engine
from engine.worker import Worker

EVENT_MODELS = Path(__file__).resolve().parent.parent / "data" / "events"
T0 = datetime(2026, 3, 2, 13, 0, tzinfo=UTC)


@dataclass
class Clock:
    """The engine's and the worker's clock in a test: time moves only when the test says so."""

    now: datetime = T0

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


def drain(engine: Engine, clock: Clock, name: str = "w1") -> int:
    """Run a worker on ``clock`` until nothing is due; returns how many jobs ran."""
    worker = Worker(engine, name, clock=clock)
    total = 0
    while ran := worker.run_once():
        total += ran
    return total
