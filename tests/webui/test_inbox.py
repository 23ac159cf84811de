"""Bandeja de tareas through the pages: tabs and counts, filters, sorting, pages, Reclamar/Liberar/Reasignar."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from cli.demo import _demo_password_hash
from engine.bulk import clone_open_instances
from engine.db import Database, utcnow
from engine.identity import User, ensure_user
from engine.models import Event, HumanTask, Instance
from engine.runtime import Engine
from tests.engine.pro_maa_16_driver import REQUEST
from tests.webui.conftest import SignedIn
from webui.views.inbox import age_label

Signer = Callable[[str], SignedIn]


@pytest.fixture
def requests_(engine: Engine) -> list[int]:
    """Three PRO-MAA-16 requests waiting on TIC's review; returns their task ids."""
    ids = []
    for payment in ("PG-1001", "PG-1002", "PG-1003"):
        view = engine.start("pro_maa_16", "coord.bogota", {**REQUEST, "payment": payment})
        ids.append(view.open_tasks[0].id)
    return ids


def _html(answer: object) -> str:
    return answer.get_data(as_text=True)  # type: ignore[attr-defined]


def _rows(html: str) -> list[int]:
    return [int(n) for n in re.findall(r'<tr id="tarea-(\d+)"', html)]


def _count(html: str, tab: str) -> int:
    found = re.search(rf'class="badge count-{tab}">(\d+)<', html)
    assert found, f"no count for {tab}"
    return int(found.group(1))


def _second_tic_user(db: Database) -> None:
    with db.write() as session:
        ensure_user(session, "tic.bruno", "Bruno Díaz (Dirección TIC)", ["direccion_tic"], utcnow())
        user = session.get(User, "tic.bruno")
        assert user is not None
        user.password_hash = _demo_password_hash()


def test_tabs_show_counts_columns_and_links(sign_in: Signer, requests_: list[int]) -> None:
    ana = sign_in("tic.ana")
    html = _html(ana.get("/bandeja"))
    assert "Mis tareas" in html and "Tareas de mis grupos" in html and "Todas las tareas" not in html
    assert _count(html, "mine") == 0 and _count(html, "group") == 3
    assert sorted(_rows(html)) == sorted(requests_)
    for header in ("Caso", "Tipo", "Tarea", "Solicitante", "Estudiante", "Edad", "Creada", "Vence", "SLA"):
        assert f">{header}" in html
    assert f'href="/tareas/{requests_[0]}"' in html and "Revisar solicitud" in html
    assert "20261001" in html and "PRO-MAA-16" in html
    assert 'class="overdue"' not in html


def test_claim_and_release_through_the_page(sign_in: Signer, requests_: list[int]) -> None:
    ana = sign_in("tic.ana")
    answer = ana.post(f"/bandeja/tareas/{requests_[0]}/reclamar", {"next": "/bandeja?vista=grupo"})
    assert answer.status_code == 302 and answer.headers["Location"] == "/bandeja?vista=grupo"
    html = _html(ana.get("/bandeja?vista=grupo"))
    assert "Tarea reclamada." in html
    assert _count(html, "mine") == 1 and _count(html, "group") == 2 and requests_[0] not in _rows(html)
    mine = _html(ana.get("/bandeja"))  # the default tab is "Mis tareas" once something is claimed
    assert _rows(mine) == [requests_[0]] and "Liberar" in mine
    answer = ana.post(f"/bandeja/tareas/{requests_[0]}/liberar", {"next": "https://evil.example/"})
    assert answer.headers["Location"] == "/bandeja"
    html = _html(ana.get("/bandeja"))
    assert "Tarea liberada." in html and _count(html, "mine") == 0 and _count(html, "group") == 3


def test_claiming_a_task_someone_else_holds_is_a_409(sign_in: Signer, engine: Engine, db: Database,
                                                     requests_: list[int]) -> None:
    _second_tic_user(db)
    engine.claim(requests_[0], "tic.ana")
    bruno = sign_in("tic.bruno")
    answer = bruno.post(f"/bandeja/tareas/{requests_[0]}/reclamar")
    assert answer.status_code == 409 and "ya la reclamó tic.ana" in _html(answer)
    assert bruno.post(f"/bandeja/tareas/{requests_[0]}/liberar").status_code == 403
    assert bruno.client.post(f"/bandeja/tareas/{requests_[1]}/reclamar").status_code == 400  # no CSRF token
    assert sign_in("fact.luis").post(f"/bandeja/tareas/{requests_[1]}/reclamar").status_code == 403
    assert bruno.post("/bandeja/tareas/999999/reclamar").status_code == 404


