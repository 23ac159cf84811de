"""Ingresar con código: the cédula, a one-time code by SMS, and the same server-side session as a password."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, make_response, redirect, render_template, request, url_for

from engine.errors import CauceError, InvalidData
from webui import otp
from webui.anonymous_forms import anonymous_form
from webui.context import SESSION_COOKIE, current_user, database, engine
from webui.registration import TooMany
from webui.security import SESSION_LIFETIME

bp = Blueprint("otp_signin", __name__)


def _landing() -> str:
    # Requesters sign in this way to pay and see their accounts: the Oficina virtual when it is there.
    return url_for("oficina.home") if "oficina.home" in current_app.view_functions else url_for("home")


def _start_page(document: str, error: str | None, status: int) -> Any:
    return render_template("otp/start.html", document=document, error=error), status


def _validate_page(sent: otp.CodeSent, error: str | None, status: int) -> Any:
    return render_template("otp/validate.html", sent=sent, error=error,
                           valid_seconds=int(otp.CODE_VALID_FOR.total_seconds())), status


@bp.get("/ingresar-con-codigo")
def start() -> Any:
    if current_user() is not None:
        return redirect(url_for("home"))
    return _start_page("", None, 200)


@bp.post("/ingresar-con-codigo")
@anonymous_form
def send_code() -> Any:
    document = (request.form.get("cedula") or "")[:40]
    try:
        sent = otp.request_code(database().write, document, request.remote_addr or "?", engine().clock(),
                                str(current_app.secret_key))
    except (InvalidData, TooMany) as exc:
        message = exc.errors[0].message if isinstance(exc, InvalidData) else exc.message
        return _start_page(document, message, exc.status)
    return _validate_page(sent, None, 200)


@bp.post("/ingresar-con-codigo/validar")
@anonymous_form
def verify() -> Any:
    document = (request.form.get("cedula") or "")[:40]
    now = engine().clock()
    try:
        done = otp.verify_code(database().write, document, (request.form.get("codigo") or "")[:20],
                               request.remote_addr or "?", now, str(current_app.secret_key),
                               previous_session=request.cookies.get(SESSION_COOKIE))
    except CauceError as exc:
        message = exc.errors[0].message if isinstance(exc, InvalidData) else exc.message
        with database().read() as session:
            live = otp.pending_code(session, document, now)
        if live is None:  # nothing left to type a code for: back to the cédula, saying why
            return _start_page(document, message, exc.status)
        return _validate_page(live, message, exc.status)
    response = make_response(redirect(_landing()))
    response.set_cookie(SESSION_COOKIE, done.session_token, max_age=int(SESSION_LIFETIME.total_seconds()),
                        httponly=True, samesite="Lax", secure=bool(current_app.config["CAUCE_SECURE_COOKIES"]),
                        path="/")
    return response
