"""What supervisors and unit heads read about cases: open cases per type and unit, cycle times, SLA breaches per
week, the open cases of some units page by page, and the dashboard's headline figures.

Every figure is computed from ``case_file`` and ``case_event`` alone. Medians and percentiles are computed here,
not in SQL, so SQLite and PostgreSQL give the same numbers; weeks and months are the university's (Bogotá).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from handlers.casos.lifecycle import UNIT_LABELS
from handlers.casos.models import OPEN_STATUSES, STATUS_LABELS, CaseEvent, CaseEventKind, CaseFile, CaseStatus
from handlers.ledger.values import BOGOTA

UNITS: dict[str, str] = UNIT_LABELS  # the units that resolve cases (their roles) -> their names
OPEN = tuple(s.value for s in OPEN_STATUSES)
BREACH_WEEKS = 12
CYCLE_WINDOW = timedelta(days=90)  # the dashboard's cycle times: cases closed in the last 90 days
HOUR = 3600.0


# ---- open cases per type and unit ----------------------------------------------------------------------------

@dataclass(frozen=True)
class OpenCount:
    case_type: str
    type_name: str
    unit: str
    count: int


def open_by_type_and_unit(session: Session) -> list[OpenCount]:
    """Open cases grouped by type and unit, by type name then unit."""
    stmt = (select(CaseFile.case_type, func.max(CaseFile.type_name), CaseFile.unit, func.count())
            .where(CaseFile.status.in_(OPEN)).group_by(CaseFile.case_type, CaseFile.unit))
    found = [OpenCount(case_type, type_name, unit, int(n)) for case_type, type_name, unit, n in session.execute(stmt)]
    return sorted(found, key=lambda c: (c.type_name, c.case_type, c.unit))


# ---- cycle time ------------------------------------------------------------------------------------------------

def percentile(values: list[float], fraction: float) -> float:
    """Linear interpolation between closest ranks (the spreadsheet PERCENTIL.INC): the median at 0.5."""
    if not values:
        raise ValueError("no values")
    ordered = sorted(values)
    rank = (len(ordered) - 1) * fraction
    low, high = math.floor(rank), math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def _hours(opened_at: datetime, closed_at: datetime | None) -> float:
    assert closed_at is not None  # the queries read closed cases only
    return max((closed_at - opened_at).total_seconds(), 0.0) / HOUR


@dataclass(frozen=True)
class CycleTime:
    """Hours from opening to closing of the closed cases of one type."""

    case_type: str
    type_name: str
    count: int
    median_hours: float
    p90_hours: float


def cycle_times(session: Session, closed_since: datetime | None = None) -> list[CycleTime]:
    """Per type, the median and 90th percentile of the closed cases' cycle (closed_since: closed on or after)."""
    stmt = select(CaseFile.case_type, CaseFile.type_name, CaseFile.opened_at, CaseFile.closed_at).where(
        CaseFile.closed_at.is_not(None))
    if closed_since is not None:
        stmt = stmt.where(CaseFile.closed_at >= closed_since)
    hours: dict[str, list[float]] = {}
    names: dict[str, str] = {}
    for case_type, type_name, opened_at, closed_at in session.execute(stmt):
        hours.setdefault(case_type, []).append(_hours(opened_at, closed_at))
        names[case_type] = max(names.get(case_type, type_name), type_name)
    found = [CycleTime(t, names[t], len(v), percentile(v, 0.5), percentile(v, 0.9)) for t, v in hours.items()]
    return sorted(found, key=lambda c: (c.type_name, c.case_type))


def median_cycle_hours(session: Session, closed_since: datetime | None = None) -> float | None:
    stmt = select(CaseFile.opened_at, CaseFile.closed_at).where(CaseFile.closed_at.is_not(None))
    if closed_since is not None:
        stmt = stmt.where(CaseFile.closed_at >= closed_since)
    hours = [_hours(opened, closed) for opened, closed in session.execute(stmt)]
    return percentile(hours, 0.5) if hours else None


# ---- SLA breaches per week -------------------------------------------------------------------------------------

def week_start(moment: datetime) -> date:
    """The Monday (Bogotá) of the week holding ``moment``."""
    day = moment.astimezone(BOGOTA).date()
    return day - timedelta(days=day.weekday())


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=BOGOTA)


@dataclass(frozen=True)
class WeekBreaches:
    """SLA breaches (escalations) that happened in the week starting ``week`` (a Monday), per unit."""

    week: date
    by_unit: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.by_unit.values())


def breaches_by_week(session: Session, now: datetime, weeks: int = BREACH_WEEKS) -> list[WeekBreaches]:
    """The last ``weeks`` weeks (oldest first, the current one last), each escalation counted in its week.

    A case whose SLA passes twice (after a round of "Requiere información" its unit gets a new due time) counts
    twice: each breach is a promise the unit did not keep.
    """
    last = week_start(now)
    first = last - timedelta(weeks=weeks - 1)
    counts: dict[date, dict[str, int]] = {first + timedelta(weeks=i): {} for i in range(weeks)}
    stmt = (select(CaseEvent.at, CaseFile.unit).join(CaseFile, CaseFile.id == CaseEvent.case_id)
            .where(CaseEvent.kind == CaseEventKind.ESCALATED.value, CaseEvent.at >= _midnight(first),
                   CaseEvent.at < _midnight(last + timedelta(weeks=1))))
    for at, unit in session.execute(stmt):
        bucket = counts[week_start(at)]
        bucket[unit] = bucket.get(unit, 0) + 1
    return [WeekBreaches(week, dict(sorted(units.items()))) for week, units in counts.items()]


