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
from gateway.mount import gateway_database_url, gateway_merchant_id, gateway_merchant_name, gateway_secret


def gateway_beside(app: Flask, settings: Settings) -> Flask:
    """The gateway for ``app``: the secret from CAUCE_GATEWAY_SECRET or the app's own secret key, given to the
    app as well so both sides hold the same value by construction."""
    secret = gateway_secret(str(app.secret_key or ""))
    app.config["CAUCE_GATEWAY_SECRET"] = secret
    return create_gateway_app(secret=secret, database_url=gateway_database_url(settings.instance_dir),
                              merchant_id=gateway_merchant_id(), merchant_name=gateway_merchant_name(),
                              proxy_hops=settings.proxy_hops)


def _secret(settings: Settings) -> str:
    from webui.app import create_app

    # The app's secret key comes from where the server's does (CAUCE_SECRET_KEY or the instance's file).
    return gateway_secret(str(create_app(settings).secret_key or ""))


def standalone_gateway(settings: Settings) -> Flask:
    """The gateway on its own, with the secret and database ``cauce serve`` would give it."""
    return create_gateway_app(secret=_secret(settings), database_url=gateway_database_url(settings.instance_dir),
                              merchant_id=gateway_merchant_id(), merchant_name=gateway_merchant_name(),
                              proxy_hops=settings.proxy_hops)


@click.group(help="La pasarela de pagos simulada (PSE) que se monta en /pasarela junto a la aplicación.")
def pasarela() -> None:
    pass


@pasarela.command(help="Reenvía al comercio las notificaciones de pago aún pendientes (una vez cada una).")
@json_option
@handled
def reenviar(as_json: bool) -> None:
    settings = Settings.from_env()
    report = deliver_pending(secret=_secret(settings), database_url=gateway_database_url(settings.instance_dir))
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
