"""``cauce bench``: the engine measured side by side in one run; the figures are ratios, not absolute times."""

from __future__ import annotations

import json
import statistics
import tempfile
from pathlib import Path
from typing import Any

import click

from bench.handlers import BENCH_HANDLERS
from bench.http_bench import measure_http
from bench.inbox_bench import measure_inbox
from bench.runs import (
    PRO_MAA_16_ANSWERS,
    SIMPLE_ANSWERS,
    Case,
    pro_maa_16_request,
    run_in_memory,
    run_persisted,
    spiff_alone_step_costs,
    step_costs,
)
from bench.seed import seed_full_path_payments
from cli.demo import seed_demo
from cli.wiring import initialize
from engine.catalog import latest_version
from engine.compiler import CompiledModel
from engine.config import PROJECT_ROOT
from engine.db import Database, utcnow
from engine.runtime import Engine
from handlers.errors import HandlerInputError

REPEATS = 3
# The pools a process talks to by message: their models run beside it (billing's, for PRO-MAA-16).
OTHER_POOLS = {"pro_maa_16": ("pro_maa_16_facturacion",)}


def _model(engine: Engine, process_id: str) -> CompiledModel:
    with engine.db.read() as session:
        return engine.specs.get(session, latest_version(session, process_id).id).model


def _pro_maa_16_cases(db: Database, count: int, first: int) -> list[Case]:
    with db.write() as session:
        numbers = seed_full_path_payments(session, count, utcnow(), first=first)
    return [Case("pro_maa_16", "coord.bogota", pro_maa_16_request(n), PRO_MAA_16_ANSWERS) for n in numbers]


