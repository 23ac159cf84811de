"""What the JSON API reads besides the engine's portal: my tasks, and one task with its forms, to whom may see it.

Built on the engine's public pieces (task rows, spec cache, engine.access, engine.workspace). The answers follow the
pages' rules: a requester gets 404 for whatever is not theirs (ids cannot be probed); staff outside the process 403.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from engine import queries, store
from engine.access import may_view_instance, may_work_task
from engine.compiler import CompiledModel
from engine.errors import CauceError, Forbidden, NotFound
from engine.identity import REQUESTER_ROLE
from engine.models import Instance
from engine.runtime import Engine
from engine.views import TaskView
from engine.workspace import element_spec, instructions_of, ui_schema_of
from webui.security import CurrentUser

MAX_ID = 2**31 - 1  # larger ids exist nowhere, and some drivers refuse to bind them

_SELECT_OWNER = (select(Instance.initiator, Instance.process_version_id)
                 .where(Instance.id == bindparam("instance_id")))


@dataclass(frozen=True)
class TaskAccess:
    task: TaskView
    may_work: bool
    model: CompiledModel


def _is_requester_only(user: CurrentUser) -> bool:
    return not (user.roles - {REQUESTER_ROLE})


def _hidden(user: CurrentUser, not_found: str, forbidden: str) -> CauceError:
    return NotFound(not_found) if _is_requester_only(user) else Forbidden(forbidden)


def my_tasks(engine: Engine, user: CurrentUser) -> list[TaskView]:
    """Claimed by the user, plus the open ones of their roles (the roles came with the token: no second look-up)."""
    with engine.db.read() as session:
        return queries.tasks_for(session, user.username, set(user.roles))


def task_access(engine: Engine, user: CurrentUser, task_id: int) -> TaskAccess:
    """The task if the user may work it or see its instance; else 404 (requesters, unknown ids) or 403."""
    missing = f"No existe la tarea {task_id}."
    if not 0 < task_id <= MAX_ID:
        raise NotFound(missing)
    with engine.db.read() as session:
        row = store.load_task(session, task_id)
        if row is None:
            raise NotFound(missing)
        initiator, model = _owner(engine, session, row.instance_id)
    task = store.task_view(row)
    works = may_work_task(user.username, user.roles, task.role, task.assignee, initiator)
    if not works and not may_view_instance(user.username, user.roles, initiator, model):
        raise _hidden(user, missing, f"La tarea {task_id} es del proceso «{task.process_id}», "
                                     "en el que sus roles no participan.")
    return TaskAccess(task, works and task.status == "open", model)


def task_detail(engine: Engine, user: CurrentUser, task_id: int) -> dict[str, Any]:
    access = task_access(engine, user, task_id)
    element = element_spec(access.model, access.task.element_id)
    return {"task": access.task.as_dict(), "may_work": access.may_work,
            "form_schema": access.model.form(access.task.form), "ui_schema": ui_schema_of(access.model, element),
            "instructions": instructions_of(element)}


def _owner(engine: Engine, session: Session, instance_id: int) -> tuple[str, CompiledModel]:
    row = session.execute(_SELECT_OWNER, {"instance_id": instance_id}).first()
    if row is None:
        raise NotFound(f"No existe la instancia {instance_id}.")
    return row.initiator, engine.specs.get(session, row.process_version_id).model
