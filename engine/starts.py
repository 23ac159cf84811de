"""Starting instances: by a user (start form, start lane), by a timer start event, or by a message."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from SpiffWorkflow.bpmn import BpmnEvent
from SpiffWorkflow.bpmn.specs.event_definitions.message import MessageEventDefinition
from SpiffWorkflow.bpmn.specs.mixins.events.start_event import StartEvent
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.util.task import TaskState
from sqlalchemy.orm import Session

from engine import store
from engine.catalog import Deployed
from engine.compiler import CompiledModel
from engine.core import EngineCore
from engine.errors import Conflict, Forbidden, NotFound
from engine.forms import validate_form
from engine.identity import REQUESTER_ROLE
from engine.logs import log
from engine.models import InstanceStatus
from engine.state import SERIALIZER_VERSION, dump_state
from engine.steps import StepError, advance, save
from engine.store import LiveInstance
from engine.timers import timer_tasks
from engine.uploads import check_upload
from engine.views import InstanceView

SYSTEM_ACTOR = "sistema"


@dataclass(frozen=True)
class StartFile:
    """A file sent with a start form (the form's file field), kept on the new instance."""

    field: str
    filename: str
    content_type: str
    data: bytes
  # who the engine itself acts as: timers, messages, the scheduler


@dataclass(frozen=True)
class StartTrigger:
    """The message that starts an instance at its start event for that message."""

    message: str
    payload: Any


def require_manual_start(model: CompiledModel) -> None:
    """A process only messages start (another pool's request) cannot be started by hand: it would wait forever.
    One that also has a start event without a trigger is started by hand there."""
    if not model.events.startable_by_hand:
        raise Conflict(f"{model.process_id} se inicia al recibir el mensaje «{model.events.message_start}», "
                       "no a mano.")


class StartOps(EngineCore):
    def _start(self, process_id: str, actor: str, data: dict[str, Any], business_key: str | None,
               files: Sequence[StartFile] = ()) -> InstanceView:
        checked = [(f, check_upload(f.filename, f.data, field=f.field)) for f in files]  # refused before anything
        now = self.clock()
        with self.db.write() as session:
            roles = self._roles(session, actor)
            version_id, deployed = self._latest(session, process_id)
            start_role = deployed.model.start_role
            if start_role and start_role != REQUESTER_ROLE and start_role not in roles:
                raise Forbidden(f"Solo el rol «{start_role}» puede iniciar {process_id}.")
            model = deployed.model
            require_manual_start(model)
            clean = validate_form(model.form(model.start_form), data, model.validator(model.start_form))
            instance, workflow = self._start_in(session, version_id, deployed, actor, clean, business_key, now)
            for file, accepted in checked:
                self._keep_file(session, instance, actor, accepted, file.content_type, file.data)
        self.live.put(instance.id, instance.row_version, workflow)  # after the commit: never an uncommitted state
        return InstanceView.of(instance, deployed.info, instance.open_tasks)

    def _latest(self, session: Session, process_id: str) -> tuple[int, Deployed]:
        version_id = store.latest_version_id(session, process_id)
        if version_id is None:
            raise NotFound(f"No hay ningún proceso desplegado con id «{process_id}».")
        return version_id, self.specs.get(session, version_id)

    def _start_in(self, session: Session, version_id: int, deployed: Deployed, actor: str, clean: dict[str, Any],
                  business_key: str | None, now: datetime,
                  trigger: StartTrigger | None = None) -> tuple[LiveInstance, BpmnWorkflow]:
        """Create the instance and run it to its first wait, in the caller's transaction. ``trigger`` is what
        set it off (a message delivered to its start event); a start event's timer counts as fired, since the
        scheduler (or the user) starting the instance is that timer."""
        model = deployed.model
        workflow = self._new_workflow(model, clean)
        _keep_one_start(workflow, model, trigger)
        values: dict[str, Any] = {
            "process_version_id": version_id, "process_id": model.process_id, "business_key": business_key,
            "subject": None, "status": InstanceStatus.RUNNING, "initiator": actor,
            "state": {},  # written by save() below, in this same transaction
            "serializer_version": SERIALIZER_VERSION, "steps": 0, "created_at": now, "updated_at": now,
            "ended_at": None}
        instance = LiveInstance(id=store.insert_instance(session, values), row_version=1, **values)
        if instance.business_key is None:
            instance.business_key = store.default_business_key(model.case_prefix or model.process_id, now, instance.id)
        recorder = self._recorder(instance, actor, now, session)
        recorder.event("instance_started", None, deployed.info.process_name, data=clean,
                       version=deployed.info.version)
        try:
            advance(workflow, recorder, events=model.events)
            if model.events.timer_start is not None or trigger is not None:
                advance(workflow, recorder, first=lambda: self._set_off(workflow, trigger), events=model.events)
        except StepError as failure:
            self._raise_if_input_error(failure)
            # Kept at its start so a retry runs the failed first steps again: a fresh workflow is that state.
            fresh = self._new_workflow(model, clean)
            _keep_one_start(fresh, model, trigger)
            failure.retry = {"version_id": version_id, "data": clean, "business_key": instance.business_key,
                             "state": dump_state(fresh)}
            raise
        self._index_subject(instance, model, workflow, recorder)
        save(session, instance, workflow, recorder, ready_before=set(), events=model.events)
        log.info("instance started", extra={"instance_id": instance.id, "process_id": model.process_id,
                                            "actor": actor, "status": instance.status.value})
        return instance, workflow

    @staticmethod
    def _set_off(workflow: BpmnWorkflow, trigger: StartTrigger | None) -> None:
        for task in timer_tasks(workflow):
            if isinstance(task.task_spec, StartEvent):
                task._set_internal_data(event_fired=True)
                workflow.refresh_timers()
        if trigger is None:
            return
        for task in list(workflow.event_manager.tasks.values()):
            definition = task.task_spec.event_definition
            if isinstance(task.task_spec, StartEvent) and isinstance(definition, MessageEventDefinition) \
                    and definition.name == trigger.message:
                workflow.send_event(BpmnEvent(definition, trigger.payload))
                return

    def _new_workflow(self, model: CompiledModel, data: dict[str, Any]) -> BpmnWorkflow:
        workflow = BpmnWorkflow(model.spec, model.subprocess_specs, script_engine=self.script_engine)
        workflow.task_tree.data.update({**dict.fromkeys(model.events.start_variables), **data})
        return workflow


def _keep_one_start(workflow: BpmnWorkflow, model: CompiledModel, trigger: StartTrigger | None) -> None:
    """Cancel, before the first engine step, every start event but the one that starts this instance: the
    message's own start event when a message starts it, else the start event without a trigger. Otherwise the
    untriggered start would run at once, and a manual start would keep waiting at (and subscribing to) its
    message start events."""
    events = model.events
    keep = events.message_starts.get(trigger.message) if trigger is not None else events.none_start
    if keep is None:
        return
    for task in workflow.get_tasks(state=TaskState.PREDICTED_MASK):
        if isinstance(task.task_spec, StartEvent) and task.workflow is workflow and task.task_spec.bpmn_id != keep:
            task.cancel()
