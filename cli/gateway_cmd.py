"""The payment gateway simulator beside the app: ``cauce serve`` mounts it, ``cauce pasarela`` looks after it.

Only ``cli/`` (and the tests) join the two: the app never imports the gateway nor the gateway the app.
"""

from __future__ import annotations

import click
from flask import Flask
from werkzeug.serving import run_simple

from cli.output import emit, handled, json_option
from engine.config import Settings
from gateway import deliver_pending
from gateway.app import create_gateway_app
from gateway.mount import default_gateway_secret, gateway_database_url


def _gateway(settings: Settings, app_secret_key: str) -> Flask:
    """The simulator with the secret and merchant the app uses (``Settings``), and a database of its own."""
    return create_gateway_app(secret=_secret_for(settings, app_secret_key),
                              database_url=gateway_database_url(settings.instance_dir),
                              merchant_id=settings.merchant_id, merchant_name=settings.merchant_name,
                              proxy_hops=settings.proxy_hops)


def _secret_for(settings: Settings, app_secret_key: str) -> str:
    return settings.gateway_secret or default_gateway_secret(app_secret_key)


def gateway_beside(app: Flask, settings: Settings) -> Flask:
    """The gateway for ``app``; the app is given the same secret, so both sides hold it by construction."""
    app.config["CAUCE_GATEWAY_SECRET"] = _secret_for(settings, str(app.secret_key or ""))
    return _gateway(settings, str(app.secret_key or ""))


def _app_secret_key(settings: Settings) -> str:
    from webui.app import create_app

    # The app's secret key comes from where the server's does (CAUCE_SECRET_KEY or the instance's file).
    return str(create_app(settings).secret_key or "")


def standalone_gateway(settings: Settings) -> Flask:
    """The gateway on its own, with the secret and database ``cauce serve`` would give it."""
    return _gateway(settings, _app_secret_key(settings))


@click.group(help="La pasarela de pagos simulada (PSE) que se monta en /pasarela junto a la aplicación.")
def pasarela() -> None:
    pass


@pasarela.command(help="Reenvía al comercio las notificaciones de pago aún pendientes (una vez cada una).")
@json_option
@handled
def reenviar(as_json: bool) -> None:
    settings = Settings.from_env()
    secret = _secret_for(settings, _app_secret_key(settings))
    report = deliver_pending(secret=secret, database_url=gateway_database_url(settings.instance_dir))
    payload = {"attempted": report.attempted, "delivered": report.delivered, "still_pending": report.still_pending}
    emit(as_json, payload, f"{report.attempted} notificación(es) reenviada(s), {report.delivered} entregada(s); "
                           f"{report.still_pending} pendiente(s).")


@pasarela.command(help="Ejecuta solo la pasarela en http://HOST:PORT/, aparte de la aplicación (que entonces "
                       "necesita CAUCE_GATEWAY_URL=http://HOST:PORT). Para pruebas: servidor de desarrollo.")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5001, show_default=True, type=int)
@json_option
@handled
def servir(host: str, port: int, as_json: bool) -> None:
    gateway = standalone_gateway(Settings.from_env())
    url = f"http://{host}:{port}"
    emit(as_json, {"url": url}, f"Pasarela simulada escuchando en {url}/  (Ctrl+C para detener)")
    # Threaded: a decision delivered synchronously must not block the payer's next page.
    run_simple(host, port, gateway, use_reloader=False, use_debugger=False, threaded=True)
