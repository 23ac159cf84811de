"""Working with tasks without moving the process: claim, release, read."""

from __future__ import annotations

from engine import queries, store
from engine.core import EngineCore
from engine.errors import Conflict, Forbidden, NotFound
from engine.identity import REQUESTER_ROLE
from engine.views import TaskView


class WorklistOps(EngineCore):
    def claim(self, task_id: int, actor: str) -> TaskView:
        with self.db.write() as session:
            task, instance = self._open_task(session, task_id, actor)
            if task.assignee not in (None, actor):
                raise Conflict(f"La tarea {task_id} ya la reclamó {task.assignee}.")
            store.set_assignee(session, task_id, actor)
            self._audit(session, instance, actor, "task_claimed", task)
            return store.task_view(store.load_task(session, task_id))

    def release(self, task_id: int, actor: str) -> TaskView:
        with self.db.write() as session:
            task, instance = self._open_task(session, task_id, actor)
            if task.assignee != actor:
                raise Forbidden(f"Solo quien reclamó la tarea {task_id} puede liberarla.")
            if task.role == REQUESTER_ROLE:
                raise Conflict("Las tareas del solicitante no se pueden liberar.")
            store.set_assignee(session, task_id, None)
            self._audit(session, instance, actor, "task_released", task)
            return store.task_view(store.load_task(session, task_id))

    def tasks_for(self, username: str, include_group: bool = True) -> list[TaskView]:
        with self.db.read() as session:
            roles = store.actor_roles(session, username) or set()
            return queries.tasks_for(session, username, roles, include_group)

    def get_task(self, task_id: int) -> TaskView:
        with self.db.read() as session:
            row = store.load_task(session, task_id)
            if row is None:
                raise NotFound(f"No existe la tarea {task_id}.")
            return store.task_view(row)
