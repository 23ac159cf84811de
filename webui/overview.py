"""What the home page shows, as plain data."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from engine.catalog import deployed_processes
from engine.models import HumanTask, Instance, TaskStatus
from engine.runtime import Engine

BOGOTA = ZoneInfo("America/Bogota")  # the university's time zone; everything is stored in UTC


def summary(engine: Engine) -> dict[str, Any]:
    with engine.db.read() as session:
        processes = [{"process_id": p.process_id, "name": p.process_name, "version": p.version,
                      "deployed_by": p.deployed_by, "deployed_at": _local(p.deployed_at)}
                     for p in deployed_processes(session)]
        by_status = dict(session.execute(select(Instance.status, func.count()).group_by(Instance.status)).all())
        open_tasks = session.scalar(select(func.count()).where(HumanTask.status == TaskStatus.OPEN)) or 0
    return {"processes": processes, "instances": {k.value: v for k, v in by_status.items()},
            "open_tasks": open_tasks}


def _local(moment: datetime) -> str:
    return moment.astimezone(BOGOTA).strftime("%d/%m/%Y %H:%M")
