"""Many open instances fast, for load tests and demos: copies of real instances waiting on one human task.

Starting an instance runs its model (forms, handlers, the workflow, the audit): about 150 a second. To reach
100,000 open tasks in a minute, ``clone_open_instances`` copies instances that were started for real and wait on
exactly one human task. Each copy gets its own task ids inside the workflow state (so it is a separate, workable
instance: claim and complete run as on the original), its own business key, creation time and due date, and an
``instance_started`` plus ``task_created`` event saying what it was copied from. Rows go in with multi-row inserts.
"""

from __future__ import annotations

import json
import random
import re
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import Table, bindparam, insert, select, update

from engine.db import Database
from engine.errors import Conflict, NotFound
from engine.models import Event, HumanTask, Instance, TaskStatus
from engine.store import default_business_key

INSTANCE = cast(Table, Instance.__table__)
TASK = cast(Table, HumanTask.__table__)
EVENT = cast(Table, Event.__table__)
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_SET_KEY = update(INSTANCE).where(INSTANCE.c.id == bindparam("b_id")).values(business_key=bindparam("b_key"))


@dataclass(frozen=True)
class _Template:
    """A started instance waiting on one task, its state cut at every UUID so copies get fresh ones."""

    instance: Any
    task: Any
    pieces: list[str]  # text between UUIDs
    slots: list[int]  # which distinct UUID goes after each piece but the last
    distinct: int
    task_slot: int  # the slot of the open task's spiff id
    due_after: timedelta | None

    @classmethod
    def of(cls, instance: Any, task: Any) -> _Template:
        text = json.dumps(instance.state)
        found = _UUID.findall(text)
        order: dict[str, int] = {}
        for value in found:
            order.setdefault(value, len(order))
        if task.spiff_task_id not in order:
            raise Conflict(f"La instancia {instance.id} no guarda la tarea {task.id} en su estado.")
        return cls(instance, task, _UUID.split(text), [order[v] for v in found], len(order),
                   order[task.spiff_task_id], task.due_at - task.created_at if task.due_at else None)

    def state(self) -> tuple[dict[str, Any], str]:
        """A copy of the state with new UUIDs, and the open task's new spiff id."""
        fresh = [str(uuid.uuid4()) for _ in range(self.distinct)]
        parts: list[str] = []
        for piece, slot in zip(self.pieces, self.slots, strict=False):
            parts.append(piece)
            parts.append(fresh[slot])
        parts.append(self.pieces[-1])
        return json.loads("".join(parts)), fresh[self.task_slot]


def _templates(db: Database, instance_ids: Sequence[int]) -> list[_Template]:
    found: list[_Template] = []
    with db.read() as session:
        for instance_id in instance_ids:
            instance = session.execute(select(INSTANCE).where(INSTANCE.c.id == instance_id)).first()
            if instance is None:
                raise NotFound(f"No existe la instancia {instance_id}.")
            tasks = session.execute(select(TASK).where(TASK.c.instance_id == instance_id,
                                                       TASK.c.status == TaskStatus.OPEN)).all()
            if len(tasks) != 1:
                raise Conflict(f"La instancia {instance_id} no espera exactamente una tarea ({len(tasks)}).")
            found.append(_Template.of(instance, tasks[0]))
    return found


def clone_open_instances(db: Database, template_ids: Sequence[int], count: int, now: datetime,
                         spread: timedelta = timedelta(days=30), batch: int = 2000, seed: int = 16,
                         progress: Callable[[int], None] | None = None) -> int:
    """Add ``count`` copies of the templates (in turn), created at random times within ``spread`` before ``now``.

    Returns how many were added. ``progress`` is called with the size of each committed batch.
    """
    templates = _templates(db, template_ids)
    if not templates:
        raise NotFound("No hay instancias que copiar.")
    rng = random.Random(seed)
    spread_seconds = int(spread.total_seconds())
    done = 0
    while done < count:
        size = min(batch, count - done)
        chosen = [templates[(done + i) % len(templates)] for i in range(size)]
        created = [now - timedelta(seconds=rng.randrange(spread_seconds + 1)) for _ in range(size)]
        states = [t.state() for t in chosen]
        with db.write() as session:
            conn = session.connection()
            ids = conn.execute(
                insert(INSTANCE).returning(INSTANCE.c.id, sort_by_parameter_order=True),
                [_instance_values(t.instance, state, at) for t, (state, _), at in zip(chosen, states, created,
                                                                                      strict=True)]).scalars().all()
            keys = [default_business_key(t.instance.process_id, at, i) for t, at, i in zip(chosen, created, ids,
                                                                                             strict=True)]
            conn.execute(_SET_KEY, [{"b_id": i, "b_key": k} for i, k in zip(ids, keys, strict=True)])
            task_ids = conn.execute(
                insert(TASK).returning(TASK.c.id, sort_by_parameter_order=True),
                [_task_values(t, i, k, spiff, at) for t, i, k, (_, spiff), at in zip(chosen, ids, keys, states,
                                                                                      created, strict=True)]
            ).scalars().all()
            conn.execute(insert(EVENT), [e for t, i, task_id, at in zip(chosen, ids, task_ids, created, strict=True)
                                         for e in _events(t, i, task_id, at)])
        done += size
        if progress is not None:
            progress(size)
    return done


def _instance_values(source: Any, state: dict[str, Any], at: datetime) -> dict[str, Any]:
    return {"process_version_id": source.process_version_id, "process_id": source.process_id, "business_key": None,
            "subject": source.subject, "status": source.status, "initiator": source.initiator, "state": state,
            "serializer_version": source.serializer_version, "steps": source.steps, "row_version": 1,
            "created_at": at, "updated_at": at, "ended_at": None}


def _task_values(template: _Template, instance_id: int, key: str, spiff_id: str, at: datetime) -> dict[str, Any]:
    task = template.task
    return {"instance_id": instance_id, "spiff_task_id": spiff_id, "element_id": task.element_id,
            "name": task.name, "process_id": task.process_id, "business_key": key, "subject": task.subject,
            "role": task.role, "assignee": task.assignee, "status": TaskStatus.OPEN, "form": task.form,
            "created_at": at, "due_at": at + template.due_after if template.due_after else None,
            "completed_by": None, "completed_at": None}


def _events(template: _Template, instance_id: int, task_id: int, at: datetime) -> list[dict[str, Any]]:
    task, source = template.task, template.instance
    common = {"instance_id": instance_id, "at": at, "actor": source.initiator, "from_status": None,
              "to_status": None}
    return [{**common, "kind": "instance_started", "element_id": None, "element_name": None,
             "detail": {"copied_from": source.id}},
            {**common, "kind": "task_created", "element_id": task.element_id, "element_name": task.name,
             "detail": {"task_id": task_id, "role": task.role}}]
