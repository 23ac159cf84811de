"""The Flask application factory. It wires the engine with the handlers; views stay thin."""

from __future__ import annotations

import secrets
from typing import Any
from urllib.parse import urlsplit

from flask import Flask, Response, abort, g, jsonify, redirect, render_template, request, url_for
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.exceptions import HTTPException
from werkzeug.middleware.proxy_fix import ProxyFix

from engine.config import Settings
from engine.db import Database, utcnow
from engine.errors import CauceError, InvalidData
from engine.runtime import Engine
from engine.worker import heartbeat_age, start_embedded
from handlers.errors import HandlerInputError
from handlers.mail.delivery import delivery_chore
from handlers.registry import HANDLERS
from handlers.sms.delivery import sms_delivery_chore
from webui import anonymous_forms, filters, navigation
from webui.context import SESSION_COOKIE, current_user
from webui.converters import IdConverter
from webui.security import load_user
from webui.views import (
    account,
    admin,
    api,
    auth,
    cases,
    cases_staff,
    inbox,
    incidents,
    instances,
    lookup,
    notices,
    oficina,
    oficina_history,
    oficina_pay,
    oficina_plans,
    otp_signin,
    processes,
    sms_box,
    tasks,
)
from webui.views.designer import bp as designer_bp
from webui.views.designer_editor import bp as designer_editor_bp
from webui.views.designer_forms import bp as designer_forms_bp
from webui.views.designer_migration import bp as designer_migration_bp
from webui.views.mailbox import bp as mailbox_bp
from webui.views.registration import bp as registration_bp

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
#: Server-to-server endpoints with no session: they authenticate each request themselves (an HMAC signature).
CSRF_EXEMPT = {"oficina_pay.notify"}
GENERIC_MESSAGES = {
    400: "La solicitud no es válida.", 401: "Inicie sesión para continuar.", 403: "No tiene permiso para esto.",
    404: "No existe lo que busca: revise la dirección.", 405: "Esta dirección no admite ese método.",
    413: "Lo enviado supera el tamaño permitido (10 MiB).", 429: "Demasiadas solicitudes; espere un momento.",
}


