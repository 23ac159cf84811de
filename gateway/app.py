"""The gateway's Flask application: "Pagos PSE (simulado)", a bank the app talks to only through the protocol."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from flask import Flask, Response, current_app, render_template, request
from sqlalchemy.orm import Session, sessionmaker
from werkzeug.exceptions import HTTPException
from werkzeug.middleware.proxy_fix import ProxyFix

from gateway.checkout import GatewayInputError
from gateway.delivery import Deliverer, Poster, http_post
from gateway.store import open_store

BOGOTA = ZoneInfo("America/Bogota")
DEFAULT_MERCHANT_NAME = "Universidad — Servicios Financieros"
TITLES = {400: "Solicitud no válida", 404: "No encontrado", 405: "Método no permitido", 410: "Pago vencido"}


@dataclass(frozen=True)
class GatewayConfig:
    secret: str
    merchant_id: str
    merchant_name: str
    unique_code: str
    sessions: sessionmaker[Session]
    deliverer: Deliverer


def create_gateway_app(*, secret: str, database_url: str, merchant_id: str = "UNIV-CAUCE",
                       unique_code: str = "1706", synchronous_delivery: bool = False, proxy_hops: int = 0,
                       post: Poster = http_post, merchant_name: str = DEFAULT_MERCHANT_NAME) -> Flask:
    """``post``: how notifications travel (tests may pass their own; the default is an HTTP POST).
    ``merchant_name``: what the payer sees as "Comercio" on the gateway's pages."""
    from gateway import views

    if not secret:
        raise ValueError("La pasarela necesita un secreto compartido con el comercio.")
    app = Flask(__name__)
    if proxy_hops:
        # Behind the same proxies as the app, the payer's IP on the voucher is the client's, not the proxy's.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxy_hops, x_proto=proxy_hops,  # type: ignore[method-assign]
                                x_host=proxy_hops)
    sessions = open_store(database_url)
    app.extensions["pasarela"] = GatewayConfig(
        secret=secret, merchant_id=merchant_id, merchant_name=merchant_name, unique_code=unique_code,
        sessions=sessions,
        deliverer=Deliverer(sessions, secret, synchronous=synchronous_delivery, post=post))
    app.config.update(MAX_CONTENT_LENGTH=64 * 1024)
    app.jinja_env.filters.update(money=money, local_time=local_time)
    app.jinja_env.globals["merchant_name"] = merchant_name
    app.register_blueprint(views.bp)

    @app.after_request
    def security_headers(response: Response) -> Response:
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        # The transaction's token is in the address: never hand it to another site in a Referer.
        response.headers.setdefault("Referrer-Policy", "no-referrer")
        response.headers.setdefault("Content-Security-Policy", "default-src 'self'; style-src 'self'")
        if request.path.startswith("/t/"):
            response.headers.setdefault("Cache-Control", "no-store")
        return response

    @app.errorhandler(GatewayInputError)
    def bad_input(exc: GatewayInputError) -> Any:
        return render_template("pasarela/error.html", status=400, title=TITLES[400], message=exc.message,
                               field=exc.field), 400

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException) -> Any:
        status = exc.code or 500
        message = {404: "No existe esa transacción: revise la dirección o regrese al comercio.",
                   405: "Esta dirección no admite ese método."}.get(status, exc.description or "Error")
        return render_template("pasarela/error.html", status=status, title=TITLES.get(status, "Error"),
                               message=message, field=None), status

    return app


def gateway_config() -> GatewayConfig:
    config: GatewayConfig = current_app.extensions["pasarela"]
    return config


def money(value: Decimal) -> str:
    """``$ 1.752.770,00``, the way the pages of the university (and its bank) write pesos."""
    whole, cents = f"{value:,.2f}".split(".")
    return f"$ {whole.replace(',', '.')},{cents}"


def local_time(value: datetime | None) -> str:
    return value.astimezone(BOGOTA).strftime("%d/%m/%Y %H:%M") if value else ""
