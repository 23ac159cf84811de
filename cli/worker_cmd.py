"""``cauce worker``: run due jobs (timers, messages, retries, asynchronous service tasks) until stopped."""

from __future__ import annotations

import signal
import threading
from typing import Any

import click

from cli.output import emit, handled, json_option
from cli.wiring import build_engine, open_database, require_current_schema, worker_chores
from engine.config import Settings
from engine.logs import configure_logging
from engine.worker import Worker, default_worker_id


@click.command(help="Ejecuta los trabajos pendientes (temporizadores, mensajes, reintentos) hasta que se detenga "
                    "con Ctrl+C o SIGTERM.")
@click.option("--once", is_flag=True, help="Una sola pasada: ejecuta lo que esté vencido y termina.")
@click.option("--poll", "poll_seconds", default=None, type=click.FloatRange(min=0.05),
              help="Segundos de espera cuando no hay trabajo (por defecto CAUCE_WORKER_POLL, 1).")
@json_option
@handled
def worker(once: bool, poll_seconds: float | None, as_json: bool) -> None:
    settings = Settings.from_env()
    poll_seconds = poll_seconds or settings.worker_poll_seconds
    db = open_database(settings)
    require_current_schema(db)
    runner = Worker(build_engine(db), default_worker_id(), chores=worker_chores(settings, db))
    if once:
        ran = runner.run_once()
        emit(as_json, _summary(runner, ran), f"{runner.worker_id}: {ran} trabajo(s) ejecutado(s).")
        return
    configure_logging()  # a long-running worker reports each job as a JSON line on stderr
    stop = threading.Event()

    def on_signal(_signum: int, _frame: Any) -> None:
        stop.set()

    previous = signal.signal(signal.SIGTERM, on_signal)
    if not as_json:
        click.echo(f"{runner.worker_id} esperando trabajos (cada {poll_seconds:g} s; Ctrl+C para detener)")
    try:
        runner.run_forever(stop, poll_seconds)
    except KeyboardInterrupt:
        stop.set()
    try:  # a second SIGTERM while stopping only sets the flag again: the summary is still written
        emit(as_json, _summary(runner, runner.jobs_done), f"{runner.worker_id} detenido: "
                                                          f"{runner.jobs_done} trabajo(s) ejecutado(s).")
    finally:
        signal.signal(signal.SIGTERM, previous)


def _summary(runner: Worker, ran: int) -> dict[str, Any]:
    return {"worker_id": runner.worker_id, "jobs_run": ran}
