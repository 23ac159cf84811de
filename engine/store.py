"""The step's hot path in SQLAlchemy Core: a handful of statements per step, no ORM unit of work.

Inboxes and steps are the busiest paths of the product; the ORM's per-object bookkeeping cost more than the
workflow itself. Reads and writes here use the same tables (and column types) as the ORM models.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Connection, Table, bindparam, exists, insert, null, select, update
from sqlalchemy.orm import Session

from engine.identity import REQUESTER_ROLE, User, UserRole
from engine.models import Event, HumanTask, Instance, InstanceStatus, ProcessVersion, TaskStatus
from engine.views import TaskView

INSTANCE = cast(Table, Instance.__table__)
TASK = cast(Table, HumanTask.__table__)
EVENT = cast(Table, Event.__table__)


class StaleInstance(Exception):
    """The instance row changed under the step (another step committed first)."""


@dataclass
class LiveInstance:
    """The instance row as a step works on it; written back once, with an optimistic version check."""

    id: int
    process_version_id: int
    process_id: str
    business_key: str | None
    subject: str | None
    status: InstanceStatus
    initiator: str
    state: dict[str, Any] | None  # None until needed: see load_state_of
    serializer_version: str
    steps: int
    row_version: int
    created_at: datetime
    updated_at: datetime
    ended_at: datetime | None
    open_tasks: list[TaskView] = field(default_factory=list)

    @classmethod
    def of(cls, row: Any) -> LiveInstance:
        return cls(row.id, row.process_version_id, row.process_id, row.business_key, row.subject, row.status,
                   row.initiator,
                   row.state, row.serializer_version, row.steps, row.row_version, row.created_at,
                   row.updated_at, row.ended_at)


_INSTANCE_COLUMNS = [INSTANCE.c[name] for name in (
    "id", "process_version_id", "process_id", "business_key", "subject", "status", "initiator", "state",
    "serializer_version", "steps", "row_version", "created_at", "updated_at", "ended_at")]
_TASK_COLUMNS = [TASK.c[name] for name in (
    "id", "instance_id", "process_id", "business_key", "subject", "element_id", "name", "role", "assignee", "status",
    "form",
    "created_at", "due_at", "completed_by", "completed_at", "spiff_task_id")]


def task_view(row: Any) -> TaskView:
    return TaskView.of(row)


# Built once: constructing a statement costs more than running it (see bench/README.md).
_SELECT_TASK = select(*_TASK_COLUMNS).where(TASK.c.id == bindparam("task_id"))
_SELECT_INSTANCE = select(*_INSTANCE_COLUMNS).where(INSTANCE.c.id == bindparam("instance_id"))
_SELECT_INSTANCE_LOCKED = _SELECT_INSTANCE.with_for_update()
_SELECT_OPEN_TASKS = (select(*_TASK_COLUMNS)
                      .where(TASK.c.instance_id == bindparam("instance_id"), TASK.c.status == TaskStatus.OPEN)
                      .order_by(TASK.c.id))
# The step query leaves the state out: most steps find their workflow in the live cache (see live_cache.py).
_INSTANCE_LABELLED = [(c if c.name != "state" else null()).label(f"i_{c.name}") for c in _INSTANCE_COLUMNS]
_USERS = cast(Table, User.__table__)
_USER_ROLES = cast(Table, UserRole.__table__)
# One statement for everything a step on a task needs to know before it runs: the task, its instance, and
# whether the actor exists and holds the task's role.
_SELECT_STEP = (
    select(*_TASK_COLUMNS, *_INSTANCE_LABELLED,
           select(_USERS.c.active).where(_USERS.c.username == bindparam("actor")).scalar_subquery()
           .label("actor_active"),
           exists().where(_USER_ROLES.c.username == bindparam("actor"), _USER_ROLES.c.role == TASK.c.role)
           .label("actor_has_role"),
           exists().where(_USER_ROLES.c.username == bindparam("actor"), _USER_ROLES.c.role != REQUESTER_ROLE)
           .label("actor_is_staff"))
    .select_from(TASK.join(INSTANCE, INSTANCE.c.id == TASK.c.instance_id))
    .where(TASK.c.id == bindparam("task_id"))
)
_SELECT_STEP_LOCKED = _SELECT_STEP.with_for_update(of=INSTANCE)
_SELECT_STATE = select(INSTANCE.c.state).where(INSTANCE.c.id == bindparam("instance_id"))
_SELECT_ROLES = (select(User.active, UserRole.role).select_from(User.__table__)
                 .outerjoin(UserRole.__table__, UserRole.username == User.username)
                 .where(User.username == bindparam("username")))
_SELECT_LATEST_VERSION = (select(ProcessVersion.id).where(ProcessVersion.process_id == bindparam("process_id"))
                          .order_by(ProcessVersion.version.desc()).limit(1))
_INSERT_INSTANCE = insert(INSTANCE).returning(INSTANCE.c.id)
_UPDATE_INSTANCE = update(INSTANCE).where(INSTANCE.c.id == bindparam("b_id"),
                                          INSTANCE.c.row_version == bindparam("b_row_version"))
_INSERT_TASK = insert(TASK).returning(TASK.c.id)
_UPDATE_TASK = update(TASK).where(TASK.c.id == bindparam("b_id"))
_UPDATE_TASK_BY_SPIFF_ID = update(TASK).where(TASK.c.spiff_task_id == bindparam("b_spiff_task_id"))
_SELECT_TASK_BY_SPIFF_ID = select(*_TASK_COLUMNS).where(TASK.c.spiff_task_id == bindparam("spiff_task_id"))
_INSERT_EVENT = insert(EVENT)


def _conn(session: Session) -> Connection:
    """The session's connection, looked up once per session: the lookup costs as much as a small query."""
    conn = session.info.get("cauce_connection")
    if conn is None:
        conn = session.info["cauce_connection"] = session.connection()
    return conn


