"""The financial-services cases: one row per case, and the story of its status for requesters and dashboards.

The process instance is the case's engine; this row is what finance knows of it (who asks, about which
student, which unit resolves it, where it stands), kept by the shared handlers of ``processes/casos``.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from dbtypes import UTCDateTime
from handlers.ledger.models import LedgerBase


class CaseStatus(StrEnum):
    REGISTERED = "registrado"
    IN_REVIEW = "en_revision"
    NEEDS_INFO = "requiere_informacion"
    RESOLVED = "resuelto"
    REJECTED = "rechazado"
    CLOSED = "cerrado"


STATUS_LABELS: dict[str, str] = {
    CaseStatus.REGISTERED: "Registrado",
    CaseStatus.IN_REVIEW: "En revisión",
    CaseStatus.NEEDS_INFO: "Requiere información",
    CaseStatus.RESOLVED: "Resuelto",
    CaseStatus.REJECTED: "Rechazado",
    CaseStatus.CLOSED: "Cerrado",
}

OPEN_STATUSES = (CaseStatus.REGISTERED, CaseStatus.IN_REVIEW, CaseStatus.NEEDS_INFO)


class CaseEventKind(StrEnum):
    OPENED = "opened"
    STATUS = "status"
    INFO_REQUESTED = "info_requested"
    INFO_ANSWERED = "info_answered"
    ESCALATED = "escalated"
    CLOSED = "closed"


def _in(column: str, values: type[StrEnum]) -> str:
    return f"{column} IN ({', '.join(repr(v.value) for v in values)})"


class CaseFile(LedgerBase):
    __tablename__ = "case_file"
    __table_args__ = (
        CheckConstraint(_in("status", CaseStatus), name="status"),
        Index("ix_case_file_status_unit", "status", "unit"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)  # SF-2026-000123 (the instance's case number)
    case_type: Mapped[str] = mapped_column(String(64), index=True)  # the process id, e.g. devolucion_saldos
    type_name: Mapped[str] = mapped_column(String(120))
    unit: Mapped[str] = mapped_column(String(32))  # the lane (role) that resolves it
    requester: Mapped[str] = mapped_column(String(100), index=True)  # username of whoever opened it
    student_code: Mapped[str] = mapped_column(String(32), index=True)
    document_id: Mapped[str] = mapped_column(String(32))
    student_name: Mapped[str] = mapped_column(String(200))
    contact_email: Mapped[str] = mapped_column(String(200))
    contact_mobile: Mapped[str] = mapped_column(String(32))
    program: Mapped[str] = mapped_column(String(120))
    subject: Mapped[str] = mapped_column(String(300))
    status: Mapped[str] = mapped_column(String(24))
    outcome: Mapped[str | None] = mapped_column(Text)  # what the requester was told at the end
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    escalated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # first SLA breach
    instance_ref: Mapped[str | None] = mapped_column(String(64))


class CaseEvent(LedgerBase):
    """Append-only story of a case: status changes, information asked and answered, escalations."""

    __tablename__ = "case_event"
    __table_args__ = (
        CheckConstraint(_in("kind", CaseEventKind), name="kind"),
        Index("ix_case_event_kind_at", "kind", "at"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_file.id"), index=True)
    kind: Mapped[str] = mapped_column(String(24))
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    actor: Mapped[str] = mapped_column(String(100))
    from_status: Mapped[str | None] = mapped_column(String(24))
    to_status: Mapped[str | None] = mapped_column(String(24))
    detail: Mapped[str | None] = mapped_column(Text)
