"""The engine's public face: deploy models, start instances, work tasks, retry incidents.

Every method that changes something runs as one transaction (see ``Database.write``): the workflow state,
the human-task rows, the audit events and the handlers' ledger writes commit together or not at all.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from sqlalchemy.exc import OperationalError
from sqlalchemy.orm.exc import StaleDataError

from engine import queries, store
from engine.catalog import validate_paths
from engine.designer import DesignerOps
from engine.errors import Conflict, Forbidden, ModelInvalid
from engine.event_ops import EventOps
from engine.forms import validate_form
from engine.instance_migration import MigrationOps
from engine.lifecycle import LifecycleOps
from engine.logs import log
from engine.models import InstanceStatus, TaskStatus
from engine.notes import NotesOps
from engine.portal import PortalOps
from engine.starts import StartFile
from engine.steps import StepError, advance, ready_human_tasks, save
from engine.store import StaleInstance
from engine.views import DeployResult, InstanceView, ValidationReport
from engine.worklist import WorklistOps

WORKABLE = (InstanceStatus.RUNNING, InstanceStatus.WAITING, InstanceStatus.ERROR)


class Engine(EventOps, WorklistOps, LifecycleOps, PortalOps, NotesOps, DesignerOps, MigrationOps):
    """Deploy models, start instances, complete tasks and retry incidents; the rest comes from the mixins."""

    def validate(self, paths: list[Path]) -> list[ValidationReport]:
        return [report for report, _ in validate_paths(paths, self.handlers, self._known_roles())]

    def deploy(self, paths: list[Path], actor: str) -> list[DeployResult]:
        """Deploy every model under ``paths``; if any has a problem, nothing is deployed."""
        results = validate_paths(paths, self.handlers, self._known_roles())
        invalid = [report for report, _ in results if not report.ok]
        if invalid:
            raise ModelInvalid(", ".join(r.model for r in invalid), [p for r in invalid for p in r.problems])
        now = self.clock()
        batch = [c for _, c in results if c is not None]
        with self.db.write() as session:
            deployed = self._write_versions(session, batch, actor, now)
        self._remember_deployed(deployed, batch)
        return deployed

    def start(self, process_id: str, actor: str, data: dict[str, Any] | None = None,
              business_key: str | None = None, files: Sequence[StartFile] = ()) -> InstanceView:
        """Start an instance; ``files`` (the start form's attachments) are kept on it in the same transaction."""
        try:
            return self._start(process_id, actor, data if data is not None else {}, business_key, files)
        except StepError as failure:
            raise self.incidents.open_on_start(process_id, actor, failure) from failure

    def complete(self, task_id: int, actor: str, data: dict[str, Any] | None = None) -> InstanceView:
        return self._guarded(task_id, lambda: self._complete(task_id, actor, data or {}, retrying=None))

    def retry_incident(self, incident_id: int, actor: str) -> InstanceView:
        """Run a failed step again, as it was first asked for, once its cause has been fixed (supervisors)."""
        self._require_supervisor(actor, "reintentar incidentes")
        return self.rerun_incident(incident_id, actor)

    def rerun_incident(self, incident_id: int, actor: str) -> InstanceView:
        """``retry_incident`` without the role check, for the worker's jobs (queued by the engine itself)."""
        incident = self.incidents.get_open(incident_id)
        retry = incident.retry_data
        if retry.get("action") == "job":  # a dead background job: queue it again for the worker
            return self.show(self.incidents.requeue_job(incident_id, actor)).instance
        if retry.get("action") == "complete":
            task_id = int(retry["task_id"])
            return self._guarded(task_id, lambda: self._complete(
                task_id, str(retry["actor"]), dict(retry.get("data") or {}), retrying=(incident_id, actor)))
        return self._advance_instance(incident.instance_id, actor, incident_id)

    def _complete(self, task_id: int, actor: str, data: dict[str, Any],
                  retrying: tuple[int, str] | None) -> InstanceView:
        try:
            return self._complete_step(task_id, actor, data, retrying)
        except StepError as failure:
            raise self.incidents.open(failure, task_id, actor, retrying) from failure

    def _complete_step(self, task_id: int, actor: str, data: dict[str, Any],
                       retrying: tuple[int, str] | None) -> InstanceView:
        now = self.clock()
        with self.db.write() as session:
            task, instance = self._open_task(session, task_id, actor)
            if task.assignee not in (None, actor):
                raise Forbidden(f"La tarea {task_id} está asignada a {task.assignee}.")
            if instance.status not in WORKABLE:
                raise Conflict(f"La instancia {instance.id} está {instance.status.value}: no admite cambios.")
            deployed = self.specs.get(session, instance.process_version_id)
            model = deployed.model
            clean = validate_form(model.form(task.form), data, model.validator(task.form))
            workflow = self._workflow(session, instance, model)
            ready_before = ready_human_tasks(workflow)
            spiff_task = ready_before.get(task.spiff_task_id)
            if spiff_task is None:
                raise Conflict(f"La tarea {task_id} ya no está lista en la instancia {instance.id}.")
            recorder = self._recorder(instance, actor, now, session)
            recorder.event("task_completed", task.element_id, task.name, task_id=task.id, data=clean)

            def run_user_task() -> None:
                spiff_task.data.update(clean)
                spiff_task.run()

            try:
                advance(workflow, recorder, first=run_user_task, events=model.events)
            except StepError as failure:
                self._raise_if_input_error(failure)
                failure.instance_id = instance.id
                failure.retry = {"action": "complete", "task_id": task_id, "actor": actor, "data": clean}
                raise
            if retrying is not None:
                self.incidents.resolve_in(session, instance, retrying, recorder)
            elif instance.status == InstanceStatus.ERROR:
                self.incidents.resolve_all_in(session, instance, recorder)
            self._index_subject(instance, model, workflow, recorder)
            save(session, instance, workflow, recorder, set(ready_before), completed_task_id=task.spiff_task_id,
                 events=model.events)
        self.live.put(instance.id, instance.row_version, workflow)
        log.info("task completed", extra={"instance_id": instance.id, "task_id": task_id, "actor": actor,
                                          "element_id": task.element_id, "status": instance.status.value})
        return InstanceView.of(instance, deployed.info, instance.open_tasks)

    def _advance_instance(self, instance_id: int, actor: str, incident_id: int) -> InstanceView:
        try:
            return self._advance_step(instance_id, actor, incident_id)
        except StepError as failure:
            raise self.incidents.open(failure, None, actor, (incident_id, actor)) from failure

    def _advance_step(self, instance_id: int, actor: str, incident_id: int) -> InstanceView:
        now = self.clock()
        with self.db.write() as session:
            instance = self._live(session, instance_id)
            deployed = self.specs.get(session, instance.process_version_id)
            workflow = self._workflow(session, instance, deployed.model)
            ready_before = set(ready_human_tasks(workflow))
            recorder = self._recorder(instance, actor, now, session)
            try:
                advance(workflow, recorder, events=deployed.model.events)
            except StepError as failure:
                self._raise_if_input_error(failure)
                failure.instance_id = instance_id
                failure.retry = {"action": "advance"}
                raise
            self.incidents.resolve_in(session, instance, (incident_id, actor), recorder)
            self._index_subject(instance, deployed.model, workflow, recorder)
            save(session, instance, workflow, recorder, ready_before, events=deployed.model.events)
        self.live.put(instance.id, instance.row_version, workflow)
        return InstanceView.of(instance, deployed.info, instance.open_tasks)

    def _guarded(self, task_id: int, step: Callable[[], InstanceView]) -> InstanceView:
        """Turn a lost race into the answer the loser should get: who completed the task, and when."""
        try:
            return step()
        except (StaleInstance, StaleDataError, OperationalError) as exc:
            with self.db.read() as session:
                row = store.load_task(session, task_id)
                if row is not None and row.status != TaskStatus.OPEN:
                    raise queries.already_done(row) from exc
            if isinstance(exc, OperationalError) and "locked" not in str(exc).lower():
                raise
            raise Conflict("La instancia cambió mientras se procesaba la tarea; intente de nuevo.") from exc
