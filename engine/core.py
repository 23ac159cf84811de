"""What every part of the engine shares: its collaborators and the small helpers each operation uses."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from sqlalchemy.orm import Session

from engine import queries, store
from engine.access import DESIGNING_ROLES, SUPERVISING_ROLES
from engine.catalog import SpecCache
from engine.compiler import CompiledModel
from engine.db import Database, utcnow
from engine.errors import FieldError, Forbidden, InvalidData, NotFound
from engine.identity import REQUESTER_ROLE
from engine.incidents import IncidentLog
from engine.live_cache import LiveWorkflowCache
from engine.models import Attachment, TaskStatus
from engine.scripting import CauceScriptEngine, Handler, StepContext, step_context
from engine.steps import StepError, StepRecorder, current_data, restore
from engine.store import LiveInstance


class EngineCore:
    def __init__(
        self, db: Database, handlers: Mapping[str, Handler],
        input_errors: tuple[type[BaseException], ...] = (), clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.db = db
        self.handlers = dict(handlers)
        self.input_errors = input_errors
        self.clock = clock
        self.script_engine = CauceScriptEngine(self.handlers)
        self.specs = SpecCache(self.handlers)
        self.incidents = IncidentLog(db, clock)
        self.live = LiveWorkflowCache()
        self._lock_rows = db.dialect != "sqlite"  # SQLite steps already hold the write lock (BEGIN IMMEDIATE)

    def _open_task(self, session: Session, task_id: int, actor: str) -> tuple[Any, LiveInstance]:
        """The open task, its instance (row-locked on PostgreSQL) and the actor's right to work it."""
        target = store.load_step(session, task_id, actor, lock=self._lock_rows)
        if target is None:
            raise NotFound(f"No existe la tarea {task_id}.")
        task, instance = target.task, target.instance
        if not target.actor_active:
            raise Forbidden(f"El usuario «{actor}» no existe o está inactivo.")
        # Who may act is settled before anything about the task is told (its state, who completed it).
        allowed = actor == instance.initiator if task.role == REQUESTER_ROLE else target.actor_has_role
        if not allowed:
            if not target.actor_is_staff:  # a requester learns nothing of tasks that are not theirs
                raise NotFound(f"No existe la tarea {task_id}.")
            if task.role == REQUESTER_ROLE:
                raise Forbidden(f"La tarea {task.id} es del solicitante de su caso.")
            raise Forbidden(f"La tarea {task.id} es del rol «{task.role}», que {actor} no tiene.")
        if self._lock_rows:  # read again under the instance's row lock: a concurrent step may have closed it
            task = store.load_task(session, task_id) or task
        if task.status != TaskStatus.OPEN:
            raise queries.already_done(task)
        return task, instance

    def _live(self, session: Session, instance_id: int) -> LiveInstance:
        instance = store.load_instance(session, instance_id, lock=self._lock_rows)
        if instance is None:
            raise NotFound(f"No existe la instancia {instance_id}.")
        return instance

    def _instance(self, session: Session, instance_id: int) -> LiveInstance:
        instance = store.load_instance(session, instance_id, lock=False)
        if instance is None:
            raise NotFound(f"No existe la instancia {instance_id}.")
        return instance

    def _roles(self, session: Session, actor: str) -> set[str]:
        roles = store.actor_roles(session, actor)
        if roles is None:
            raise Forbidden(f"El usuario «{actor}» no existe o está inactivo.")
        return roles

    def _require_supervisor(self, actor: str, what: str) -> None:
        self._require_one_of(SUPERVISING_ROLES, "un supervisor", actor, what)

    def _require_designer(self, actor: str, what: str) -> None:
        self._require_one_of(DESIGNING_ROLES, "un diseñador de procesos", actor, what)

    def _require_one_of(self, allowed: frozenset[str], who: str, actor: str, what: str) -> None:
        with self.db.read() as session:
            roles = self._roles(session, actor)
        if not roles & allowed:
            raise Forbidden(f"Solo {who} puede {what}; {actor} no lo es.")

    def _recorder(self, instance: LiveInstance, actor: str, now: datetime, session: Session) -> StepRecorder:
        ref = f"{instance.process_id}#{instance.id}"
        ctx = StepContext(session=session, actor=actor, initiator=instance.initiator, instance_ref=ref, now=now,
                          case_number=instance.business_key)
        return StepRecorder(instance.id, actor, now, ctx, case_number=instance.business_key)

    def _keep_file(self, session: Session, instance: LiveInstance, actor: str, checked: tuple[str, str],
                   claimed_type: str, data: bytes, task_id: int | None = None) -> Attachment:
        """Store a file ``check_upload`` accepted (its safe name and type) on the instance, with its audit event."""
        name, stored_type = checked
        digest = hashlib.sha256(data).hexdigest()
        row = Attachment(instance_id=instance.id, task_id=task_id, filename=name, content_type=stored_type,
                         size=len(data), sha256=digest, data=data, uploaded_by=actor, at=self.clock())
        session.add(row)
        session.flush()
        recorder = self._recorder(instance, actor, self.clock(), session)
        recorder.event("attachment_added", None, None, attachment_id=row.id, task_id=task_id, filename=name,
                       content_type=stored_type, size=len(data), sha256=digest, claimed_type=(claimed_type or "")[:100])
        store.insert_events(session, recorder.events)
        return row

    def _audit(self, session: Session, instance: LiveInstance, actor: str, kind: str, task: Any) -> None:
        recorder = self._recorder(instance, actor, self.clock(), session)
        recorder.event(kind, task.element_id, task.name, task_id=task.id)
        store.insert_events(session, recorder.events)

    def _index_subject(self, instance: LiveInstance, model: CompiledModel, workflow: BpmnWorkflow,
                       recorder: StepRecorder) -> None:
        """Evaluate the model's ``subjectExpression`` so inboxes can filter by whom an instance is about."""
        if not model.subject_expression:
            return
        try:
            with step_context(recorder.ctx):
                value = self.script_engine.environment.evaluate(model.subject_expression, current_data(workflow))
        except Exception:  # the data may not hold the subject yet (or no longer); keep what we knew
            return
        if value not in (None, ""):
            instance.subject = str(value)[:100]

    def _workflow(self, session: Session, instance: LiveInstance, model: CompiledModel) -> BpmnWorkflow:
        """The instance's workflow: from the live cache when it is current, else from its saved state."""
        cached = self.live.take(instance.id, instance.row_version)
        if cached is not None:
            return cached
        store.load_state_of(session, instance)
        return restore(instance, model, self.script_engine)

    def _raise_if_input_error(self, failure: StepError) -> None:
        if isinstance(failure.cause, self.input_errors):
            field = getattr(failure.cause, "field", None) or failure.element_id or "(proceso)"
            message = str(getattr(failure.cause, "message", None) or failure.cause)
            raise InvalidData([FieldError(field, message)],
                              f"El paso «{failure.element_name or failure.element_id}» rechazó los datos.")
