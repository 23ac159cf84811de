"""Working with tasks without moving the process: claim, release, reassign, read, and the inbox."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from engine import inbox, queries, store
from engine.access import SUPERVISING_ROLES
from engine.core import EngineCore
from engine.errors import Conflict, FieldError, Forbidden, InvalidData, NotFound
from engine.identity import REQUESTER_ROLE
from engine.inbox import InboxPage, InboxQuery, Tab
from engine.models import TaskStatus
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

    def reassign(self, task_id: int, actor: str, to_user: str) -> TaskView:
        """A supervisor gives an open task (claimed or not) to an active user who holds the task's role."""
        with self.db.write() as session:
            if not self._roles(session, actor) & SUPERVISING_ROLES:
                raise Forbidden(f"Solo un supervisor puede reasignar tareas; {actor} no lo es.")
            target = store.load_step(session, task_id, to_user, lock=self._lock_rows)
            if target is None:
                raise NotFound(f"No existe la tarea {task_id}.")
            task = (store.load_task(session, task_id) if self._lock_rows else None) or target.task
            if task.status != TaskStatus.OPEN:
                raise queries.already_done(task)
            if task.role == REQUESTER_ROLE:
                raise Conflict("Las tareas del solicitante no se pueden reasignar.")
            if not to_user or not target.actor_active:
                raise InvalidData([FieldError("to_user", f"El usuario «{to_user}» no existe o está inactivo.")])
            if not target.actor_has_role:
                raise InvalidData([FieldError("to_user", f"{to_user} no tiene el rol «{task.role}» de la tarea.")])
            if task.assignee == to_user:
                raise InvalidData([FieldError("to_user", f"La tarea {task_id} ya está asignada a {to_user}.")])
            store.set_assignee(session, task_id, to_user)
            recorder = self._recorder(target.instance, actor, self.clock(), session)
            recorder.event("task_reassigned", task.element_id, task.name, task_id=task.id,
                           **{"from": task.assignee, "to": to_user})
            store.insert_events(session, recorder.events)
            return store.task_view(store.load_task(session, task_id))

    def inbox(self, username: str, query: InboxQuery | None = None, now: datetime | None = None,
              roles: frozenset[str] | None = None) -> InboxPage:
        """One page of one inbox tab, with every tab's count; lists from the human_task table alone, then reads
        the requester and start of the page's own instances.

        ``roles``: the user's roles when the caller already holds them (the web session lookup reads them).
        """
        query = query or InboxQuery()
        now = now or self.clock()
        with self.db.read() as session:
            roles = roles if roles is not None else frozenset(self._roles(session, username))
            supervising = bool(roles & SUPERVISING_ROLES)
            tabs = inbox.tabs_for(supervising)
            if query.tab is not None and query.tab not in tabs:
                raise Forbidden("Solo un supervisor puede ver todas las tareas abiertas.")
            counted = {tab.value: inbox.count(session, tab, username, roles, query.filters, now) for tab in tabs}
            capped = frozenset(t for t, n in counted.items() if n > inbox.COUNT_CAP)
            counts = {t: min(n, inbox.COUNT_CAP) for t, n in counted.items()}
            tab = query.tab or (Tab.MINE if counts[Tab.MINE.value] else Tab.GROUP)
            total = counts[tab.value]
            per_page = min(max(query.per_page, 1), inbox.MAX_PER_PAGE)
            pages = inbox.page_count(total, per_page)
            query = replace(query, tab=tab, page=min(max(query.page, 1), pages), per_page=per_page)
            found = inbox.rows(session, tab, username, roles, query, now)
            candidates = inbox.users_by_role(session, {t.role for t in found}) if supervising else {}
            return InboxPage(query=query, rows=found, counts=counts, total=total, page=query.page, pages=pages,
                             now=now, processes=inbox.process_names(session), supervisor=supervising,
                             candidates=candidates, capped=capped,
                             cases=inbox.origins(session, {t.instance_id for t in found}))

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


__all__ = ["Tab", "WorklistOps"]
