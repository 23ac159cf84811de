"""The inbox query (Engine.inbox) over a large backlog, and reassigning tasks."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, update

from engine import inbox
from engine.bulk import clone_open_instances
from engine.db import Database
from engine.errors import Forbidden, InvalidData
from engine.identity import ensure_user
from engine.inbox import InboxFilters, InboxQuery, Sort, Tab
from engine.models import Event, HumanTask, Instance
from engine.runtime import Engine
from engine.views import TaskView
from tests.engine.pro_maa_16_driver import REQUEST, run_worker

NOW = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)
COPIES = 1_200


def _start(engine: Engine, payment: str) -> int:
    return engine.start("pro_maa_16", "coord.bogota", {**REQUEST, "payment": payment}).id


@pytest.fixture
def backlog(engine: Engine, db: Database) -> list[int]:
    """Three real PRO-MAA-16 requests and 1,200 copies, created over the 30 days before NOW."""
    templates = [_start(engine, p) for p in ("PG-1001", "PG-1002", "PG-1003")]
    assert clone_open_instances(db, templates, COPIES, NOW, spread=timedelta(days=30), batch=500) == COPIES
    return templates


def _all(engine: Engine, user: str, query: InboxQuery) -> list[TaskView]:
    found: list[TaskView] = []
    page = 1
    while True:
        result = engine.inbox(user, InboxQuery(query.tab, query.filters, query.sort, query.descending, page, 100),
                              NOW)
        found += result.rows
        if not result.has_next:
            return found
        page += 1


def test_group_tab_counts_and_pages_a_large_backlog(engine: Engine, backlog: list[int]) -> None:
    total = COPIES + 3
    first = engine.inbox("tic.ana", InboxQuery(), NOW)
    assert first.query.tab == Tab.GROUP  # nothing claimed yet: the group tab opens
    assert first.counts == {"mine": 0, "group": total} and first.total == total
    assert first.pages == 49 and len(first.rows) == 25 and first.page == 1
    assert [r.created_at for r in first.rows] == sorted(r.created_at for r in first.rows)
    last = engine.inbox("tic.ana", InboxQuery(Tab.GROUP, page=49), NOW)
    assert len(last.rows) == total - 48 * 25 and not last.has_next and last.has_previous
    assert engine.inbox("tic.ana", InboxQuery(Tab.GROUP, page=500), NOW).page == 49  # clamped
    every = _all(engine, "tic.ana", InboxQuery(Tab.GROUP))
    assert len(every) == total and len({t.id for t in every}) == total
    assert all(t.role == "direccion_tic" and t.assignee is None and t.status == "open" for t in every)
    assert first.page_numbers() == [1, 2, 3, None, 49]

    engine.claim(every[0].id, "tic.ana")
    engine.claim(every[1].id, "tic.ana")
    mine = engine.inbox("tic.ana", InboxQuery(), NOW)
    assert mine.query.tab == Tab.MINE and mine.counts == {"mine": 2, "group": total - 2}
    assert {t.id for t in mine.rows} == {every[0].id, every[1].id}
    assert engine.inbox("fact.luis", InboxQuery(), NOW).counts == {"mine": 0, "group": 0}


def test_filters_narrow_the_list(engine: Engine, db: Database, backlog: list[int]) -> None:
    every = _all(engine, "tic.ana", InboxQuery(Tab.GROUP))

    def ids(**filters: object) -> set[int]:
        return {t.id for t in _all(engine, "tic.ana", InboxQuery(Tab.GROUP, InboxFilters(**filters)))}  # type: ignore[arg-type]

    student = every[5].subject
    assert student and ids(student=student) == {t.id for t in every if t.subject == student}
    assert 0 < len(ids(student=student)) < len(every)
    case = every[7].business_key
    assert ids(case=case) == {every[7].id}
    assert ids(process="pro_maa_16") == {t.id for t in every}
    assert ids(process="simple") == set()
    since, before = NOW - timedelta(days=10), NOW - timedelta(days=5)
    window = {t.id for t in every if since <= t.created_at < before}
    assert window and ids(created_from=since, created_before=before) == window
    overdue = {t.id for t in every if t.due_at is not None and t.due_at < NOW}
    assert 0 < len(overdue) < len(every) and ids(overdue=True) == overdue
    assert ids(overdue=True, student=student) == overdue & ids(student=student)
    counted = engine.inbox("tic.ana", InboxQuery(Tab.GROUP, InboxFilters(overdue=True)), NOW)
    assert counted.total == counted.counts["group"] == len(overdue)
    assert all(counted.overdue(t) for t in counted.rows)
    with db.write() as session:  # a task due in the future is not overdue
        session.execute(update(HumanTask).where(HumanTask.id == every[0].id).values(due_at=NOW + timedelta(days=1)))
    assert every[0].id not in ids(overdue=True)


SORT_KEYS = {
    Sort.CREATED: lambda t: (t.created_at, t.id),
    Sort.DUE: lambda t: (t.due_at, t.id),
    Sort.PROCESS: lambda t: (t.process_id, t.created_at, t.id),
    Sort.CASE: lambda t: (t.business_key, t.created_at, t.id),
}


def test_sorting(engine: Engine, backlog: list[int]) -> None:
    for sort, key in SORT_KEYS.items():
        for descending in (False, True):
            every = _all(engine, "tic.ana", InboxQuery(Tab.GROUP, sort=sort, descending=descending))
            assert len(every) == COPIES + 3
            assert every == sorted(every, key=key, reverse=descending), (sort, descending)


def test_several_roles_are_merged_in_order(engine: Engine, db: Database, backlog: list[int]) -> None:
    with db.write() as session:
        ensure_user(session, "multi", "Multi rol", ["direccion_tic", "facturacion"], NOW)
    # TIC approves the request on an invoiced payment: billing gets "Anular factura electrónica".
    first_task = engine.inbox("tic.ana", InboxQuery(Tab.GROUP, sort=Sort.CASE), NOW).rows[0]
    engine.complete(first_task.id, "tic.ana", {"decision": "aprobar"})
    run_worker(db)  # the request reaches billing's pool, whose task then waits in billing's inbox
    every = _all(engine, "multi", InboxQuery(Tab.GROUP))
    assert {t.role for t in every} == {"direccion_tic", "facturacion"}
    assert every == sorted(every, key=lambda t: (t.created_at, t.id))
    page3 = engine.inbox("multi", InboxQuery(Tab.GROUP, page=3, descending=True), NOW).rows
    assert page3 == sorted(every, key=lambda t: (t.created_at, t.id), reverse=True)[50:75]


def test_requester_sees_no_staff_tasks(engine: Engine, backlog: list[int]) -> None:
    page = engine.inbox("estudiante.camila", InboxQuery(), NOW)
    assert page.counts == {"mine": 0, "group": 0} and page.rows == []
    with pytest.raises(Forbidden):
        engine.inbox("estudiante.camila", InboxQuery(Tab.ALL), NOW)


def test_supervisors_see_every_open_task(engine: Engine, backlog: list[int]) -> None:
    page = engine.inbox("supervisor.raul", InboxQuery(Tab.ALL), NOW)
    assert page.counts["all"] == COPIES + 3 and page.supervisor
    assert [u for u, _ in page.candidates["direccion_tic"]] == ["tic.ana"]


def test_reassign_is_for_supervisors_and_role_holders(engine: Engine, db: Database, backlog: list[int]) -> None:
    with db.write() as session:
        ensure_user(session, "tic.bruno", "Bruno (TIC)", ["direccion_tic"], NOW)
    task = engine.inbox("tic.ana", InboxQuery(Tab.GROUP), NOW).rows[0]
    with pytest.raises(Forbidden, match="Solo un supervisor"):
        engine.reassign(task.id, "tic.ana", "tic.bruno")
    with pytest.raises(InvalidData) as refused:
        engine.reassign(task.id, "supervisor.raul", "fact.luis")
    assert refused.value.errors[0].field == "to_user" and "direccion_tic" in refused.value.errors[0].message
    with pytest.raises(InvalidData):
        engine.reassign(task.id, "supervisor.raul", "nadie")
    assert engine.reassign(task.id, "supervisor.raul", "tic.ana").assignee == "tic.ana"
    moved = engine.reassign(task.id, "admin", "tic.bruno")
    assert moved.assignee == "tic.bruno"
    with db.read() as session:
        events = session.scalars(select(Event).where(Event.instance_id == task.instance_id,
                                                     Event.kind == "task_reassigned").order_by(Event.id)).all()
    assert [(e.actor, e.detail["from"], e.detail["to"]) for e in events] == [
        ("supervisor.raul", None, "tic.ana"), ("admin", "tic.ana", "tic.bruno")]
    assert engine.inbox("tic.bruno", InboxQuery(), NOW).counts["mine"] == 1
    engine.complete(task.id, "tic.bruno", {"decision": "aprobar"})  # a copy is a real, workable instance
    assert engine.get_task(task.id).status == "completed"


def test_counts_stop_at_the_cap(engine: Engine, backlog: list[int], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(inbox, "COUNT_CAP", 1_000)
    page = engine.inbox("tic.ana", InboxQuery(Tab.GROUP, page=45), NOW)
    assert page.counts == {"mine": 0, "group": 1_000} and page.capped == {"group"}
    assert page.count_label("group") == "1.000+" and page.count_label("mine") == "0"
    assert page.pages == 40 and page.page == 40 and len(page.rows) == 25


# ---- case columns: requester, age, SLA state -------------------------------------------------------------------

@pytest.fixture
def three(engine: Engine) -> list[TaskView]:
    """Three real PRO-MAA-16 requests waiting on TIC: their tasks, oldest first."""
    for payment in ("PG-1001", "PG-1002", "PG-1003"):
        _start(engine, payment)
    return engine.inbox("tic.ana", InboxQuery(Tab.GROUP), NOW).rows


def _due(db: Database, task_id: int, due_at: datetime | None) -> None:
    with db.write() as session:
        session.execute(update(HumanTask).where(HumanTask.id == task_id).values(due_at=due_at))


def test_sla_state_of_a_due_time() -> None:
    assert inbox.sla_of(None, NOW) is None
    assert inbox.sla_of(NOW - timedelta(seconds=1), NOW) == inbox.Sla.OVERDUE
    assert inbox.sla_of(NOW, NOW) == inbox.Sla.DUE_SOON
    assert inbox.sla_of(NOW + timedelta(hours=23, minutes=59), NOW) == inbox.Sla.DUE_SOON
    assert inbox.sla_of(NOW + timedelta(hours=24), NOW) == inbox.Sla.ON_TIME


def test_sla_filter_and_states_on_the_page(engine: Engine, db: Database, three: list[TaskView]) -> None:
    late, soon, fine = three
    _due(db, late.id, NOW - timedelta(hours=1))
    _due(db, soon.id, NOW + timedelta(hours=5))
    _due(db, fine.id, NOW + timedelta(days=3))

    def ids(sla: inbox.Sla) -> list[int]:
        page = engine.inbox("tic.ana", InboxQuery(Tab.GROUP, InboxFilters(sla=sla)), NOW)
        assert page.total == page.counts["group"] == len(page.rows)
        assert all(page.sla(t) == sla for t in page.rows)
        return [t.id for t in page.rows]

    assert ids(inbox.Sla.OVERDUE) == [late.id]
    assert ids(inbox.Sla.DUE_SOON) == [soon.id]
    assert ids(inbox.Sla.ON_TIME) == [fine.id]
    page = engine.inbox("tic.ana", InboxQuery(Tab.GROUP), NOW)
    assert [page.sla(t) for t in page.rows] == [inbox.Sla.OVERDUE, inbox.Sla.DUE_SOON, inbox.Sla.ON_TIME]
    _due(db, fine.id, None)  # a task without a due time has no SLA state and matches no SLA filter
    assert ids(inbox.Sla.ON_TIME) == [] and engine.inbox("tic.ana", InboxQuery(Tab.GROUP), NOW).sla(
        engine.get_task(fine.id)) is None


def test_rows_carry_the_requester_and_the_case_start(engine: Engine, db: Database, three: list[TaskView]) -> None:
    page = engine.inbox("tic.ana", InboxQuery(Tab.GROUP), NOW)
    with db.read() as session:
        started = {i.id: i.created_at for i in session.scalars(select(Instance))}
    for task in page.rows:
        origin = page.origin(task)
        assert origin is not None
        assert (origin.requester, origin.requester_name) == ("coord.bogota", "Coordinación Administrativa Bogotá")
        assert origin.opened_at == started[task.instance_id]
    with db.write() as session:  # an initiator without a user row is shown by username
        session.execute(update(Instance).where(Instance.id == three[0].instance_id).values(initiator="ex.usuario"))
    again = engine.inbox("tic.ana", InboxQuery(Tab.GROUP), NOW)
    assert again.cases[three[0].instance_id].requester_name == "ex.usuario"
    assert set(again.cases) == {t.instance_id for t in again.rows}  # only the page's instances are read


def test_work_by_key_finds_the_instance_and_its_soonest_due_time(engine: Engine, db: Database,
                                                                 three: list[TaskView]) -> None:
    task = three[0]
    key = task.business_key
    assert key
    _due(db, task.id, NOW + timedelta(hours=3))
    with db.read() as session:
        found = inbox.work_by_key(session, {key: "pro_maa_16", "SF-2026-999999": "pro_maa_16"})
        wrong_process = inbox.work_by_key(session, {key: "devolucion_saldos"})
    assert found == {key: inbox.CaseWork(task.instance_id, NOW + timedelta(hours=3))}
    assert wrong_process == {}
    engine.complete(task.id, "tic.ana", {"decision": "rechazar", "observaciones": "No procede."})
    with db.read() as session:
        after = inbox.work_by_key(session, {key: "pro_maa_16"})
    assert after[key].instance_id == task.instance_id and after[key].due_at is None  # no open task left
