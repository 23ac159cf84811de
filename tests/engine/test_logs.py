"""Structured logs name the instance, task and actor of each step, as one JSON object per line."""

from __future__ import annotations

import json
import logging

import pytest

from engine.db import Database
from engine.logs import JsonFormatter
from engine.runtime import Engine
from tests.engine.pro_maa_16_driver import start


def test_steps_log_their_instance_task_and_actor(engine: Engine, db: Database,
                                                 caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="cauce"):
        view = start(db, "PG-1003")
        engine.complete(view.open_tasks[0].id, "tic.ana", {"decision": "aprobar"})
    started, completed = [r for r in caplog.records if r.name == "cauce"][-2:]
    assert started.getMessage() == "instance started" and started.instance_id == view.id  # type: ignore[attr-defined]
    line = json.loads(JsonFormatter().format(completed))
    assert line["message"] == "task completed" and line["level"] == "info"
    assert line["instance_id"] == view.id and line["task_id"] == view.open_tasks[0].id
    assert line["actor"] == "tic.ana" and line["element_id"] == "Activity_revisar_solicitud"
    assert line["ts"].endswith("+00:00")


def test_a_failed_step_logs_its_incident(engine: Engine, db: Database, caplog: pytest.LogCaptureFixture) -> None:
    from engine.errors import StepFailed
    from tests.engine.test_incidents import _broken, _engine_with

    with caplog.at_level(logging.WARNING, logger="cauce"), pytest.raises(StepFailed) as caught:
        _engine_with(db, describe_payment=_broken).start("pro_maa_16", "coord.bogota", {
            "payment": "PG-1003", "adjustment": "anulacion", "reason": "baja_academica",
            "justification": "Baja académica definitiva del estudiante."})
    warning = next(r for r in caplog.records if r.name == "cauce" and r.levelno == logging.WARNING)
    line = json.loads(JsonFormatter().format(warning))
    assert line["incident_id"] == caught.value.incident_id and line["element_id"] == "Activity_consultar_pago"
