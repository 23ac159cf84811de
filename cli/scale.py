"""`cauce demo --scale N`: N open PRO-MAA-16 requests waiting on TIC's review, for load tests and demos.

A few requests are started for real (one per demo payment, by coord.bogota); the rest are copies of those
(engine/bulk.py), inserted in batches. Every one is a real open instance: its task shows in the inbox and can be
claimed and completed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import timedelta
from typing import Any

from engine.bulk import clone_open_instances
from engine.db import utcnow
from engine.errors import CauceError, Conflict
from engine.runtime import Engine

PROCESS = "pro_maa_16"
REQUESTER = "coord.bogota"


def start_templates(engine: Engine, payments: Sequence[dict[str, Any]], limit: int) -> list[int]:
    """Start up to ``limit`` real requests, one per payment, keeping those that wait on exactly one task."""
    found: list[int] = []
    for payment in payments[:limit]:
        try:
            view = engine.start(PROCESS, REQUESTER, dict(payment["start_data"]))
        except CauceError:
            continue
        if len(view.open_tasks) == 1:
            found.append(view.id)
    return found


def scale(engine: Engine, payments: Sequence[dict[str, Any]], count: int,
          progress: Callable[[int], None] | None = None, spread: timedelta = timedelta(days=30)) -> dict[str, Any]:
    """Make ``count`` open instances (a few started for real, the rest copies); returns what was made."""
    if count <= 0:
        return {"instances": 0, "started": 0, "copied": 0}
    templates = start_templates(engine, payments, min(count, len(payments)))
    if not templates:
        raise Conflict(f"No se pudo iniciar ninguna solicitud de {PROCESS}: ¿está desplegado?")
    if progress is not None:
        progress(len(templates))
    copied = clone_open_instances(engine.db, templates, count - len(templates), utcnow(), spread=spread,
                                  progress=progress)
    return {"instances": len(templates) + copied, "started": len(templates), "copied": copied,
            "templates": templates}
