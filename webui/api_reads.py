"""What the JSON API reads besides the engine's portal: my tasks, and one task with its forms.

Who may see a task is the engine's rule (``Engine.task_workspace``), the same the task page follows: a requester
gets 404 for whatever is not theirs (ids cannot be probed); staff outside the process 403.
"""

from __future__ import annotations

from typing import Any

from engine import queries
from engine.runtime import Engine
from engine.views import TaskView
from engine.workspace import TaskWorkspace
from webui.security import CurrentUser


def my_tasks(engine: Engine, user: CurrentUser) -> list[TaskView]:
    """Claimed by the user, plus the open ones of their roles (the roles came with the token: no second look-up)."""
    with engine.db.read() as session:
        return queries.tasks_for(session, user.username, set(user.roles))


def task_access(engine: Engine, user: CurrentUser, task_id: int) -> TaskWorkspace:
    """The task as the user may see it, or NotFound/Forbidden (ids are bounded by the URL's id converter)."""
    return engine.task_workspace(task_id, user.username)


def task_detail(engine: Engine, user: CurrentUser, task_id: int) -> dict[str, Any]:
    seen = task_access(engine, user, task_id)
    return {"task": seen.task.as_dict(), "may_work": seen.may_work, "form_schema": seen.form_schema,
            "ui_schema": seen.ui_schema, "instructions": seen.instructions}
