"""What the process designer costs, measured side by side in one run.

- **Validar** (what the editor's button and every save run: the deploy checks on the model's files in memory)
  against **deploying** the same files as a new version. Reported per model: PRO-MAA-16, the largest case type
  and the small bench model.
- **Migrating** running instances to a new version against **completing one step** of as many instances of the
  same version: a migration loads, diffs, moves and saves each instance in its own transaction, so it should cost
  about one ordinary step.

Rounds alternate the two sides of each pair so drift on a noisy machine hits both alike; medians are reported.
Run: ``.venv/bin/python -m bench.designer_bench [--instances N] [--rounds R]`` (prints one JSON object).
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

from bench.handlers import BENCH_HANDLERS
from cli.demo import seed_demo
from cli.wiring import initialize
from engine.config import PROJECT_ROOT
from engine.db import Database
from engine.runtime import Engine
from handlers.errors import HandlerInputError
from handlers.registry import HANDLERS

DESIGNER = "disenador.eva"
MODELS = ("pro_maa_16", "liquidacion_credito", "simple")
FIRST_REVIEW = "Activity_primera_revision"


def _timed(action: Callable[[], Any]) -> float:
    began = time.perf_counter()
    action()
    return time.perf_counter() - began


def _renamed(files: dict[str, str], round_number: int) -> dict[str, str]:
    """The model with one visible edit (its first task's name), so each deploy is a genuinely new version."""
    name = next(n for n in sorted(files) if n.endswith(".bpmn") and "<bpmn:userTask" in files[n])
    text = files[name]
    at = text.index('name="', text.index("<bpmn:userTask")) + len('name="')
    return {**files, name: f"{text[:at]}[{round_number}] {text[at:]}"}


def measure_validate_vs_deploy(engine: Engine, rounds: int) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for model in MODELS:
        base = engine.model_files(DESIGNER, model).files
        validate_s: list[float] = []
        deploy_s: list[float] = []
        for i in range(rounds):
            files = _renamed(base, i)
            validate_s.append(_timed(partial(engine.validate_model, DESIGNER, model, files)))
            deploy_s.append(_timed(partial(engine.deploy_model, DESIGNER, model, files)))
        validate_ms = statistics.median(validate_s) * 1000
        deploy_ms = statistics.median(deploy_s) * 1000
        result[model] = {"files": len(base), "validate_ms": round(validate_ms, 1), "deploy_ms": round(deploy_ms, 1),
                         "validate_to_deploy": round(validate_ms / deploy_ms, 2)}
    return result


def measure_migration_vs_step(engine: Engine, instances: int) -> dict[str, Any]:
    """Two equal batches on version 1 of ``simple``: one batch moves to version 2, the other completes a step."""
    v1 = engine.model_files(DESIGNER, "simple").version
    assert v1 is not None
    batch = [engine.start("simple", "tic.ana", {}).id for _ in range(2 * instances)]
    to_move, to_step = batch[0::2], batch[1::2]
    files = engine.model_files(DESIGNER, "simple").files
    v2 = engine.deploy_model(DESIGNER, "simple", _renamed(files, 0)).version
    tasks = {view.id: view.open_tasks[0].id for view in (engine.show(i).instance for i in to_step)}
    move_s: list[float] = []
    step_s: list[float] = []
    for moving, stepping in zip(to_move, to_step, strict=True):
        began = time.perf_counter()
        report = engine.migrate_instances(DESIGNER, "simple", v1, v2, [moving])
        move_s.append(time.perf_counter() - began)
        assert report.moved == [moving], report.refused
        step_s.append(_timed(partial(engine.complete, tasks[stepping], "tic.ana", {"amount": 10})))
    move_ms = statistics.median(move_s) * 1000
    step_ms = statistics.median(step_s) * 1000
    return {"instances": instances, "migrate_ms": round(move_ms, 2), "step_ms": round(step_ms, 2),
            "migrate_to_step": round(move_ms / step_ms, 2)}


def run(database_url: str | None = None, instances: int = 100, rounds: int = 9) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="cauce-designer-bench-") as tmp:
        db = Database(database_url or f"sqlite:///{Path(tmp) / 'designer.db'}")
        try:
            initialize(db)
            seed_demo(db)
            engine = Engine(db, {**HANDLERS, **BENCH_HANDLERS}, input_errors=(HandlerInputError,))
            engine.deploy([PROJECT_ROOT / "processes", PROJECT_ROOT / "bench" / "models"], DESIGNER)
            return {"database": db.dialect,
                    "validate_vs_deploy": measure_validate_vs_deploy(engine, rounds),
                    "migrate_vs_step": measure_migration_vs_step(engine, instances)}
        finally:
            db.dispose()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="The designer's Validar against deploy; migrating against a step.")
    parser.add_argument("--database-url", default=None, help="an empty database (default: a temporary SQLite file)")
    parser.add_argument("--instances", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=9)
    args = parser.parse_args(argv)
    print(json.dumps(run(args.database_url, max(1, args.instances), max(1, args.rounds)), ensure_ascii=False))


if __name__ == "__main__":
    main()
