"""The inbox ("Bandeja de tareas") as a query on the human_task table alone.

No join to ``instance`` in the list query and no workflow is opened: every column the inbox filters or sorts on
(process, business key, subject, role, assignee, dates) is copied onto the task row when the task is created. What
is only shown (the requester's name, when the case began) is read afterwards for the page's own tasks: at most
``per_page`` primary-key lookups, whatever the backlog.

Indexes the queries are written for are in ``HumanTask.__table_args__``. The group tab is "open, unclaimed, one
of my roles", so with (status, role, assignee, created_at) each role's tasks are one index range, already in
creation order: the count reads only that index and the first page stops after 25 entries. Several roles are
merged with one ordered, limited sub-select per role (UNION ALL), so the database never sorts the whole backlog.
"""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import ColumnElement, Select, Table, bindparam, func, literal_column, select, union_all
from sqlalchemy.orm import Session

from engine.identity import User, UserRole
from engine.models import HumanTask, Instance, ProcessVersion, TaskStatus
from engine.views import TaskView

TASK = cast(Table, HumanTask.__table__)
MAX_PER_PAGE = 100
# Counting 100,000 index entries costs ~10-20 ms on SQLite, more than the rest of the page: tab counts stop at
# COUNT_CAP and show "10.000+" beyond it (pages go up to COUNT_CAP / per_page; filters narrow further).
COUNT_CAP = 10_000
# A task due within this is "Por vencer": a day leaves the unit a working day to act before the escalation.
DUE_SOON = timedelta(hours=24)


class Tab(enum.StrEnum):
    MINE = "mine"  # claimed by me
    GROUP = "group"  # open, unclaimed, of one of my roles
    ALL = "all"  # every open task (supervisors)


class Sla(enum.StrEnum):
    """Where a task stands against its due time (``dueIn``); a task without one has no SLA state."""

    ON_TIME = "a_tiempo"
    DUE_SOON = "por_vencer"
    OVERDUE = "vencida"


def sla_of(due_at: datetime | None, now: datetime) -> Sla | None:
    if due_at is None:
        return None
    if due_at < now:
        return Sla.OVERDUE
    return Sla.DUE_SOON if due_at < now + DUE_SOON else Sla.ON_TIME


class Sort(enum.StrEnum):
    CREATED = "created"
    DUE = "due"
    PROCESS = "process"
    CASE = "case"


_SORT_COLUMNS = {Sort.CREATED: "created_at", Sort.DUE: "due_at", Sort.PROCESS: "process_id",
                 Sort.CASE: "business_key"}
_COLUMNS = [TASK.c[name] for name in (
    "id", "instance_id", "process_id", "business_key", "subject", "element_id", "name", "role", "assignee", "status",
    "form", "created_at", "due_at", "completed_by", "completed_at")]


@dataclass(frozen=True)
class InboxFilters:
    """What narrows the list. Dates are aware datetimes: the caller decides what a "day" is (its time zone)."""

    process: str | None = None
    case: str | None = None  # business key, exact
    student: str | None = None  # the task's subject, exact
    created_from: datetime | None = None  # inclusive
    created_before: datetime | None = None  # exclusive
    overdue: bool = False
    sla: Sla | None = None

    @property
    def active(self) -> bool:
        return any((self.process, self.case, self.student, self.created_from, self.created_before, self.overdue,
                    self.sla))


@dataclass(frozen=True)
class InboxQuery:
    tab: Tab | None = None  # None: "Mis tareas" when the user holds any, else "Tareas de mis grupos"
    filters: InboxFilters = field(default_factory=InboxFilters)
    sort: Sort = Sort.CREATED
    descending: bool = False
    page: int = 1
    per_page: int = 25


@dataclass(frozen=True)
class CaseOrigin:
    """Who started a task's instance (the case's requester) and when: the inbox's "solicitante" and "edad"."""

    requester: str  # username
    requester_name: str  # display name, the username when the user row is gone
    opened_at: datetime


