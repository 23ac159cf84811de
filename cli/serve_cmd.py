"""``cauce serve``: the web app, with the payment gateway simulator at /pasarela, under gunicorn (or the
development server with --dev)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click
from gunicorn.app.base import BaseApplication
from werkzeug.serving import run_simple

from cli.gateway_cmd import gateway_beside
from cli.output import emit, handled, json_option
from engine.config import Settings
from engine.logs import configure_logging
from gateway.mount import with_gateway

if TYPE_CHECKING:
    from _typeshed.wsgi import WSGIApplication


def _app() -> WSGIApplication:
    """The app, with the payment gateway simulator mounted beside it while CAUCE_GATEWAY_URL is a path on this
    host (the default /pasarela). Pointed at a real bank's URL, the simulator is not served at all."""
    from webui.app import create_app

    settings = Settings.from_env()
    # On the embedded default (SQLite) each app process also runs one worker thread for due jobs.
    app = create_app(settings, embedded_worker=settings.runs_embedded_worker)
    if not settings.gateway_url.startswith("/"):
        return app
    return with_gateway(app, gateway_beside(app, settings), prefix=settings.gateway_url)


class _Gunicorn(BaseApplication):
    """Gunicorn driven from code: every worker process builds its own app (its own database pool)."""

    def __init__(self, options: dict[str, Any]) -> None:
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> WSGIApplication:
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
        run_simple(host, port, _app(), use_reloader=False, use_debugger=False, threaded=True)
        return
    _Gunicorn({"bind": f"{host}:{port}", "workers": workers, "threads": threads, "worker_class": "gthread",
               "accesslog": "-", "errorlog": "-", "loglevel": "info", "graceful_timeout": 10,
               "timeout": 60}).run()