# ---- headline figures ------------------------------------------------------------------------------------------

def month_start(now: datetime) -> datetime:
    """Midnight of the first day of ``now``'s month in Bogotá."""
    return _midnight(now.astimezone(BOGOTA).date().replace(day=1))


@dataclass(frozen=True)
class Headline:
    open: int
    open_breached: int  # open cases whose SLA has passed at least once
    resolved_this_month: int  # closed this month (Bogotá) with an answer: resuelto or cerrado
    rejected_this_month: int
    median_cycle_hours: float | None  # cases closed in the last CYCLE_WINDOW
    closed_in_window: int


def headline(session: Session, now: datetime) -> Headline:
    open_total, open_breached = session.execute(
        select(func.count(), func.count(CaseFile.escalated_at)).where(CaseFile.status.in_(OPEN))).one()
    month = month_start(now)
    finished: dict[str, int] = {status: int(n) for status, n in session.execute(
        select(CaseFile.status, func.count()).where(CaseFile.closed_at >= month, CaseFile.closed_at <= now)
        .group_by(CaseFile.status))}
    rejected = finished.pop(CaseStatus.REJECTED.value, 0)
    since = now - CYCLE_WINDOW
    closed_in_window = int(session.execute(
        select(func.count()).where(CaseFile.closed_at >= since)).scalar_one())
    return Headline(open=int(open_total), open_breached=int(open_breached),
                    resolved_this_month=sum(n for s, n in finished.items() if s not in OPEN),
                    rejected_this_month=rejected, median_cycle_hours=median_cycle_hours(session, since),
                    closed_in_window=closed_in_window)


@dataclass(frozen=True)
class Dashboard:
    now: datetime
    headline: Headline
    open_counts: list[OpenCount]
    cycle: list[CycleTime]
    breaches: list[WeekBreaches]


def dashboard(session: Session, now: datetime) -> Dashboard:
    return Dashboard(now, headline(session, now), open_by_type_and_unit(session),
                     cycle_times(session, now - CYCLE_WINDOW), breaches_by_week(session, now))


# ---- open cases of some units ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class CaseFilters:
    unit: str | None = None
    case_type: str | None = None
    status: str | None = None  # one of the open statuses
    breached_only: bool = False

    @property
    def active(self) -> bool:
        return any((self.unit, self.case_type, self.status, self.breached_only))


@dataclass(frozen=True)
class CaseRow:
    number: str
    case_type: str
    type_name: str
    unit: str
    student_code: str
    student_name: str
    status: str
    opened_at: datetime
    updated_at: datetime
    escalated_at: datetime | None

    @property
    def status_label(self) -> str:
        return STATUS_LABELS.get(self.status, self.status)

    @property
    def unit_label(self) -> str:
        return UNITS.get(self.unit, self.unit)

    @property
    def breached(self) -> bool:
        return self.escalated_at is not None


@dataclass(frozen=True)
class CasePage:
    rows: list[CaseRow]
    total: int
    page: int
    pages: int
    per_page: int

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


def _case_conditions(units: frozenset[str] | None, filters: CaseFilters) -> list[ColumnElement[bool]]:
    found: list[ColumnElement[bool]] = [CaseFile.status.in_(
        (filters.status,) if filters.status in OPEN else OPEN)]
    if units is not None:
        found.append(CaseFile.unit.in_(sorted(units)))
    if filters.unit:
        found.append(CaseFile.unit == filters.unit)
    if filters.case_type:
        found.append(CaseFile.case_type == filters.case_type)
    if filters.breached_only:
        found.append(CaseFile.escalated_at.is_not(None))
    return found


def open_cases(session: Session, units: frozenset[str] | None, filters: CaseFilters | None = None,
               page: int = 1, per_page: int = 25) -> CasePage:
    """The open cases of ``units`` (None: every unit), oldest first, one page; the page is clamped to the last."""
    filters = filters or CaseFilters()
    where = _case_conditions(units, filters)
    total = int(session.execute(select(func.count()).select_from(CaseFile).where(*where)).scalar_one())
    pages = max(1, math.ceil(total / per_page))
    page = min(max(page, 1), pages)
    stmt = (select(CaseFile).where(*where).order_by(CaseFile.opened_at, CaseFile.id)
            .limit(per_page).offset((page - 1) * per_page))
    rows = [CaseRow(c.number, c.case_type, c.type_name, c.unit, c.student_code, c.student_name, c.status,
                    c.opened_at, c.updated_at, c.escalated_at) for c in session.scalars(stmt)]
    return CasePage(rows, total, page, pages, per_page)


def case_types(session: Session, units: frozenset[str] | None = None) -> dict[str, str]:
    """Case type -> name, of the cases ``units`` have had (for a filter's choices)."""
    stmt: Any = select(CaseFile.case_type, func.max(CaseFile.type_name)).group_by(CaseFile.case_type)
    if units is not None:
        stmt = stmt.where(CaseFile.unit.in_(sorted(units)))
    return dict(sorted(((t, n) for t, n in session.execute(stmt)), key=lambda item: item[1]))