@dataclass(frozen=True)
class InboxPage:
    """One page of one tab, with the (filtered) count of every tab the user has."""

    query: InboxQuery
    rows: list[TaskView]
    counts: dict[str, int]  # by Tab value, at most COUNT_CAP (see ``capped``)
    total: int  # rows in the current tab, filters applied (at most COUNT_CAP)
    page: int
    pages: int
    now: datetime
    processes: dict[str, str]  # process id -> name, for the filter and the "proceso" column
    supervisor: bool = False
    candidates: dict[str, list[tuple[str, str]]] = field(default_factory=dict)  # role -> (username, name)
    capped: frozenset[str] = frozenset()  # tabs holding more than COUNT_CAP tasks
    cases: dict[int, CaseOrigin] = field(default_factory=dict)  # instance id -> who asked and since when

    def count_label(self, tab: str) -> str:
        """A tab's count as shown: "1.234", or "10.000+" past the cap."""
        shown = f"{self.counts[tab]:,}".replace(",", ".")
        return shown + ("+" if tab in self.capped else "")

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    def overdue(self, task: TaskView) -> bool:
        return task.overdue(self.now)

    def sla(self, task: TaskView) -> Sla | None:
        return sla_of(task.due_at, self.now)

    def origin(self, task: TaskView) -> CaseOrigin | None:
        return self.cases.get(task.instance_id)

    def page_numbers(self, around: int = 2) -> list[int | None]:
        """Page links: the first, the last, and ``around`` on each side of the current; None marks a gap."""
        wanted = {1, self.pages, *range(self.page - around, self.page + around + 1)}
        numbers = sorted(n for n in wanted if 1 <= n <= self.pages)
        shown: list[int | None] = []
        for n in numbers:
            if shown and n - cast(int, shown[-1]) > 1:
                shown.append(None)
            shown.append(n)
        return shown


def _scope(tab: Tab, username: str, roles: frozenset[str]) -> list[ColumnElement[bool]] | None:
    """The conditions of a tab, or None when the tab is empty by definition (a group tab without roles)."""
    open_ = TASK.c.status == TaskStatus.OPEN
    if tab == Tab.MINE:
        return [open_, TASK.c.assignee == username]
    if tab == Tab.ALL:
        return [open_]
    if not roles:
        return None
    role = TASK.c.role == next(iter(roles)) if len(roles) == 1 else TASK.c.role.in_(sorted(roles))
    return [open_, role, TASK.c.assignee.is_(None)]


def _narrow(filters: InboxFilters, now: datetime) -> list[ColumnElement[bool]]:
    found: list[ColumnElement[bool]] = []
    if filters.process:
        found.append(TASK.c.process_id == filters.process)
    if filters.case:
        found.append(TASK.c.business_key == filters.case)
    if filters.student:
        found.append(TASK.c.subject == filters.student)
    if filters.created_from:
        found.append(TASK.c.created_at >= filters.created_from)
    if filters.created_before:
        found.append(TASK.c.created_at < filters.created_before)
    if filters.overdue or filters.sla == Sla.OVERDUE:
        found.append(TASK.c.due_at < now)
    elif filters.sla == Sla.DUE_SOON:
        found.extend((TASK.c.due_at >= now, TASK.c.due_at < now + DUE_SOON))
    elif filters.sla == Sla.ON_TIME:
        found.append(TASK.c.due_at >= now + DUE_SOON)
    return found


def count(session: Session, tab: Tab, username: str, roles: frozenset[str], filters: InboxFilters,
          now: datetime, cap: int | None = COUNT_CAP) -> int:
    """How many tasks a tab holds, counting at most ``cap + 1`` of them (so a count costs at most that)."""
    scope = _scope(tab, username, roles)
    if scope is None:
        return 0
    matching: Select[Any] = select(literal_column("1")).select_from(TASK).where(*scope, *_narrow(filters, now))
    if cap is not None:
        matching = matching.limit(cap + 1)
    stmt = select(func.count()).select_from(matching.subquery())
    return int(session.execute(stmt).scalar_one())


def _ordered(stmt: Select[Any], sort: Sort, descending: bool, columns: Any) -> Select[Any]:
    key, tie = columns[_SORT_COLUMNS[sort]], columns["id"]
    if sort in (Sort.PROCESS, Sort.CASE):  # within one process or case, oldest first
        created = columns["created_at"]
        keys = [key.desc(), created.desc(), tie.desc()] if descending else [key, created, tie]
    else:
        keys = [key.desc(), tie.desc()] if descending else [key, tie]
    return stmt.order_by(*keys)