def _side_by_side(engine: Engine, process_id: str, cases_for: Any, per_run: int) -> tuple[float, float]:
    """Alternate memory and persisted runs REPEATS times; medians of each."""
    models = {p: _model(engine, p) for p in (process_id, *OTHER_POOLS.get(process_id, ()))}
    memory, persisted = [], []
    run_in_memory(models, engine.script_engine, engine.db, cases_for(max(5, per_run // 10)))  # warm-up
    run_persisted(engine, cases_for(max(5, per_run // 10)))
    for _ in range(REPEATS):
        memory.append(run_in_memory(models, engine.script_engine, engine.db, cases_for(per_run)))
        persisted.append(run_persisted(engine, cases_for(per_run)))
    return statistics.median(memory), statistics.median(persisted)


def run_benchmarks(instances: int = 200, rounds: int = 1000, as_json: bool = False,
                   inbox_sizes: tuple[int, int] = (100, 100_000), http: bool = True) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="cauce-bench-") as tmp:
        db = Database(f"sqlite:///{Path(tmp) / 'bench.db'}")
        initialize(db)
        seed_demo(db)
        engine = Engine(db, BENCH_HANDLERS, input_errors=(HandlerInputError,))
        engine.deploy([PROJECT_ROOT / "processes", PROJECT_ROOT / "bench" / "models"], "bench")
        say = (lambda _msg: None) if as_json else click.echo

        say(f"Proceso simple: {instances} instancias por medición, {REPEATS} mediciones alternadas...")
        simple_case = Case("simple", "tic.ana", {}, SIMPLE_ANSWERS)
        simple_mem, simple_db = _side_by_side(engine, "simple", lambda n: [simple_case] * n, instances)

        payments_per_run = max(10, instances // 4)
        counter = iter(range(900001, 10_000_000, payments_per_run * 2))
        say(f"PRO-MAA-16 (camino completo): {payments_per_run} instancias por medición...")
        pro_mem, pro_db = _side_by_side(engine, "pro_maa_16",
                                        lambda n: _pro_maa_16_cases(db, n, next(counter)), payments_per_run)

        checkpoints = [1, 100, rounds]
        say(f"Costo de un paso en un bucle de {rounds} rondas...")
        costs = step_costs(engine, checkpoints)
        spiff_checkpoints = [1, 100, 290]
        spiff_costs = spiff_alone_step_costs(_model(engine, "loop"), spiff_checkpoints)
        db.dispose()

    result: dict[str, Any] = {
        "simple_memory_instances_per_s": round(simple_mem, 1),
        "simple_persisted_instances_per_s": round(simple_db, 1),
        "persisted_vs_memory_ratio": round(simple_db / simple_mem, 3),
        "pro_maa_16_memory_instances_per_s": round(pro_mem, 1),
        "pro_maa_16_persisted_instances_per_s": round(pro_db, 1),
        "pro_maa_16_persisted_vs_memory_ratio": round(pro_db / pro_mem, 3),
        "step_cost_ms": {str(c): round(v * 1000, 3) for c, v in costs.items()},
        "step_cost_ratio_100": round(costs[100] / costs[1], 3),
        f"step_cost_ratio_{rounds}": round(costs[rounds] / costs[1], 3),
        "step_cost_ratio_1000": round(costs[rounds] / costs[1], 3),
        "spiff_unpruned_step_cost_ratio_290": round(spiff_costs[290] / spiff_costs[1], 3),
        "instances": instances,
        "rounds": rounds,
        "repeats": REPEATS,
    }
    say(f"Bandeja: p95 con {inbox_sizes[0]} y con {inbox_sizes[1]} tareas abiertas...")
    inbox = measure_inbox(sizes=inbox_sizes)
    result.update({k: v for k, v in inbox.items() if k.startswith("inbox_p95")})
    result["inbox_p95_ratio_100k"] = result.get(f"inbox_p95_ratio_{_size_label(inbox_sizes[1])}")
    if http:
        say("API JSON por HTTP contra el motor en proceso...")
        http_figures = measure_http(instances=max(20, instances // 2))
        result.update({k if k.startswith(("http", "inprocess")) else f"http_{k}": v for k, v in http_figures.items()})
    if not as_json:
        click.echo(_table(result, costs, spiff_costs))
    click.echo(json.dumps(result))
    return result


def _size_label(size: int) -> str:
    return f"{size // 1000}k" if size >= 1000 and size % 1000 == 0 else str(size)


def _table(r: dict[str, Any], costs: dict[int, float], spiff: dict[int, float]) -> str:
    lines = [
        "",
        f"{'medición':<44}{'en memoria':>14}{'cauce (BD)':>14}{'razón b/a':>12}",
        f"{'proceso simple (instancias/s)':<44}{r['simple_memory_instances_per_s']:>14}"
        f"{r['simple_persisted_instances_per_s']:>14}{r['persisted_vs_memory_ratio']:>12}",
        f"{'PRO-MAA-16 camino completo (instancias/s)':<44}{r['pro_maa_16_memory_instances_per_s']:>14}"
        f"{r['pro_maa_16_persisted_instances_per_s']:>14}{r['pro_maa_16_persisted_vs_memory_ratio']:>12}",
        "",
        "costo de completar una tarea tras N rondas de un bucle (mediana, razón frente a la ronda 1):",
    ]
    for c, v in costs.items():
        lines.append(f"  cauce, ronda {c:>5}: {v * 1000:8.3f} ms  razón {v / costs[1]:.3f}")
    for c, v in spiff.items():
        lines.append(f"  SpiffWorkflow sin podar (guardar/cargar), ronda {c:>4}: {v * 1000:8.3f} ms  "
                     f"razón {v / spiff[1]:.3f}")
    inbox = {k: v for k, v in r.items() if k.startswith("inbox_p95_ms_")}
    if inbox:
        lines.append("bandeja de tareas, p95 de la página: " + ", ".join(
            f"{k.removeprefix('inbox_p95_ms_')} tareas {v} ms" for k, v in inbox.items())
            + f"; razón {r.get('inbox_p95_ratio_100k')}")
    if "http_vs_inprocess_ratio" in r:
        lines.append(f"proceso simple por la API HTTP: razón frente al motor en proceso {r['http_vs_inprocess_ratio']}")
    return "\n".join(lines)
