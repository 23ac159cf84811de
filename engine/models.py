"""The engine's tables: deployed versions, instances, the human-task index, the audit trail, incidents."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Enum, ForeignKey, Index, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from dbtypes import UTCDateTime
from engine.db import Base


def _enum(cls: type[enum.Enum], name: str) -> Enum:
    return Enum(cls, name=name, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e])

class InstanceStatus(enum.StrEnum):
    RUNNING = "running"  # has work ready for people
    WAITING = "waiting"  # waits on something else (a timer, a message)
    COMPLETED = "completed"
    ERROR = "error"  # an open incident blocks it
    SUSPENDED = "suspended"
    TERMINATED = "terminated"

    @property
    def is_final(self) -> bool:
        return self in FINAL_STATUSES

FINAL_STATUSES = (InstanceStatus.COMPLETED, InstanceStatus.TERMINATED)  # an instance that will not move again


class TaskStatus(enum.StrEnum):
    OPEN = "open"
    COMPLETED = "completed"
    CANCELLED = "cancelled"

class ProcessVersion(Base):
    """One deployed content of a model folder. Files are kept verbatim so the version can be re-parsed."""

    __tablename__ = "process_version"
    __table_args__ = (UniqueConstraint("model", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    model: Mapped[str] = mapped_column(String(100), index=True)
    version: Mapped[int] = mapped_column(Integer)
    process_id: Mapped[str] = mapped_column(String(100), index=True)
    process_name: Mapped[str] = mapped_column(String(200))
    content_hash: Mapped[str] = mapped_column(String(64))
    files: Mapped[dict[str, str]] = mapped_column(JSON)
    deployed_by: Mapped[str] = mapped_column(String(100))
    deployed_at: Mapped[datetime] = mapped_column(UTCDateTime)

class Instance(Base):
    __tablename__ = "instance"

    id: Mapped[int] = mapped_column(primary_key=True)
    process_version_id: Mapped[int] = mapped_column(ForeignKey("process_version.id"), index=True)
    process_id: Mapped[str] = mapped_column(String(100), index=True)
    business_key: Mapped[str | None] = mapped_column(String(100), index=True)
    subject: Mapped[str | None] = mapped_column(String(100), index=True)  # whom it is about, e.g. a student code
    status: Mapped[InstanceStatus] = mapped_column(_enum(InstanceStatus, "instance_status"), index=True)
    initiator: Mapped[str] = mapped_column(String(100), index=True)
    state: Mapped[dict[str, Any]] = mapped_column(JSON)
    serializer_version: Mapped[str] = mapped_column(String(20))
    steps: Mapped[int] = mapped_column(Integer, default=0)
    row_version: Mapped[int] = mapped_column(Integer, nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    # Optimistic lock: a write whose row_version moved on under it fails instead of overwriting.
    __mapper_args__ = {"version_id_col": row_version}  # noqa: RUF012

class HumanTask(Base):
    """A ready user or manual task. Inboxes read only this table; they never open a workflow."""

    __tablename__ = "human_task"
    # The inbox's group tab is "open, unclaimed, one of my roles" in some order: each index below makes that a
    # single index range already sorted, so counts and first pages stay flat at 100,000 open tasks.
    __table_args__ = (
        Index("ix_human_task_status_assignee", "status", "assignee"),
        Index("ix_human_task_status_role_assignee_created", "status", "role", "assignee", "created_at"),
        Index("ix_human_task_status_role_assignee_due", "status", "role", "assignee", "due_at"),
        Index("ix_human_task_status_role_assignee_process", "status", "role", "assignee", "process_id", "created_at"),
        Index("ix_human_task_status_role_assignee_case", "status", "role", "assignee", "business_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("instance.id"), index=True)
    spiff_task_id: Mapped[str] = mapped_column(String(36), unique=True)
    element_id: Mapped[str] = mapped_column(String(100))
    name: Mapped[str] = mapped_column(String(200))
    process_id: Mapped[str] = mapped_column(String(100))
    business_key: Mapped[str | None] = mapped_column(String(100), index=True)
    subject: Mapped[str | None] = mapped_column(String(100), index=True)
    role: Mapped[str] = mapped_column(String(60))
    assignee: Mapped[str | None] = mapped_column(String(100))
    status: Mapped[TaskStatus] = mapped_column(_enum(TaskStatus, "task_status"))
    form: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    completed_by: Mapped[str | None] = mapped_column(String(100))
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

class Event(Base):
    """Append-only audit trail: who did what, when, from which status to which, with which data."""

    __tablename__ = "event"

    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("instance.id"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(40))
    element_id: Mapped[str | None] = mapped_column(String(100))
    element_name: Mapped[str | None] = mapped_column(String(200))
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str | None] = mapped_column(String(20))
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

class Incident(Base):
    """A step that failed: the step was rolled back and can be retried once its cause is fixed."""

    __tablename__ = "incident"

    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("instance.id"), index=True)
    human_task_id: Mapped[int | None] = mapped_column(ForeignKey("human_task.id"))
    element_id: Mapped[str | None] = mapped_column(String(100))
    error_type: Mapped[str] = mapped_column(String(100))
    error: Mapped[str] = mapped_column(Text)
    actor: Mapped[str] = mapped_column(String(100))
    retry_data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    attempts: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolved_by: Mapped[str | None] = mapped_column(String(100))


class Note(Base):
    """A comment on an instance (optionally on one of its tasks), by staff or by the requester."""

    __tablename__ = "instance_note"

    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("instance.id"), index=True)
    task_id: Mapped[int | None] = mapped_column(ForeignKey("human_task.id"))
    author: Mapped[str] = mapped_column(String(100))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    text: Mapped[str] = mapped_column(Text)


class Attachment(Base):
    """A file attached to an instance. Bytes live in the database so they commit with the step that adds them."""

    __tablename__ = "attachment"

    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("instance.id"), index=True)
    task_id: Mapped[int | None] = mapped_column(ForeignKey("human_task.id"))
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    uploaded_by: Mapped[str] = mapped_column(String(100))
    at: Mapped[datetime] = mapped_column(UTCDateTime)


class ModelDraft(Base):
    """A model's unsaved work in the designer: files that may not validate yet, one draft per model."""

    __tablename__ = "model_draft"

    id: Mapped[int] = mapped_column(primary_key=True)
    model: Mapped[str] = mapped_column(String(100), unique=True)
    files: Mapped[dict[str, str]] = mapped_column(JSON)
    base_version: Mapped[int | None] = mapped_column(Integer)  # the version it was opened from; None if new
    updated_by: Mapped[str] = mapped_column(String(100))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
