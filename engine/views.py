"""Plain data the engine hands to its callers (views, CLI, tests): never ORM or SpiffWorkflow objects."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from engine.errors import Problem
from engine.models import Event, Incident


def _iso(value: datetime | None) -> str | None:
    return value.isoformat(timespec="seconds") if value else None


class _Plain:
    def as_dict(self) -> dict[str, Any]:
        def convert(value: Any) -> Any:
            if isinstance(value, datetime):
                return _iso(value)
            if isinstance(value, list):
                return [convert(v) for v in value]
            if isinstance(value, dict):
                return {k: convert(v) for k, v in value.items()}
            return value

        return {k: convert(v) for k, v in asdict(self).items()}  # type: ignore[call-overload]


@dataclass(frozen=True)
class TaskView(_Plain):
    id: int
    instance_id: int
    process_id: str
    business_key: str | None
    element_id: str
    name: str
    role: str
    assignee: str | None
    status: str
    form: str | None
    created_at: datetime
    due_at: datetime | None
    completed_by: str | None
    completed_at: datetime | None
    subject: str | None = None

    @classmethod
    def of(cls, row: Any) -> TaskView:
        """From a human_task row (ORM object or Core row: the attribute names are the same)."""
        return cls(row.id, row.instance_id, row.process_id, row.business_key, row.element_id, row.name, row.role,
                   row.assignee, row.status.value, row.form, row.created_at, row.due_at, row.completed_by,
                   row.completed_at, row.subject)

    def overdue(self, now: datetime) -> bool:
        return self.status == "open" and self.due_at is not None and self.due_at < now


@dataclass(frozen=True)
class EventView(_Plain):
    id: int
    at: datetime
    actor: str
    kind: str
    element_id: str | None
    element_name: str | None
    from_status: str | None
    to_status: str | None
    detail: dict[str, Any]

    @classmethod
    def of(cls, row: Event) -> EventView:
        return cls(row.id, row.at, row.actor, row.kind, row.element_id, row.element_name, row.from_status,
                   row.to_status, dict(row.detail or {}))


@dataclass(frozen=True)
class IncidentView(_Plain):
    id: int
    instance_id: int
    element_id: str | None
    error_type: str
    error: str
    actor: str
    attempts: int
    created_at: datetime
    resolved_at: datetime | None
    resolved_by: str | None

    @classmethod
    def of(cls, row: Incident) -> IncidentView:
        return cls(row.id, row.instance_id, row.element_id, row.error_type, row.error, row.actor, row.attempts,
                   row.created_at, row.resolved_at, row.resolved_by)


@dataclass(frozen=True)
class VersionInfo(_Plain):
    id: int
    model: str
    version: int
    process_id: str
    process_name: str


@dataclass(frozen=True)
class InstanceView(_Plain):
    id: int
    process_id: str
    process_name: str
    model: str
    version: int
    business_key: str | None
    status: str
    initiator: str
    created_at: datetime
    updated_at: datetime
    ended_at: datetime | None
    open_tasks: list[TaskView] = field(default_factory=list)
    subject: str | None = None

    @classmethod
    def of(cls, row: Any, info: VersionInfo, open_tasks: list[TaskView]) -> InstanceView:
        """From an instance row (ORM or the step's working copy) and its version."""
        return cls(row.id, row.process_id, info.process_name, info.model, info.version, row.business_key,
                   row.status.value, row.initiator, row.created_at, row.updated_at, row.ended_at, open_tasks,
                   row.subject)


@dataclass(frozen=True)
class InstanceDetail(_Plain):
    instance: InstanceView
    data: dict[str, Any]
    history: list[EventView]
    incidents: list[IncidentView]
    state_bytes: int


@dataclass(frozen=True)
class DeployResult(_Plain):
    model: str
    process_id: str
    version: int
    status: str  # "deployed" or "unchanged"
    content_hash: str


@dataclass(frozen=True)
class ValidationReport(_Plain):
    model: str
    path: str
    process_id: str | None
    problems: list[Problem]

    @property
    def ok(self) -> bool:
        return not self.problems

    def as_dict(self) -> dict[str, Any]:
        return {"model": self.model, "path": self.path, "process_id": self.process_id, "ok": self.ok,
                "problems": [p.as_dict() for p in self.problems]}
