"""Plain data the process designer's operations hand to the web pages (issue 6): never ORM rows."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from engine.views import _Plain


@dataclass(frozen=True)
class VersionSummary(_Plain):
    id: int
    model: str
    version: int
    process_id: str
    process_name: str
    deployed_by: str
    deployed_at: datetime
    running: int  # instances not completed nor terminated
    finished: int


@dataclass(frozen=True)
class DraftInfo(_Plain):
    model: str
    updated_by: str
    updated_at: datetime
    base_version: int | None


@dataclass(frozen=True)
class ModelSummary(_Plain):
    model: str
    process_id: str
    process_name: str
    versions: list[VersionSummary]  # newest first
    draft: DraftInfo | None


@dataclass(frozen=True)
class ModelFiles(_Plain):
    model: str
    version: int | None  # None for a draft never deployed; a draft's base version otherwise
    files: dict[str, str]
    is_draft: bool


@dataclass(frozen=True)
class ModelTemplate(_Plain):
    key: str
    label: str
    description: str


@dataclass(frozen=True)
class ElementChange(_Plain):
    file: str
    element_id: str
    element_type: str  # the BPMN tag without namespace: userTask, sequenceFlow, lane...
    name: str
    details: list[str] = field(default_factory=list)  # Spanish, e.g. "nombre: «Revisar» → «Revisar solicitud»"


@dataclass(frozen=True)
class ModelDiff(_Plain):
    model: str
    old: int
    new: int  # 0 means the draft
    added: list[ElementChange]
    removed: list[ElementChange]
    changed: list[ElementChange]
    files_added: list[str]
    files_removed: list[str]
    files_changed: list[str]
