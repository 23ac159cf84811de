"""``cauce serve``: the web app under gunicorn (or Flask's development server with --dev)."""

from __future__ import annotations

from typing import Any

import click
from flask import Flask
from gunicorn.app.base import BaseApplication

from cli.output import emit, handled, json_option
from engine.config import Settings
from engine.logs import configure_logging


def _app() -> Flask:
    from webui.app import create_app

    settings = Settings.from_env()
    # On the embedded default (SQLite) each app process also runs one worker thread for due jobs.
    return create_app(settings, embedded_worker=settings.runs_embedded_worker)


class _Gunicorn(BaseApplication):
    """Gunicorn driven from code: every worker process builds its own app (its own database pool)."""

    def __init__(self, options: dict[str, Any]) -> None:
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Flask:
        return _app()


@click.command(help="Ejecuta la aplicación web en http://HOST:PORT/ con gunicorn (--dev: servidor de desarrollo).")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 64), help="Procesos de la app.")
@click.option("--threads", default=4, show_default=True, type=click.IntRange(1, 64), help="Hilos por proceso.")
@click.option("--dev", is_flag=True, help="Servidor de desarrollo de Flask (solo para desarrollo).")
@json_option
@handled
def serve(host: str, port: int, workers: int, threads: int, dev: bool, as_json: bool) -> None:
    configure_logging()
    url = f"http://{host}:{port}/"
    emit(as_json, {"url": url, "workers": 1 if dev else workers, "server": "flask-dev" if dev else "gunicorn"},
         f"cauce escuchando en {url}  (Ctrl+C para detener)")
    if dev:
        _app().run(host=host, port=port, debug=False, use_reloader=False)
        return
    _Gunicorn({"bind": f"{host}:{port}", "workers": workers, "threads": threads, "worker_class": "gthread",
               "accesslog": "-", "errorlog": "-", "loglevel": "info", "graceful_timeout": 10,
               "timeout": 60}).run()
