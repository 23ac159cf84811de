"""Per-request access to the engine, the database and the signed-in user, and the guards views use."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from flask import abort, current_app, g, redirect, request, url_for

from engine.db import Database
from engine.runtime import Engine
from webui.security import CurrentUser

F = TypeVar("F", bound=Callable[..., Any])
SESSION_COOKIE = "cauce_session"


def engine() -> Engine:
    found: Engine = current_app.extensions["cauce_engine"]
    return found


def database() -> Database:
    return engine().db


def current_user() -> CurrentUser | None:
    user: CurrentUser | None = g.get("user")
    return user


def user() -> CurrentUser:
    """The signed-in user of a view guarded by ``login_required``."""
    found = current_user()
    if found is None:
        abort(401)
    return found


def login_required(view: F) -> F:
    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if current_user() is None:
            return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
        return view(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


def roles_required(*roles: str) -> Callable[[F], F]:
    """Only users holding one of ``roles`` (403 for the others, the sign-in page for strangers)."""

    def decorate(view: F) -> F:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            found = current_user()
            if found is None:
                return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
            if not found.has_any(*roles):
                abort(403, description="Su usuario no tiene el rol necesario para esta página.")
            return view(*args, **kwargs)

        wrapper.required_roles = roles  # type: ignore[attr-defined]
        return wrapper  # type: ignore[return-value]

    return decorate
