"""Iniciar sesión / Cerrar sesión."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, make_response, redirect, render_template, request, url_for

from engine.db import utcnow
from webui.context import SESSION_COOKIE, current_user, database
from webui.registration import awaiting_sign_in
from webui.security import SESSION_LIFETIME, check_credentials, close_session, open_session, record_attempt, throttled

bp = Blueprint("auth", __name__)


def _safe_next(target: str | None) -> str:
    # Only paths on this site: never an absolute URL an attacker could plant in ?next=
    if target and target.startswith("/") and not target.startswith("//") and "\\\\" not in target:
        return target
    return url_for("inbox.index")


@bp.get("/iniciar-sesion")
def login() -> Any:
    if current_user() is not None:
        return redirect(_safe_next(request.args.get("next")))
    return render_template("auth/login.html", next=request.args.get("next", ""), error=None, username="")


@bp.post("/iniciar-sesion")
def login_post() -> Any:
    username = (request.form.get("username") or "").strip()
    if "@" in username:  # self-registered accounts are named by their e-mail, stored lower-cased
        username = username.lower()
    password = request.form.get("password") or ""
    address = request.remote_addr or "?"
    now = utcnow()
    with database().write() as session:
        if throttled(session, username, address, now):
            return render_template("auth/login.html", next=request.form.get("next", ""), username=username,
                                   error="Demasiados intentos fallidos. Espere unos minutos e intente de nuevo."), 429
        ok = bool(username) and check_credentials(session, username, password)
        unconfirmed = not ok and bool(username) and awaiting_sign_in(session, username, password)
        record_attempt(session, username, address, ok, now)
        token = open_session(session, username, now)[0] if ok else None
        previous = request.cookies.get(SESSION_COOKIE)
        if ok and previous:
            close_session(session, previous)  # whoever was signed in on this browser is signed out
    if unconfirmed:
        return render_template("auth/login.html", next=request.form.get("next", ""), username=username,
                               unconfirmed=username.strip().lower(),
                               error="Confirma tu correo: te enviamos un enlace para activar tu cuenta."), 403
    if token is None:
        return render_template("auth/login.html", next=request.form.get("next", ""), username=username,
                               error="Usuario o contraseña incorrectos."), 401
    response = make_response(redirect(_safe_next(request.form.get("next"))))
    response.set_cookie(SESSION_COOKIE, token, max_age=int(SESSION_LIFETIME.total_seconds()), httponly=True,
                        samesite="Lax", secure=bool(current_app.config["CAUCE_SECURE_COOKIES"]), path="/")
    return response


@bp.post("/cerrar-sesion")
def logout() -> Any:
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        with database().write() as session:
            close_session(session, token)
    response = make_response(redirect(url_for("auth.login")))
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response
