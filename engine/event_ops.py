"""What the worker asks of the engine: fire an instance's due timers, deliver a message, start a scheduled
instance; and what anyone may ask: send a message from outside a process. Each is one transaction."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any
from uuid import UUID, uuid4

from SpiffWorkflow.bpmn import BpmnEvent
from SpiffWorkflow.bpmn.specs.event_definitions.message import MessageEventDefinition
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import jobs, messages, schedule
from engine.catalog import Deployed, deployed_processes
from engine.errors import FieldError, InvalidData, NotFound
from engine.jobs import ClaimedJob, Postpone
from engine.messages import Message, MessageStatus
from engine.models import InstanceStatus
from engine.starts import SYSTEM_ACTOR, StartOps, StartTrigger
from engine.steps import advance, element_of, ready_human_tasks, save
from engine.timers import any_due, due_at, timer_tasks

AWAKE = (InstanceStatus.RUNNING, InstanceStatus.WAITING)
MAX_NAME = 200


class EventOps(StartOps):
    @contextmanager
    def _job_step(self, job: ClaimedJob | None, now: datetime) -> Iterator[Session]:
        """One write transaction that, when run for a claimed job, also marks the job done: the step and the
        job's completion commit together, so a rerun after a lost lease is rolled back instead of repeated."""
        with self.db.write() as session:
            yield session
            if job is not None:
                jobs.finish_or_raise(session, job, now)

    def fire_timers(self, instance_id: int, job: ClaimedJob | None = None) -> bool:
        """Run the instance's timers that fell due by now, and what follows them. False: nothing was due (the
        timer went away with its task, or the instance is suspended, ended or in error)."""
        now = self.clock()
        with self._job_step(job, now) as session:
            instance = self._live(session, instance_id)
            if instance.status not in AWAKE:
                return False
            model = self.specs.get(session, instance.process_version_id).model
            workflow = self._workflow(session, instance, model)
            if not any_due(workflow, now):
                self.live.put(instance.id, instance.row_version, workflow)
                return False
            ready_before = set(ready_human_tasks(workflow))
            recorder = self._recorder(instance, SYSTEM_ACTOR, now, session)
            for task in timer_tasks(workflow):
                at = due_at(task)
                if at is not None and at < now:
                    recorder.event("timer_fired", str(task.task_spec.bpmn_id), task.task_spec.bpmn_name,
                                   due_at=at.isoformat())
            advance(workflow, recorder, events=model.events)
            self._index_subject(instance, model, workflow, recorder)
            save(session, instance, workflow, recorder, ready_before, events=model.events)
        self.live.put(instance.id, instance.row_version, workflow)
        return True

    def run_async_task(self, instance_id: int, spiff_task_id: str, job: ClaimedJob | None = None) -> bool:
        """Run an asynchronous service task, then the engine steps after it, in one transaction. False: the task
        is no longer ready (already run, or cancelled by a boundary event), or the instance ended."""
        now = self.clock()
        with self._job_step(job, now) as session:
            instance = self._live(session, instance_id)
            if instance.status == InstanceStatus.SUSPENDED:
                raise Postpone(f"La instancia {instance_id} está suspendida.")
            if instance.status not in (*AWAKE, InstanceStatus.ERROR):
                return False
            model = self.specs.get(session, instance.process_version_id).model
            workflow = self._workflow(session, instance, model)
            task = workflow.get_task_from_id(UUID(spiff_task_id)) if _is_uuid(spiff_task_id) else None
            if task is None or task.state != TaskState.READY:
                self.live.put(instance.id, instance.row_version, workflow)
                return False
            ready_before = set(ready_human_tasks(workflow))
            recorder = self._recorder(instance, SYSTEM_ACTOR, now, session)

            def run_task() -> None:
                recorder.current = task
                task.run()
                element_id, name = element_of(task)
                recorder.event("task_run", element_id, name, type=type(task.task_spec).__name__,
                               calls=list(recorder.ctx.calls), asynchronous=True)
                recorder.ctx.calls.clear()

            advance(workflow, recorder, first=run_task, events=model.events)
            self._index_subject(instance, model, workflow, recorder)
            save(session, instance, workflow, recorder, ready_before, events=model.events)
        self.live.put(instance.id, instance.row_version, workflow)
        return True

    def send_message(self, name: str, correlation_key: str | None, payload: Any, sender: str,
                     message_key: str | None = None) -> int | None:
        """Send a message from outside any process (an API client, another system). The same ``message_key``
        sent again is dropped (None): a message is delivered once."""
        problems = []
        if not name or not name.strip() or len(name) > MAX_NAME or "\x00" in name:
            problems.append(FieldError("nombre", f"El nombre del mensaje es obligatorio (hasta {MAX_NAME} "
                                                 "caracteres)."))
        if correlation_key is not None and (len(correlation_key) > MAX_NAME or "\x00" in correlation_key):
            problems.append(FieldError("clave", f"La clave de correlación admite hasta {MAX_NAME} caracteres."))
        if message_key is not None and (not 0 < len(message_key) <= MAX_NAME or "\x00" in message_key):
            problems.append(FieldError("id", f"El id del mensaje admite de 1 a {MAX_NAME} caracteres."))
        if problems:
            raise InvalidData(problems, "El mensaje no es válido.")
        now = self.clock()
        with self.db.write() as session:
            # A client's ids are its own: the same id from another sender is another message.
            key = f"api:{sender}:{message_key}" if message_key else f"api:{sender}:{uuid4().hex}"
            return messages.send(session, key, name, correlation_key, payload, sender, now)

    def deliver_message(self, message_id: int, job: ClaimedJob | None = None) -> MessageStatus:
        """Deliver a stored message: to the instance waiting longest for its name and key, else to a new instance
        of the process whose start event it is, else keep it as unmatched (reported, delivered later)."""
        now = self.clock()
        cache: list[tuple[int, int, BpmnWorkflow]] = []
        with self._job_step(job, now) as session:
            query = select(Message).where(Message.id == message_id)
            message = session.scalars(query.with_for_update() if self._lock_rows else query).first()
            if message is None:
                raise NotFound(f"No existe el mensaje {message_id}.")
            if message.status != MessageStatus.PENDING:
                return message.status
            subscription = messages.subscriber(session, message.name, message.correlation_key)
            if subscription is not None:
                self._deliver_to(session, message, subscription, now, cache)
            elif not self._start_by_message(session, message, now, cache):
                message.status = MessageStatus.UNMATCHED
                message.note = (f"Ninguna instancia espera el mensaje «{message.name}» con la clave "
                                f"«{message.correlation_key or '(sin clave)'}», ni lo espera un evento de inicio.")
            status = message.status
        for instance_id, row_version, workflow in cache:
            self.live.put(instance_id, row_version, workflow)
        return status

    def _deliver_to(self, session: Session, message: Message, subscription: messages.MessageSubscription,
                    now: datetime, cache: list[tuple[int, int, BpmnWorkflow]]) -> None:
        instance = self._live(session, subscription.instance_id)
        if instance.status not in AWAKE:
            message.status = MessageStatus.UNMATCHED
            message.note = f"La instancia {instance.id} que lo espera está {instance.status.value}."
            return
        model = self.specs.get(session, instance.process_version_id).model
        workflow = self._workflow(session, instance, model)
        ready_before = set(ready_human_tasks(workflow))
        recorder = self._recorder(instance, SYSTEM_ACTOR, now, session)
        waiting = [t for t in workflow.event_manager.tasks.values()
                   if str(t.task_spec.bpmn_id) == subscription.element_id
                   and isinstance(t.task_spec.event_definition, MessageEventDefinition)]
        if not waiting:  # the subscription outlived its wait (should not happen): keep the message
            message.status = MessageStatus.UNMATCHED
            message.note = f"La instancia {instance.id} ya no espera en {subscription.element_id}."
            return
        definition = waiting[0].task_spec.event_definition
        recorder.event("message_received", subscription.element_id, message.name, message_id=message.id,
                       correlation_key=message.correlation_key, sender=message.sender)
        advance(workflow, recorder, first=lambda: workflow.send_event(BpmnEvent(definition, message.payload)),
                events=model.events)
        self._index_subject(instance, model, workflow, recorder)
        save(session, instance, workflow, recorder, ready_before, events=model.events)
        self._delivered(message, instance.id, now)
        cache.append((instance.id, instance.row_version, workflow))

    def _start_by_message(self, session: Session, message: Message, now: datetime,
                          cache: list[tuple[int, int, BpmnWorkflow]]) -> bool:
        found = self._message_started(session).get(message.name)
        if not found:
            return False
        version_id, deployed = found[0]  # the deploy check lets only one process start on a message
        instance, workflow = self._start_in(session, version_id, deployed, SYSTEM_ACTOR, {}, None, now,
                                            trigger=StartTrigger(message.name, message.payload))
        self._delivered(message, instance.id, now)
        cache.append((instance.id, instance.row_version, workflow))
        return True

    def _message_started(self, session: Session) -> dict[str, list[tuple[int, Deployed]]]:
        """The latest version of every deployed process whose start event a message sets off, by message name
        (one query; the specs come from the cache)."""
        started: dict[str, list[tuple[int, Deployed]]] = {}
        for version in deployed_processes(session):
            deployed = self.specs.get(session, version.id)
            for name in deployed.model.events.message_starts:
                started.setdefault(name, []).append((version.id, deployed))
        return started

    @staticmethod
    def _delivered(message: Message, instance_id: int, now: datetime) -> None:
        message.status = MessageStatus.DELIVERED
        message.target_instance_id = instance_id
        message.delivered_at = now
        message.note = None

    def start_scheduled(self, job: ClaimedJob) -> int | None:
        """Run one occurrence of a timer start event: start an instance of the process's latest version,
        schedule the next occurrence and mark the job done, in one transaction (a rerun after a lost lease
        finds the job no longer its own and starts nothing). Returns the new instance's id."""
        now = self.clock()
        occurrence = schedule.occurrence_of(job.payload)
        with self.db.write() as session:
            version_id, deployed = self._latest(session, str(job.payload["process_id"]))
            if deployed.model.events.timer_start is None:  # the latest version dropped its timer
                jobs.finish_or_raise(session, job, now)
                return None
            instance, workflow = self._start_in(session, version_id, deployed, SYSTEM_ACTOR, {}, None, now)
            schedule.schedule(session, deployed.model.process_id, occurrence.following())
            jobs.finish_or_raise(session, job, now)
        self.live.put(instance.id, instance.row_version, workflow)
        return instance.id


def _is_uuid(value: str) -> bool:
    try:
        UUID(value)
    except ValueError:
        return False
    return True
