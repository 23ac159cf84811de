"""Read models: inboxes straight from the task table, instance pages, and status changes."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session

from engine import store
from engine.errors import AlreadyCompleted, Conflict
from engine.models import Event, HumanTask, Incident, InstanceStatus, TaskStatus
from engine.steps import current_data
from engine.store import LiveInstance
from engine.views import EventView, IncidentView, InstanceDetail, InstanceView, TaskView, VersionInfo


def inbox_query(username: str, roles: set[str], include_group: bool = True) -> Select[HumanTask]:
    """Open tasks claimed by the user, plus (optionally) unclaimed ones of the user's roles."""
    mine = HumanTask.assignee == username
    condition = or_(mine, (HumanTask.assignee.is_(None)) & HumanTask.role.in_(sorted(roles))) if include_group \
        else mine
    return (select(HumanTask).where(HumanTask.status == TaskStatus.OPEN, condition)
            .order_by(HumanTask.created_at, HumanTask.id))


def tasks_for(session: Session, username: str, roles: set[str], include_group: bool = True) -> list[TaskView]:
    return [TaskView.of(row) for row in session.scalars(inbox_query(username, roles, include_group))]


def open_tasks(session: Session, instance_id: int) -> list[TaskView]:
    return [store.task_view(row) for row in store.open_task_rows(session, instance_id)]


def instance_detail(session: Session, instance: LiveInstance, info: VersionInfo,
                    workflow: BpmnWorkflow) -> InstanceDetail:
    events = session.scalars(select(Event).where(Event.instance_id == instance.id).order_by(Event.id))
    incidents = session.scalars(select(Incident).where(Incident.instance_id == instance.id).order_by(Incident.id))
    return InstanceDetail(
        instance=InstanceView.of(instance, info, open_tasks(session, instance.id)),
        data=current_data(workflow),
        history=[EventView.of(e) for e in events],
        incidents=[IncidentView.of(i) for i in incidents],
        state_bytes=len(json.dumps(instance.state)),
    )


def already_done(task: Any) -> AlreadyCompleted:
    return AlreadyCompleted(task.id, task.completed_by, task.completed_at, task.status.value)


def change_status(session: Session, instance: LiveInstance, actor: str, target: InstanceStatus | None,
                  now: datetime) -> None:
    """Suspend, resume (target None) or terminate an instance, audited."""
    old = instance.status
    if old.is_final:
        raise Conflict(f"La instancia {instance.id} ya terminó ({old.value}).")
    if target is None:
        if old != InstanceStatus.SUSPENDED:
            raise Conflict(f"La instancia {instance.id} no está suspendida.")
        has_open = bool(store.open_task_rows(session, instance.id))
        open_incident = session.scalars(select(Incident.id).where(Incident.instance_id == instance.id,
                                                                  Incident.resolved_at.is_(None))).first()
        target = (InstanceStatus.ERROR if open_incident else
                  InstanceStatus.RUNNING if has_open else InstanceStatus.WAITING)
    elif target == old:
        raise Conflict(f"La instancia {instance.id} ya está {old.value}.")
    instance.status = target
    instance.updated_at = now
    if target == InstanceStatus.TERMINATED:
        instance.ended_at = now
        for row in store.open_task_rows(session, instance.id):
            store.close_task(session, row.id, TaskStatus.CANCELLED, None, now)
    store.write_instance(session, instance)
    store.insert_events(session, [{"instance_id": instance.id, "at": now, "actor": actor, "kind": "status_changed",
                                   "element_id": None, "element_name": None, "from_status": old.value,
                                   "to_status": target.value, "detail": {}}])