def test_reassign_is_for_supervisors(sign_in: Signer, engine: Engine, db: Database, requests_: list[int]) -> None:
    _second_tic_user(db)
    raul = sign_in("supervisor.raul")
    html = _html(raul.get("/bandeja?vista=todas"))
    assert _count(html, "all") == 3 and "Reasignar" in html and 'value="tic.bruno"' in html
    answer = raul.post(f"/bandeja/tareas/{requests_[0]}/reasignar", {"to_user": "tic.bruno"})
    assert answer.status_code == 302
    assert "Tarea reasignada a tic.bruno." in _html(raul.get("/bandeja?vista=todas"))
    assert engine.get_task(requests_[0]).assignee == "tic.bruno"
    refused = raul.post(f"/bandeja/tareas/{requests_[1]}/reasignar", {"to_user": "fact.luis"})
    assert refused.status_code == 400
    assert "<strong>to_user</strong>" in _html(refused) and "direccion_tic" in _html(refused)
    assert raul.post(f"/bandeja/tareas/{requests_[1]}/reasignar", {"to_user": ""}).status_code == 400
    ana = sign_in("tic.ana")
    assert "Reasignar" not in _html(ana.get("/bandeja?vista=grupo"))
    assert ana.post(f"/bandeja/tareas/{requests_[1]}/reasignar", {"to_user": "tic.ana"}).status_code == 403
    assert ana.get("/bandeja?vista=todas").status_code == 403
    with db.read() as session:
        event = session.scalars(select(Event).where(Event.kind == "task_reassigned")).one()
    assert event.actor == "supervisor.raul" and event.detail["from"] is None and event.detail["to"] == "tic.bruno"


def test_filters_each_narrow_the_list(sign_in: Signer, engine: Engine, db: Database, requests_: list[int]) -> None:
    ana = sign_in("tic.ana")
    first = engine.get_task(requests_[0])
    assert _rows(_html(ana.get("/bandeja?vista=grupo&estudiante=20261002"))) == [requests_[1]]
    assert _rows(_html(ana.get(f"/bandeja?vista=grupo&caso={first.business_key}"))) == [requests_[0]]
    assert len(_rows(_html(ana.get("/bandeja?vista=grupo&proceso=pro_maa_16")))) == 3
    assert _rows(_html(ana.get("/bandeja?vista=grupo&proceso=simple"))) == []
    today = utcnow().astimezone().date()
    with db.write() as session:
        session.execute(update(HumanTask).where(HumanTask.id == requests_[2])
                        .values(created_at=utcnow() - timedelta(days=40), due_at=utcnow() - timedelta(days=38)))
    old = (today - timedelta(days=40)).isoformat()
    html = _html(ana.get(f"/bandeja?vista=grupo&hasta={(today - timedelta(days=20)).isoformat()}"))
    assert _rows(html) == [requests_[2]]
    html = _html(ana.get(f"/bandeja?vista=grupo&desde={(today - timedelta(days=5)).isoformat()}"))
    assert sorted(_rows(html)) == sorted(requests_[:2])
    assert _rows(_html(ana.get(f"/bandeja?vista=grupo&desde={old}&hasta={old}"))) in ([requests_[2]], [])
    html = _html(ana.get("/bandeja?vista=grupo&vencidas=1"))
    assert _rows(html) == [requests_[2]] and _count(html, "group") == 1
    assert f'<tr id="tarea-{requests_[2]}" class="overdue-row">' in html and 'class="overdue"' in html
    bad = ana.get("/bandeja?desde=23-11-2026")
    assert bad.status_code == 400 and "<strong>desde</strong>" in _html(bad)
    assert ana.get("/bandeja?orden=color").status_code == 400
    assert ana.get("/bandeja?pagina=cero").status_code == 400