def create_app(settings: Settings | None = None, engine: Engine | None = None,
               embedded_worker: bool = False) -> Flask:
    """``embedded_worker``: run one background worker thread in this process (SQLite's single-machine setup)."""
    settings = settings or Settings.from_env()
    app = Flask(__name__)
    if settings.proxy_hops:
        # Behind N trusted proxies the client's address and scheme come from their X-Forwarded-* headers: the
        # sign-in throttle then counts per client, and the same-site check sees https.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=settings.proxy_hops, x_proto=settings.proxy_hops,  # type: ignore[method-assign]
                                x_host=settings.proxy_hops)
    app.config.update(
        JSON_AS_ASCII=False, MAX_CONTENT_LENGTH=MAX_UPLOAD_BYTES,
        CAUCE_SECURE_COOKIES=settings.secure_cookies,
        CAUCE_SMTP_CONFIGURED=settings.smtp_url is not None,
        CAUCE_SMS_CONFIGURED=settings.sms_url is not None,
        CAUCE_GATEWAY_URL=settings.gateway_url, CAUCE_GATEWAY_SECRET=settings.gateway_secret,
        CAUCE_MERCHANT_ID=settings.merchant_id, CAUCE_MERCHANT_NAME=settings.merchant_name,
        CAUCE_MERCHANT_NIT=settings.merchant_nit,
    )
    if engine is None:
        settings.ensure_dirs()
        engine = Engine(Database(settings.database_url), _handlers(settings), input_errors=(HandlerInputError,))
    app.extensions["cauce_engine"] = engine
    app.secret_key = _secret_key(settings)
    app.url_map.converters["int"] = IdConverter  # before any route is added: every <int:...> is a bounded id
    filters.register(app)
    navigation.register(app)
    anonymous_forms.register(app)
    for blueprint in (registration_bp, mailbox_bp, designer_editor_bp, designer_bp, designer_forms_bp,
                      designer_migration_bp):
        app.register_blueprint(blueprint)
    for blueprint in (auth.bp, inbox.bp, tasks.bp, processes.bp, instances.bp, admin.bp, api.bp, notices.bp,
                      account.bp, incidents.bp, cases.bp, cases_staff.bp, cases_staff.board_bp):
        app.register_blueprint(blueprint)
    for blueprint in (oficina.bp, oficina_history.bp, oficina_pay.bp, oficina_plans.bp, otp_signin.bp, lookup.bp,
                      sms_box.bp):
        app.register_blueprint(blueprint)

    @app.before_request
    def identify() -> None:
        g.user = None
        token = request.cookies.get(SESSION_COOKIE)
        if token and not request.path.startswith("/api/"):
            with engine.db.read() as session:
                g.user = load_user(session, token, utcnow())

    @app.before_request
    def refuse_nul() -> None:
        # A NUL character cannot be stored in PostgreSQL text: refuse it at the door, naming where it came.
        sources = [("(ruta)", request.path), *((k, v) for k, v in request.args.items(multi=True))]
        if request.method in UNSAFE_METHODS and request.mimetype != "application/json":
            sources += list(request.form.items(multi=True))
        for name, value in sources:
            if "\x00" in name or "\x00" in value:
                abort(400, description=f"El campo «{name.replace(chr(0), '')}» contiene caracteres no permitidos.")

    @app.before_request
    def check_csrf() -> None:
        if request.method not in UNSAFE_METHODS or request.path.startswith("/api/"):
            return  # the API authenticates with bearer tokens, not cookies
        if request.endpoint in CSRF_EXEMPT:
            return
        if anonymous_forms.is_anonymous_form(app, request.endpoint):
            anonymous_forms.check(_same_site)  # Registrarse and the like: no session yet, a cookie-bound token
            return
        if request.endpoint == "auth.login_post":
            # No session yet to hold a token: refuse sign-ins posted from another site (login CSRF).
            origin = request.headers.get("Origin") or request.headers.get("Referer")
            if origin and not _same_site(origin, request.host_url):
                abort(400, description="El formulario de inicio de sesión debe enviarse desde este sitio.")
            return
        found = current_user()
        sent = request.form.get("csrf_token") or request.headers.get("X-CSRF-Token")
        if found is None or not sent or sent != found.csrf_token:
            abort(400, description="El formulario venció o no es válido (token CSRF). Recargue la página.")

    @app.after_request
    def security_headers(response: Response) -> Response:
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("Content-Security-Policy",
                                    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'")
        return response

    @app.get("/")
    def home() -> Any:
        return redirect(url_for("inbox.index") if current_user() else url_for("auth.login"))

    if embedded_worker:
        mail = delivery_chore(engine.db.write, settings.smtp_url, settings.mail_from)
        sms = sms_delivery_chore(engine.db.write, settings.sms_url, settings.sms_key)
        app.extensions["cauce_worker"] = start_embedded(engine, settings.worker_poll_seconds, chores=[mail, sms])

    @app.get("/healthz")
    def healthz() -> Any:
        """200 with the figures while the database answers (a stale heartbeat is for the monitor to judge)."""
        try:
            with engine.db.read() as session:
                session.execute(text("SELECT 1"))
            age = heartbeat_age(engine.db)
        except SQLAlchemyError as exc:
            return jsonify({"status": "error", "database": engine.db.dialect, "database_ok": False,
                            "error": type(exc).__name__, "worker_heartbeat_age_seconds": None}), 503
        return jsonify({"status": "ok", "database": engine.db.dialect, "database_ok": True,
                        "worker_heartbeat_age_seconds": None if age is None else round(age, 1)})

    @app.errorhandler(CauceError)
    def cauce_error(exc: CauceError) -> Any:
        return _error_response(exc.status, exc.message, exc)

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException) -> Any:
        code = exc.code or 500
        message = exc.description or exc.name
        if message == type(exc).description:  # Werkzeug's own English text: say it in Spanish
            message = GENERIC_MESSAGES.get(code, "La solicitud no se pudo atender.")
        return _error_response(code, message, None)

    @app.errorhandler(Exception)
    def internal_error(exc: Exception) -> Any:
        app.logger.exception("unexpected error")
        return _error_response(500, "Ocurrió un error interno; quedó registrado para revisión.", None)

    return app


def _handlers(settings: Settings) -> Any:
    """The product's handlers; CAUCE_HANDLERS=bench adds the benchmark's (bench/http_bench.py serves its models)."""
    if settings.handler_set == "bench":
        from bench.handlers import BENCH_HANDLERS

        return BENCH_HANDLERS
    return HANDLERS


def _same_site(origin: str, host_url: str) -> bool:
    mine, theirs = urlsplit(host_url), urlsplit(origin)
    return (theirs.scheme, theirs.netloc) == (mine.scheme, mine.netloc)


def _secret_key(settings: Settings) -> str:
    """Signs the flash-message cookie. Several app processes must share it: CAUCE_SECRET_KEY, or a key kept
    in the instance folder (created once, readable by the owner only)."""
    if settings.secret_key:
        return settings.secret_key
    path = settings.instance_dir / "secret_key"
    try:
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(secrets.token_hex(32))
            path.chmod(0o600)
        return path.read_text().strip()
    except OSError:
        return secrets.token_hex(32)


def _error_response(status: int, message: str, exc: CauceError | None) -> Any:
    fields = [e.as_dict() for e in exc.errors] if isinstance(exc, InvalidData) else []
    if request.path.startswith("/api/"):
        body: dict[str, Any] = {"error": message, "status": status}
        if fields:
            body["errors"] = fields
        return jsonify(body), status
    return render_template("error.html", status=status, message=message, errors=fields), status
