"""Incidents: a failed step is rolled back whole, then recorded here in a transaction of its own."""

from __future__ import annotations

import traceback
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.db import Database
from engine.errors import Conflict, NotFound, StepFailed
from engine.logs import log
from engine.models import Event, Incident, Instance, InstanceStatus, ProcessVersion
from engine.state import SERIALIZER_VERSION
from engine.steps import StepError, StepRecorder
from engine.store import LiveInstance

if TYPE_CHECKING:
    from engine.jobs import Job


def _describe(cause: BaseException) -> str:
    text = str(cause).strip() or type(cause).__name__
    return text.splitlines()[0][:2000]


class IncidentLog:
    def __init__(self, db: Database, clock: Callable[[], datetime]) -> None:
        self.db = db
        self.clock = clock

    def open(self, failure: StepError, task_id: int | None, actor: str,
             retrying: tuple[int, str] | None) -> StepFailed:
        """Record the failure on its instance (or count one more attempt) and return the error to raise."""
        assert failure.instance_id is not None
        now = self.clock()
        with self.db.write() as session:
            instance = session.get(Instance, failure.instance_id)
            if instance is None:
                raise NotFound(f"No existe la instancia {failure.instance_id}.")
            incident = session.get(Incident, retrying[0]) if retrying else None
            if incident is not None:
                incident.attempts += 1
                incident.error = _describe(failure.cause)
                incident.error_type = type(failure.cause).__name__
                kind = "incident_retry_failed"
            else:
                incident = self._new(instance.id, task_id, actor, failure, now)
                session.add(incident)
                kind = "incident_opened"
            session.flush()
            self._mark_error(session, instance, actor if not retrying else retrying[1], now, kind, incident, failure)
            log.warning("step failed: %s", incident.error, extra={
                "instance_id": instance.id, "task_id": task_id, "element_id": failure.element_id, "actor": actor,
                "incident_id": incident.id})
            return StepFailed(incident.id, instance.id, failure.element_id, incident.error)

    def open_on_start(self, process_id: str, actor: str, failure: StepError) -> StepFailed:
        """A start whose first engine steps failed: keep the instance at its start, in error, retryable."""
        now = self.clock()
        retry = failure.retry
        with self.db.write() as session:
            version = session.get(ProcessVersion, retry["version_id"])
            assert version is not None
            instance = Instance(process_version_id=version.id, process_id=process_id,
                                business_key=retry["business_key"], status=InstanceStatus.ERROR, initiator=actor,
                                state=retry["state"], serializer_version=SERIALIZER_VERSION, steps=0,
                                created_at=now, updated_at=now)
            session.add(instance)
            session.flush()
            session.add(Event(instance_id=instance.id, at=now, actor=actor, kind="instance_started",
                              element_name=version.process_name, detail={"data": retry["data"]}))
            failure.retry = {"action": "advance"}
            incident = self._new(instance.id, None, actor, failure, now)
            session.add(incident)
            session.flush()
            self._mark_error(session, instance, actor, now, "incident_opened", incident, failure)
            log.warning("first steps failed: %s", incident.error, extra={
                "instance_id": instance.id, "element_id": failure.element_id, "actor": actor,
                "incident_id": incident.id})
            return StepFailed(incident.id, instance.id, failure.element_id, incident.error)

    def get_open(self, incident_id: int) -> Incident:
        with self.db.read() as session:
            incident = session.get(Incident, incident_id)
            if incident is None:
                raise NotFound(f"No existe el incidente {incident_id}.")
            if incident.resolved_at is not None:
                raise Conflict(f"El incidente {incident_id} ya fue resuelto por {incident.resolved_by}.")
            return incident

    def resolve_in(self, session: Session, instance: LiveInstance, retrying: tuple[int, str],
                   recorder: StepRecorder) -> None:
        incident = session.get(Incident, retrying[0])
        if incident is not None and incident.resolved_at is None:
            self._resolve(incident, retrying[1], recorder)
        self._leave_error(session, instance)

    def resolve_all_in(self, session: Session, instance: LiveInstance, recorder: StepRecorder) -> None:
        for incident in session.scalars(select(Incident).where(Incident.instance_id == instance.id,
                                                                Incident.resolved_at.is_(None))):
            if not is_job_incident(incident):  # a dead job is resolved only by running it again
                self._resolve(incident, recorder.actor, recorder)
        self._leave_error(session, instance)

    def requeue_job(self, incident_id: int, actor: str) -> int:
        """Retry a dead job's incident: the job gets fresh attempts, due now, and the incident is resolved.
        Returns the instance id. The worker runs the job; if it dies again, a new incident says so."""
        from engine.jobs import requeue

        now = self.clock()
        with self.db.write() as session:
            incident = session.get(Incident, incident_id)
            if incident is None or incident.resolved_at is not None:
                raise Conflict(f"El incidente {incident_id} ya fue resuelto.")
            job_id = int(incident.retry_data["job_id"])
            if requeue(session, job_id, now) is None:
                raise NotFound(f"No existe el trabajo {job_id} del incidente {incident_id}.")
            incident.resolved_at = now
            incident.resolved_by = actor
            session.add(Event(instance_id=incident.instance_id, at=now, actor=actor, kind="incident_resolved",
                              element_id=incident.element_id,
                              detail={"incident_id": incident.id, "by": actor, "job_id": job_id, "requeued": True}))
            return incident.instance_id

    def _resolve(self, incident: Incident, by: str, recorder: StepRecorder) -> None:
        incident.resolved_at = recorder.now
        incident.resolved_by = by
        recorder.event("incident_resolved", incident.element_id, None, incident_id=incident.id, by=by)

    def _leave_error(self, session: Session, instance: LiveInstance) -> None:
        still_open = [i for i in session.scalars(select(Incident).where(
            Incident.instance_id == instance.id, Incident.resolved_at.is_(None))) if not is_job_incident(i)]
        if instance.status == InstanceStatus.ERROR and not still_open:
            instance.status = InstanceStatus.RUNNING  # save() settles running vs waiting vs completed

    def _new(self, instance_id: int, task_id: int | None, actor: str, failure: StepError,
             now: datetime) -> Incident:
        return Incident(instance_id=instance_id, human_task_id=task_id, element_id=failure.element_id,
                        error_type=type(failure.cause).__name__, error=_describe(failure.cause), actor=actor,
                        retry_data=failure.retry, attempts=1, created_at=now)

    def _mark_error(self, session: Session, instance: Instance, actor: str, now: datetime, kind: str,
                    incident: Incident, failure: StepError) -> None:
        old = instance.status
        instance.status = InstanceStatus.ERROR
        instance.updated_at = now
        trace = "".join(traceback.format_exception_only(type(failure.cause), failure.cause)).strip()
        session.add(Event(instance_id=instance.id, at=now, actor=actor, kind=kind, element_id=failure.element_id,
                          element_name=failure.element_name, from_status=old.value, to_status="error",
                          detail={"incident_id": incident.id, "error": incident.error, "exception": trace[:2000]}))


def is_job_incident(incident: Incident) -> bool:
    return (incident.retry_data or {}).get("action") == "job"


def open_for_job(session: Session, job: Job, error_type: str, error: str, now: datetime,
                 element_id: str | None = None) -> Incident:
    """A job that used up its attempts, recorded on its instance. The instance keeps its status: the job's
    work (a notice, a timer's follow-up) is what is missing, and "Reintentar" queues it again."""
    assert job.instance_id is not None
    payload = job.payload or {}
    incident = Incident(instance_id=job.instance_id, human_task_id=None,
                        element_id=element_id or payload.get("element_id"),
                        error_type=error_type[:100], error=error, actor=job.locked_by or "worker",
                        retry_data={"action": "job", "job_id": job.id, "kind": job.kind}, attempts=job.attempts,
                        created_at=now)
    session.add(incident)
    session.flush()
    session.add(Event(instance_id=job.instance_id, at=now, actor=incident.actor, kind="incident_opened",
                      element_id=incident.element_id, element_name=None,
                      detail={"incident_id": incident.id, "error": error, "job_id": job.id, "kind": job.kind,
                              "attempts": job.attempts}))
    return incident
