"""Mi cuenta: the signed-in user's API tokens (create one, shown once; revoke)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, redirect, render_template, request, url_for

from engine.db import utcnow
from engine.errors import InvalidData
from webui.context import database, login_required, user
from webui.tokens import create_token, list_tokens, revoke_token

bp = Blueprint("account", __name__)


def _page(new_token: str | None = None, new_name: str = "", error: InvalidData | None = None,
          status: int = 200) -> Any:
    with database().read() as session:
        tokens = list_tokens(session, user().username)
    response = render_template("account/index.html", tokens=tokens, new_token=new_token, new_name=new_name,
                               errors=error.errors if error else [])
    # The new token is shown once: no cache may keep it.
    return response, status, {"Cache-Control": "no-store"}


@bp.get("/cuenta")
@login_required
def index() -> Any:
    return _page()


@bp.post("/cuenta/tokens")
@login_required
def create() -> Any:
    name = (request.form.get("name") or "").strip()
    try:
        with database().write() as session:
            token = create_token(session, user().username, name, utcnow())
    except InvalidData as exc:
        return _page(new_name=name[:200], error=exc, status=400)
    return _page(new_token=token, new_name=name)


@bp.post("/cuenta/tokens/<int:token_id>/revocar")
@login_required
def revoke(token_id: int) -> Any:
    with database().write() as session:
        revoke_token(session, user().username, token_id, utcnow())
    return redirect(url_for("account.index"))
