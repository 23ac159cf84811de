"""How the inbox page scales: p95 latency of "Tareas de mis grupos" for a TIC user at 100 and 100,000 open tasks.

The page is rendered through the Flask test client (sign-in cookie, CSRF token, counts of every tab, first
page of 25), so the figure is what a person waits for minus the network. Open tasks are PRO-MAA-16 requests
waiting on TIC's review, made as ``cauce demo --scale`` makes them (cli/scale.py).

Run: ``.venv/bin/python -m bench.inbox_bench`` (prints one JSON object). Target: ``inbox_p95_ratio_100k`` <= 3.
"""

from __future__ import annotations

import json
import statistics
import tempfile
import time
from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import text

from cli.demo import DEMO_PASSWORD, seed_demo
from cli.scale import scale
from cli.wiring import build_engine, initialize
from engine.bulk import clone_open_instances
from engine.db import Database, utcnow
from engine.runtime import Engine

ROOT = Path(__file__).resolve().parent.parent
USER = "tic.ana"
PAGE = "/bandeja?vista=grupo"


def _p95(samples: Sequence[float]) -> float:
    return statistics.quantiles(samples, n=20, method="inclusive")[18] if len(samples) > 1 else samples[0]


def _page_p95_ms(engine: Engine, samples: int, warmup: int = 5) -> float:
    from webui.app import create_app

    app = create_app(engine=engine)
    app.config["TESTING"] = True
    client = app.test_client()
    answer = client.post("/iniciar-sesion", data={"username": USER, "password": DEMO_PASSWORD})
    assert answer.status_code == 302, "the benchmark user could not sign in"
    times: list[float] = []
    for i in range(warmup + samples):
        began = time.perf_counter()
        page = client.get(PAGE)
        elapsed = (time.perf_counter() - began) * 1000
        assert page.status_code == 200, page.status_code
        if i >= warmup:
            times.append(elapsed)
    return round(_p95(times), 3)


def _open_tasks(db: Database) -> int:
    with db.read() as session:
        return int(session.execute(text("SELECT count(*) FROM human_task WHERE status = 'open'")).scalar_one())


def measure_inbox(database_url: str | None = None, sizes: Sequence[int] = (100, 100_000),
                  samples: int = 40) -> dict[str, Any]:
    """p95 (ms) of the inbox page at each size of open-task backlog, and the ratio of the largest to the smallest.

    ``database_url`` must name an empty database (a temporary SQLite file when None).
    """
    with tempfile.TemporaryDirectory(prefix="cauce-inbox-bench-") as tmp:
        db = Database(database_url or f"sqlite:///{Path(tmp) / 'inbox.db'}")
        try:
            return _measure(db, sorted(sizes), samples)
        finally:
            db.dispose()


def _measure(db: Database, sizes: list[int], samples: int) -> dict[str, Any]:
    initialize(db)
    summary = seed_demo(db)
    engine = build_engine(db)
    engine.deploy([ROOT / "processes"], "system")
    result: dict[str, Any] = {"database": db.dialect, "user": USER, "page": PAGE, "samples": samples}
    templates: list[int] = []
    made_seconds = 0.0
    for size in sizes:
        began = time.perf_counter()
        missing = size - _open_tasks(db)
        if missing > 0 and not templates:
            made = scale(engine, summary["payments"], missing, spread=timedelta(days=30))
            templates = list(made["templates"])
        elif missing > 0:
            clone_open_instances(db, templates, missing, utcnow())
        made_seconds += time.perf_counter() - began
        result[f"inbox_p95_ms_{size}"] = _page_p95_ms(engine, samples)
    small, large = sizes[0], sizes[-1]
    result["generate_seconds"] = round(made_seconds, 1)
    result[f"inbox_p95_ratio_{_label(large)}"] = round(result[f"inbox_p95_ms_{large}"]
                                                       / result[f"inbox_p95_ms_{small}"], 2)
    return result


def _label(size: int) -> str:
    return f"{size // 1000}k" if size >= 1000 and size % 1000 == 0 else str(size)


def main() -> None:
    print(json.dumps(measure_inbox(), ensure_ascii=False))


if __name__ == "__main__":
    main()