def load_task(session: Session, task_id: int) -> Any | None:
    return _conn(session).execute(_SELECT_TASK, {"task_id": task_id}).first()


@dataclass(frozen=True)
class StepTarget:
    task: Any
    instance: LiveInstance
    actor_active: bool
    actor_has_role: bool
    actor_is_staff: bool  # holds a role besides the requester's (decides 403 versus 404 for what is not theirs)


def load_step(session: Session, task_id: int, actor: str, lock: bool) -> StepTarget | None:
    row = _conn(session).execute(_SELECT_STEP_LOCKED if lock else _SELECT_STEP,
                                 {"task_id": task_id, "actor": actor}).first()
    if row is None:
        return None
    values = row._mapping
    instance = LiveInstance(*(values[f"i_{c.name}"] for c in _INSTANCE_COLUMNS))
    return StepTarget(row, instance, bool(row.actor_active), bool(row.actor_has_role), bool(row.actor_is_staff))


def load_state_of(session: Session, instance: LiveInstance) -> dict[str, Any]:
    if instance.state is None:
        instance.state = _conn(session).execute(_SELECT_STATE, {"instance_id": instance.id}).scalar_one()
    return instance.state


def load_instance(session: Session, instance_id: int, lock: bool) -> LiveInstance | None:
    stmt = _SELECT_INSTANCE_LOCKED if lock else _SELECT_INSTANCE
    row = _conn(session).execute(stmt, {"instance_id": instance_id}).first()
    return LiveInstance.of(row) if row is not None else None


def open_task_rows(session: Session, instance_id: int) -> list[Any]:
    return list(_conn(session).execute(_SELECT_OPEN_TASKS, {"instance_id": instance_id}))


def actor_roles(session: Session, username: str) -> set[str] | None:
    """The roles of an active user, or None when there is no such active user (one query)."""
    rows = _conn(session).execute(_SELECT_ROLES, {"username": username}).all()
    if not rows or not rows[0].active:
        return None
    return {r.role for r in rows if r.role is not None}


def latest_version_id(session: Session, process_id: str) -> int | None:
    return _conn(session).execute(_SELECT_LATEST_VERSION, {"process_id": process_id}).scalar()


def default_business_key(prefix: str, at: datetime, instance_id: int) -> str:
    """The case number an instance gets when its starter gives none: PRO-MAA-16-2026-000123 (the process id),
    or SF-2026-000123 for a model whose ``caseNumberPrefix`` is SF."""
    return f"{prefix.upper().replace('_', '-')}-{at.year}-{instance_id:06d}"


def insert_instance(session: Session, values: dict[str, Any]) -> int:
    return int(_conn(session).execute(_INSERT_INSTANCE, {"row_version": 1, **values}).scalar_one())


def write_instance(session: Session, live: LiveInstance) -> None:
    result = _conn(session).execute(_UPDATE_INSTANCE, {
        "b_id": live.id, "b_row_version": live.row_version,
        "business_key": live.business_key, "subject": live.subject, "status": live.status, "state": live.state,
        "serializer_version": live.serializer_version, "steps": live.steps, "row_version": live.row_version + 1,
        "updated_at": live.updated_at, "ended_at": live.ended_at})
    if result.rowcount != 1:
        raise StaleInstance(live.id)
    live.row_version += 1


def insert_task(session: Session, values: dict[str, Any]) -> int:
    return int(_conn(session).execute(_INSERT_TASK, values).scalar_one())


def close_task(session: Session, task_id: int, status: TaskStatus, by: str | None, at: datetime) -> None:
    _conn(session).execute(_UPDATE_TASK, {"b_id": task_id, "status": status, "completed_by": by, "completed_at": at})


def close_task_by_spiff_id(session: Session, spiff_task_id: str, status: TaskStatus, by: str | None,
                           at: datetime) -> None:
    _conn(session).execute(_UPDATE_TASK_BY_SPIFF_ID, {"b_spiff_task_id": spiff_task_id, "status": status,
                                                      "completed_by": by, "completed_at": at})


def load_task_by_spiff_id(session: Session, spiff_task_id: str) -> Any | None:
    return _conn(session).execute(_SELECT_TASK_BY_SPIFF_ID, {"spiff_task_id": spiff_task_id}).first()


def set_assignee(session: Session, task_id: int, assignee: str | None) -> None:
    _conn(session).execute(_UPDATE_TASK, {"b_id": task_id, "assignee": assignee})


def insert_events(session: Session, events: list[dict[str, Any]]) -> None:
    if events:
        _conn(session).execute(_INSERT_EVENT, events)
