"""Registrarse (external requesters), the e-mail confirmation link, and sending the link again."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, redirect, render_template, request, url_for

from engine.db import utcnow
from engine.errors import CauceError, InvalidData
from engine.identity import PASSWORD_MIN_LENGTH, Registration
from webui import registration
from webui.anonymous_forms import anonymous_form
from webui.context import current_user, database

bp = Blueprint("registration", __name__)

FIELDS = ("nombre", "correo", "documento", "celular")


def _link(token: str) -> str:
    return url_for("registration.confirm", token=token, _external=True)


def _form_page(values: dict[str, str], errors: list[Any], status: int, message: str | None = None) -> Any:
    by_field = {e.field: e.message for e in errors}
    return render_template("registration/register.html", values=values, errors=by_field, message=message,
                           min_length=PASSWORD_MIN_LENGTH), status


@bp.get("/registrarse")
def register() -> Any:
    if current_user() is not None:
        return redirect(url_for("home"))
    return _form_page(dict.fromkeys(FIELDS, ""), [], 200)


@bp.post("/registrarse")
@anonymous_form
def register_post() -> Any:
    values = {name: (request.form.get(name) or "")[:300] for name in FIELDS}
    form = Registration(full_name=values["nombre"], email=values["correo"], document_id=values["documento"],
                        mobile=values["celular"], password=request.form.get("contrasena") or "",
                        password_confirmation=request.form.get("confirmacion") or "",
                        accepts_data_policy=request.form.get("acepta_datos") in ("true", "on", "1"))
    try:
        done = registration.register(database().write, form, request.remote_addr or "?", utcnow(),
                                     str(current_app.secret_key), _link)
    except InvalidData as exc:
        return _form_page(values, exc.errors, 400)
    except registration.TooMany as exc:
        return _form_page(values, [], 429, exc.message)
    return render_template("registration/check_email.html", email=done.email), 201


@bp.get("/registrarse/confirmar/<token>")
def confirm(token: str) -> Any:
    try:
        with database().write() as session:
            username = registration.confirm(session, token[:1000], str(current_app.secret_key))
    except CauceError as exc:
        return render_template("registration/confirmed.html", ok=False, message=exc.message), exc.status
    return render_template("registration/confirmed.html", ok=True, username=username, message=None)


@bp.get("/registrarse/reenviar")
def resend() -> Any:
    return render_template("registration/resend.html", email=(request.args.get("correo") or "")[:100],
                           error=None, sent=False)


@bp.post("/registrarse/reenviar")
@anonymous_form
def resend_post() -> Any:
    email = (request.form.get("correo") or "").strip()[:200]
    try:
        with database().write() as session:
            registration.resend(session, email, request.remote_addr or "?", utcnow(), str(current_app.secret_key),
                                _link)
    except InvalidData as exc:
        return render_template("registration/resend.html", email=email, error=exc.errors[0].message,
                               sent=False), 400
    except registration.TooMany as exc:
        return render_template("registration/resend.html", email=email, error=exc.message, sent=False), 429
    return render_template("registration/resend.html", email=email, error=None, sent=True)
