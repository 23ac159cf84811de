"""What a requester sees of their cases: status in their words, and the story of each case."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from handlers.casos.models import STATUS_LABELS, CaseEvent, CaseEventKind, CaseFile

EVENT_LABELS = {
    CaseEventKind.OPENED: "Caso registrado",
    CaseEventKind.STATUS: "En revisión",
    CaseEventKind.INFO_REQUESTED: "La unidad pidió más información",
    CaseEventKind.INFO_ANSWERED: "Usted respondió",
    CaseEventKind.CLOSED: "Caso cerrado",
}


@dataclass(frozen=True)
class CaseStatusView:
    number: str
    type_name: str
    unit: str
    status: str
    status_label: str
    opened_at: datetime
    updated_at: datetime
    outcome: str | None


@dataclass(frozen=True)
class CaseStoryItem:
    at: datetime
    label: str
    detail: str | None


@dataclass(frozen=True)
class CaseStory:
    case: CaseStatusView
    items: tuple[CaseStoryItem, ...]
    pending_question: str | None  # what the unit asked, while the case waits for the requester


def _view(case: CaseFile) -> CaseStatusView:
    return CaseStatusView(case.number, case.type_name, case.unit, case.status,
                          STATUS_LABELS.get(case.status, case.status), case.opened_at, case.updated_at, case.outcome)


def case_statuses(session: Session, numbers: Iterable[str]) -> dict[str, CaseStatusView]:
    """The cases among ``numbers`` (case numbers of instances the caller may already see), by number."""
    wanted = [n for n in numbers if n]
    if not wanted:
        return {}
    return {c.number: _view(c) for c in session.scalars(select(CaseFile).where(CaseFile.number.in_(wanted)))}


def case_story(session: Session, number: str) -> CaseStory | None:
    """The story the requester reads: registered, questions and answers, escalation is staff business (left out),
    the outcome. The caller has checked that the viewer may see the case."""
    case = session.scalars(select(CaseFile).where(CaseFile.number == number)).first()
    if case is None:
        return None
    items: list[CaseStoryItem] = []
    question: str | None = None
    for event in session.scalars(select(CaseEvent).where(CaseEvent.case_id == case.id).order_by(CaseEvent.id)):
        if event.kind == CaseEventKind.ESCALATED:
            continue
        label = EVENT_LABELS.get(CaseEventKind(event.kind), event.kind)
        if event.kind == CaseEventKind.CLOSED:
            label = f"Caso {STATUS_LABELS.get(event.to_status or '', '').lower()}"
        shown = event.detail if event.kind != CaseEventKind.OPENED else None
        items.append(CaseStoryItem(event.at, label, shown))
        question = event.detail if event.kind == CaseEventKind.INFO_REQUESTED else (
            None if event.kind in (CaseEventKind.INFO_ANSWERED, CaseEventKind.CLOSED) else question)
    return CaseStory(_view(case), tuple(items), question if case.status == "requiere_informacion" else None)