def test_sorting_and_pages(sign_in: Signer, engine: Engine, db: Database, requests_: list[int]) -> None:
    now = utcnow()
    clone_open_instances(db, [engine.get_task(requests_[0]).instance_id], 57, now, spread=timedelta(days=9))
    ana = sign_in("tic.ana")
    html = _html(ana.get("/bandeja?vista=grupo"))
    assert _count(html, "group") == 60 and len(_rows(html)) == 25
    assert "página 1 de 3" in html and 'rel="next"' in html and "pagina=3" in html
    seen = _rows(html) + _rows(_html(ana.get("/bandeja?vista=grupo&pagina=2")))
    last = _html(ana.get("/bandeja?vista=grupo&pagina=3"))
    seen += _rows(last)
    assert len(_rows(last)) == 10 and len(set(seen)) == 60 and 'rel="prev"' in last
    tasks = {t.id: t for t in engine.tasks_for("tic.ana")}
    by_due = sorted(tasks.values(), key=lambda t: (t.due_at, t.id), reverse=True)
    assert _rows(_html(ana.get("/bandeja?vista=grupo&orden=vence&dir=desc"))) == [t.id for t in by_due[:25]]
    by_case = sorted(tasks.values(), key=lambda t: (t.business_key, t.created_at, t.id))
    assert _rows(_html(ana.get("/bandeja?vista=grupo&orden=caso"))) == [t.id for t in by_case[:25]]
    by_created = sorted(tasks.values(), key=lambda t: (t.created_at, t.id))
    page2 = _rows(_html(ana.get("/bandeja?vista=grupo&orden=creada&pagina=2")))
    assert page2 == [t.id for t in by_created[25:50]]
    filtered = _html(ana.get("/bandeja?vista=grupo&orden=proceso&dir=desc&estudiante=20261001"))
    assert "orden=proceso" in filtered and "estudiante=20261001" in filtered  # links keep the filters


def test_a_requester_sees_no_staff_tasks(sign_in: Signer, requests_: list[int]) -> None:
    camila = sign_in("estudiante.camila")
    html = _html(camila.get("/bandeja"))
    assert _rows(html) == [] and _count(html, "mine") == 0 and _count(html, "group") == 0
    assert _rows(_html(camila.get("/bandeja?vista=grupo"))) == []
    assert camila.post(f"/bandeja/tareas/{requests_[0]}/reclamar").status_code == 404  # not even told it exists


def test_case_columns_requester_age_and_sla(sign_in: Signer, db: Database, requests_: list[int]) -> None:
    now = utcnow()
    dues = {requests_[0]: now - timedelta(hours=2), requests_[1]: now + timedelta(hours=6),
            requests_[2]: now + timedelta(days=4)}
    with db.write() as session:
        for task_id, due in dues.items():
            session.execute(update(HumanTask).where(HumanTask.id == task_id).values(due_at=due))
        session.execute(update(Instance).where(Instance.id == select(HumanTask.instance_id).where(
            HumanTask.id == requests_[2]).scalar_subquery()).values(created_at=now - timedelta(days=3, hours=2)))
    ana = sign_in("tic.ana")
    html = _html(ana.get("/bandeja?vista=grupo"))
    rows = {task_id: _row_html(html, task_id) for task_id in requests_}
    for row in rows.values():
        assert 'title="coord.bogota">Coordinación Administrativa Bogotá</span>' in row
    assert '<span class="sla sla-vencida">Vencida</span>' in rows[requests_[0]]
    assert '<span class="sla sla-por_vencer">Por vencer</span>' in rows[requests_[1]]
    assert '<span class="sla sla-a_tiempo">A tiempo</span>' in rows[requests_[2]]
    assert "hace 3 días" in rows[requests_[2]] and ("hace un momento" in rows[requests_[0]]
                                                    or "hace 1 minuto" in rows[requests_[0]])
    assert _rows(_html(ana.get("/bandeja?vista=grupo&sla=por_vencer"))) == [requests_[1]]
    assert _rows(_html(ana.get("/bandeja?vista=grupo&sla=a_tiempo"))) == [requests_[2]]
    filtered = _html(ana.get("/bandeja?vista=grupo&sla=vencida"))
    assert _rows(filtered) == [requests_[0]] and _count(filtered, "group") == 1
    assert 'value="vencida" selected' in filtered and "sla=vencida" in filtered  # kept in the sort links
    bad = ana.get("/bandeja?sla=roja")
    assert bad.status_code == 400 and "<strong>sla</strong>" in _html(bad)


def _row_html(html: str, task_id: int) -> str:
    found = re.search(rf'<tr id="tarea-{task_id}".*?</tr>', html, re.S)
    assert found, f"no row for task {task_id}"
    return found.group(0)


@pytest.mark.parametrize(("minutes", "said"), [
    (0, "hace un momento"), (1, "hace 1 minuto"), (59, "hace 59 minutos"), (60, "hace 1 hora"),
    (23 * 60 + 59, "hace 23 horas"), (24 * 60, "hace 1 día"), (3 * 24 * 60 + 600, "hace 3 días"),
    (-5, "hace un momento")])
def test_age_label(minutes: int, said: str) -> None:
    now = utcnow()
    assert age_label(now - timedelta(minutes=minutes), now) == said
