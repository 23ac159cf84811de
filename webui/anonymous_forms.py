"""CSRF for forms posted before signing in (Registrarse, reenviar el enlace), which have no session to hold a token.

A random value lives in an HttpOnly, SameSite=Lax cookie; the form carries its HMAC under the app's secret key.
Another site can neither read the cookie nor forge the HMAC, and a cookie planted by a sibling subdomain does not
match without the key. Posts from another origin are refused as for the sign-in form.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Callable
from typing import Any, TypeVar

from flask import Flask, Response, abort, current_app, g, request

F = TypeVar("F", bound=Callable[..., Any])
COOKIE = "cauce_form"
MAX_AGE = 2 * 60 * 60


def anonymous_form(view: F) -> F:
    """Mark a POST view as protected by this module instead of the signed-in session's token."""
    view.anonymous_form = True  # type: ignore[attr-defined]
    return view


def is_anonymous_form(app: Flask, endpoint: str | None) -> bool:
    return bool(endpoint and getattr(app.view_functions.get(endpoint), "anonymous_form", False))


def _sign(value: str) -> str:
    key = str(current_app.secret_key).encode("utf-8")
    return hmac.new(key, f"anonymous-form|{value}".encode(), hashlib.sha256).hexdigest()


def form_token() -> str:
    """The token for a form on this page (sets the cookie on the response when the browser has none yet)."""
    value = request.cookies.get(COOKIE) or g.get("anonymous_form_cookie")
    if not value:
        value = secrets.token_urlsafe(24)
        g.anonymous_form_cookie = value
    return _sign(value)


def check(same_site: Callable[[str, str], bool]) -> None:
    origin = request.headers.get("Origin") or request.headers.get("Referer")
    if origin and not same_site(origin, request.host_url):
        abort(400, description="El formulario debe enviarse desde este sitio.")
    value = request.cookies.get(COOKIE)
    sent = request.form.get("csrf_token") or ""
    if not value or not hmac.compare_digest(sent, _sign(value)):
        abort(400, description="El formulario venció o no es válido (token CSRF). Recargue la página.")


def register(app: Flask) -> None:
    app.jinja_env.globals["anonymous_form_token"] = form_token

    @app.after_request
    def set_cookie(response: Response) -> Response:
        value = g.get("anonymous_form_cookie")
        if value:
            response.set_cookie(COOKIE, value, max_age=MAX_AGE, httponly=True, samesite="Lax",
                                secure=bool(current_app.config.get("CAUCE_SECURE_COOKIES")), path="/")
        return response