def rows(session: Session, tab: Tab, username: str, roles: frozenset[str], query: InboxQuery,
         now: datetime) -> list[TaskView]:
    scope = _scope(tab, username, roles)
    if scope is None:
        return []
    narrow = _narrow(query.filters, now)
    offset = (query.page - 1) * query.per_page
    if tab == Tab.GROUP and len(roles) > 1:
        # One ordered, limited range per role, merged: each is an index range in the wanted order.
        parts = [_ordered(select(*_COLUMNS).where(TASK.c.status == TaskStatus.OPEN, TASK.c.role == role,
                                                  TASK.c.assignee.is_(None), *narrow),
                          query.sort, query.descending, TASK.c).limit(offset + query.per_page).subquery()
                 for role in sorted(roles)]
        merged = union_all(*(select(part) for part in parts)).subquery()
        stmt = _ordered(select(merged), query.sort, query.descending, merged.c)
    else:
        stmt = _ordered(select(*_COLUMNS).where(*scope, *narrow), query.sort, query.descending, TASK.c)
    stmt = stmt.limit(query.per_page).offset(offset)
    return [TaskView.of(row) for row in session.execute(stmt)]


_INSTANCE, _USER = cast(Table, Instance.__table__), cast(Table, User.__table__)
# Built once, on Core tables, with an expanding parameter: the page pays for the lookup, not for building it.
_ORIGINS = (select(_INSTANCE.c.id, _INSTANCE.c.initiator, _USER.c.display_name, _INSTANCE.c.created_at)
            .select_from(_INSTANCE.outerjoin(_USER, _USER.c.username == _INSTANCE.c.initiator))
            .where(_INSTANCE.c.id.in_(bindparam("ids", expanding=True))))


def origins(session: Session, instance_ids: set[int]) -> dict[int, CaseOrigin]:
    """The requester and start of each instance, for one page's tasks (a primary-key lookup per instance)."""
    if not instance_ids:
        return {}
    return {row.id: CaseOrigin(row.initiator, row.display_name or row.initiator, row.created_at)
            for row in session.execute(_ORIGINS, {"ids": sorted(instance_ids)})}


@dataclass(frozen=True)
class CaseWork:
    """The engine's side of a case, by its business key: its instance and its earliest open task's due time."""

    instance_id: int
    due_at: datetime | None


def work_by_key(session: Session, keys: dict[str, str]) -> dict[str, CaseWork]:
    """For business key -> process id pairs (a page of cases), the instance of that process carrying the key and
    the soonest due time among its open tasks. A key without such an instance is left out."""
    if not keys:
        return {}
    found: dict[str, int] = {}
    for instance_id, key, process_id in session.execute(
            select(Instance.id, Instance.business_key, Instance.process_id)
            .where(Instance.business_key.in_(sorted(keys))).order_by(Instance.id)):
        if key is not None and key not in found and process_id == keys[key]:
            found[key] = instance_id
    due: dict[int, datetime | None] = dict.fromkeys(found.values())
    if found:
        for instance_id, soonest in session.execute(
                select(TASK.c.instance_id, func.min(TASK.c.due_at))
                .where(TASK.c.instance_id.in_(sorted(due)), TASK.c.status == TaskStatus.OPEN)
                .group_by(TASK.c.instance_id)):
            due[instance_id] = soonest
    return {key: CaseWork(instance_id, due[instance_id]) for key, instance_id in found.items()}


def process_names(session: Session) -> dict[str, str]:
    """Process id -> name of the latest deployed version (a table of a few rows, not a per-task join)."""
    found: dict[str, str] = {}
    for process_id, name in session.execute(
            select(ProcessVersion.process_id, ProcessVersion.process_name).order_by(ProcessVersion.version)):
        found[process_id] = name
    return found


def users_by_role(session: Session, roles: set[str]) -> dict[str, list[tuple[str, str]]]:
    """The active users (username, display name) holding each of ``roles``: whom a task may be reassigned to."""
    found: dict[str, list[tuple[str, str]]] = {role: [] for role in sorted(roles)}
    if roles:
        for role, username, name in session.execute(
                select(UserRole.role, User.username, User.display_name)
                .join(User, User.username == UserRole.username)
                .where(UserRole.role.in_(sorted(roles)), User.active.is_(True))
                .order_by(UserRole.role, User.username)):
            found[role].append((username, name))
    return found


def tabs_for(supervising: bool) -> list[Tab]:
    return [Tab.MINE, Tab.GROUP, *([Tab.ALL] if supervising else [])]


def page_count(total: int, per_page: int) -> int:
    return max(1, math.ceil(total / per_page))
