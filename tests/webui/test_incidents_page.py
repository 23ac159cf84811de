"""Incidentes: supervisors see every open incident and retry it there; /healthz reports the worker's heartbeat."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from flask import Flask

from engine import jobs
from engine.db import Database, utcnow
from engine.jobs import Job, JobStatus
from engine.runtime import Engine
from engine.worker import Worker
from tests.conftest import make_engine
from tests.engine.pro_maa_16_driver import start
from tests.webui.conftest import SignedIn
from webui.app import create_app

T0 = datetime(2026, 3, 2, 13, 0, tzinfo=UTC)


def _fails(engine: Engine, job: jobs.ClaimedJob) -> None:
    raise TimeoutError("el servidor de correo no respondió")


def _dead_job(engine: Engine, db: Database) -> tuple[int, int]:
    instance = start(db, "PG-1003")
    with db.write() as session:
        job_id = jobs.enqueue(session, "send_notice", T0, {"element_id": "Activity_informar"},
                              instance_id=instance.id, max_attempts=1)
        orphan = jobs.enqueue(session, "cleanup", T0, {}, max_attempts=1)
    assert Worker(engine, "w1", handlers={"send_notice": _fails, "cleanup": _fails}).run_once(T0) == 2
    assert job_id is not None and orphan is not None
    return instance.id, job_id


def test_supervisor_sees_open_incidents_and_retries_one(engine: Engine, db: Database,
                                                        sign_in: Callable[[str], SignedIn]) -> None:
    instance_id, job_id = _dead_job(engine, db)
    (incident,) = engine.show(instance_id).incidents
    raul = sign_in("supervisor.raul")
    page = raul.get("/incidentes")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert f'href="/instancias/{instance_id}"' in html and "PRO-MAA-16-" in html
    assert "Activity_informar" in html and "trabajo «send_notice»" in html
    assert "TimeoutError" in html and "el servidor de correo no respondió" in html
    assert f'action="/incidentes/{incident.id}/reintentar"' in html and "Reintentar" in html
    assert "Trabajos detenidos sin solicitud" in html and "cleanup" in html
    assert 'href="/incidentes"' in raul.get("/bandeja").get_data(as_text=True)  # in the menu

    answer = raul.post(f"/incidentes/{incident.id}/reintentar", data={"volver": "incidentes"})
    assert answer.status_code == 302 and answer.headers["Location"] == "/incidentes"
    after = raul.get("/incidentes").get_data(as_text=True)
    assert "Se reintentó el paso" in after and "No hay incidentes abiertos." in after
    with db.read() as session:
        row = session.get(Job, job_id)
        assert row is not None and row.status == JobStatus.PENDING and row.attempts == 0
    assert engine.show(instance_id).incidents[0].resolved_by == "supervisor.raul"
    shown = raul.get(f"/instancias/{instance_id}").get_data(as_text=True)  # the instance page lists it resolved
    assert "Resuelto por supervisor.raul" in shown and 'action="/incidentes/' not in shown


def test_staff_without_the_supervisor_role_get_403(engine: Engine, db: Database,
                                                   sign_in: Callable[[str], SignedIn]) -> None:
    _dead_job(engine, db)
    ana = sign_in("tic.ana")
    answer = ana.get("/incidentes")
    assert answer.status_code == 403
    assert "Su usuario no tiene el rol necesario para esta página." in answer.get_data(as_text=True)
    assert 'href="/incidentes"' not in ana.get("/bandeja").get_data(as_text=True)
    assert ana.post("/incidentes/1/reintentar", data={"volver": "incidentes"}).status_code == 403


def test_healthz_reports_the_database_and_the_workers_heartbeat(app: Flask, engine: Engine) -> None:
    client = app.test_client()
    assert client.get("/healthz").get_json() == {"status": "ok", "database": engine.db.dialect,
                                                 "database_ok": True, "worker_heartbeat_age_seconds": None}
    Worker(engine, "w1").beat(utcnow())
    body = client.get("/healthz").get_json()
    assert body["status"] == "ok" and 0 <= body["worker_heartbeat_age_seconds"] < 60


def test_healthz_is_503_when_the_database_is_unreachable(tmp_path: object) -> None:
    broken = make_engine(Database("sqlite:////nonexistent-cauce-dir/none/cauce.db"))
    answer = create_app(engine=broken).test_client().get("/healthz")
    assert answer.status_code == 503
    assert answer.get_json() == {"status": "error", "database": "sqlite", "database_ok": False,
                                 "error": "OperationalError", "worker_heartbeat_age_seconds": None}


def test_the_app_starts_one_embedded_worker_only_when_asked(engine: Engine) -> None:
    assert "cauce_worker" not in create_app(engine=engine).extensions
    app = create_app(engine=engine, embedded_worker=True)
    embedded = app.extensions["cauce_worker"]
    try:
        assert embedded.thread.is_alive() and embedded.thread.daemon
        assert embedded.worker.worker_id.startswith("embedded-")
    finally:
        embedded.shutdown()
    assert not embedded.thread.is_alive()
