"""The payment gateway simulator beside the app: ``cauce serve`` mounts it, ``cauce pasarela`` looks after it.

Only ``cli/`` (and the tests) join the two: the app never imports the gateway nor the gateway the app.
"""

from __future__ import annotations

import os

import click
from flask import Flask

from cli.output import emit, handled, json_option
from engine.config import Settings
from gateway import deliver_pending
from gateway.app import create_gateway_app
from gateway.mount import gateway_database_url, gateway_secret

DEFAULT_MERCHANT_ID = "UNIV-CAUCE"


def _merchant_id() -> str:
    return (os.environ.get("CAUCE_MERCHANT_ID") or "").strip() or DEFAULT_MERCHANT_ID


def gateway_beside(app: Flask, settings: Settings) -> Flask:
    """The gateway for ``app``: the secret from CAUCE_GATEWAY_SECRET or the app's own secret key, given to the
    app as well so both sides hold the same value by construction."""
    secret = gateway_secret(str(app.secret_key or ""))
    app.config["CAUCE_GATEWAY_SECRET"] = secret
    return create_gateway_app(secret=secret, database_url=gateway_database_url(settings.instance_dir),
                              merchant_id=_merchant_id(), proxy_hops=settings.proxy_hops)


@click.group(help="La pasarela de pagos simulada (PSE) que se monta en /pasarela junto a la aplicación.")
def pasarela() -> None:
    pass


@pasarela.command(help="Reenvía al comercio las notificaciones de pago aún pendientes (una vez cada una).")
@json_option
@handled
def reenviar(as_json: bool) -> None:
    from webui.app import create_app

    settings = Settings.from_env()
    # The secret key comes from the same place as the server's (CAUCE_SECRET_KEY or the instance's file).
    secret = gateway_secret(str(create_app(settings).secret_key or ""))
    report = deliver_pending(secret=secret, database_url=gateway_database_url(settings.instance_dir))
    payload = {"attempted": report.attempted, "delivered": report.delivered, "still_pending": report.still_pending}
    emit(as_json, payload, f"{report.attempted} notificación(es) reenviada(s), {report.delivered} entregada(s); "
                           f"{report.still_pending} pendiente(s).")
