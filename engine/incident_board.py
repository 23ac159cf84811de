"""The supervisors' "Incidentes" page: every open incident across instances, and dead jobs with no instance."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select

from engine.db import Database
from engine.jobs import Job, JobStatus
from engine.models import Incident, Instance
from engine.views import _Plain

BOARD_LIMIT = 500


@dataclass(frozen=True)
class OpenIncident(_Plain):
    id: int
    instance_id: int
    business_key: str | None
    process_id: str
    element_id: str | None
    job_kind: str | None  # set when a background job used up its attempts
    error_type: str
    error: str
    attempts: int
    created_at: datetime


@dataclass(frozen=True)
class DeadJob(_Plain):
    id: int
    kind: str
    attempts: int
    last_error: str | None
    finished_at: datetime | None


@dataclass(frozen=True)
class IncidentBoard(_Plain):
    incidents: list[OpenIncident] = field(default_factory=list)
    dead_jobs: list[DeadJob] = field(default_factory=list)  # dead jobs that belong to no instance


def incident_board(db: Database, limit: int = BOARD_LIMIT) -> IncidentBoard:
    """Open incidents, oldest first (they have waited longest), and dead jobs with no instance to carry one."""
    with db.read() as session:
        rows = session.execute(
            select(Incident, Instance.business_key, Instance.process_id)
            .join(Instance, Instance.id == Incident.instance_id)
            .where(Incident.resolved_at.is_(None)).order_by(Incident.created_at, Incident.id).limit(limit))
        incidents = [OpenIncident(i.id, i.instance_id, key, process, i.element_id,
                                  (i.retry_data or {}).get("kind") if (i.retry_data or {}).get("action") == "job"
                                  else None, i.error_type, i.error, i.attempts, i.created_at)
                     for i, key, process in rows]
        jobs = session.scalars(select(Job).where(Job.status == JobStatus.DEAD, Job.instance_id.is_(None))
                               .order_by(Job.finished_at.desc(), Job.id.desc()).limit(limit))
        dead = [DeadJob(j.id, j.kind, j.attempts, j.last_error, j.finished_at) for j in jobs]
    return IncidentBoard(incidents, dead)
