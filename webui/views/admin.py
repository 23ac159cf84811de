"""Usuarios y permisos: users and roles; TIC Nacer grants and revokes the permission to annul payments."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from sqlalchemy.orm import Session

from engine.db import utcnow
from engine.identity import STANDARD_ROLES, UserSummary, list_users
from handlers.errors import HandlerInputError
from handlers.ledger.kinds import PermissionUnit
from handlers.ledger.permissions import (
    AnnulmentPermission,
    PermissionChange,
    annulment_permission_of,
    grant_annulment_permission,
    permission_history,
    revoke_annulment_permission,
)
from webui.context import database, roles_required, user

bp = Blueprint("admin", __name__)

ADMIN_ROLES = ("admin", "tic_nacer")
UNIT_LABELS = {PermissionUnit.ADMINISTRATIVE_COORDINATION.value: "Coordinación Administrativa",
               PermissionUnit.BILLING.value: "Facturación (capa 2)"}


@dataclass(frozen=True)
class UserRow:
    user: UserSummary
    permission: AnnulmentPermission | None


@dataclass(frozen=True)
class UsersPage:
    users: list[UserRow]
    history: list[PermissionChange]


def users_page(session: Session) -> UsersPage:
    """Every user with roles and annulment permission, and the latest permission changes."""
    return UsersPage([UserRow(u, annulment_permission_of(session, u.username)) for u in list_users(session)],
                     permission_history(session))


def _render(errors: dict[str, str], values: dict[str, str], status: int) -> Any:
    with database().read() as session:
        page = users_page(session)
    return render_template("admin/users.html", page=page, errors=errors, values=values, role_names=STANDARD_ROLES,
                           unit_labels=UNIT_LABELS), status


@bp.get("/admin/usuarios")
@roles_required(*ADMIN_ROLES)
def users() -> Any:
    return _render({}, {}, 200)


@bp.post("/admin/usuarios/permiso")
@roles_required(*ADMIN_ROLES)
def change_permission() -> Any:
    form = {k: (request.form.get(k) or "").strip() for k in ("username", "action", "unit", "reason")}
    errors: dict[str, str] = {}
    if form["action"] not in ("grant", "revoke"):
        abort(400, description="Acción no válida: use «Otorgar» o «Revocar».")
    if not form["reason"]:
        errors["reason"] = "Indique el motivo del cambio (queda en la auditoría)."
    if form["action"] == "grant" and form["unit"] not in UNIT_LABELS:
        errors["unit"] = "Seleccione la unidad: Coordinación Administrativa o Facturación (capa 2)."
    if not errors:
        try:
            _apply(form, errors_allowed=request.form.get("errors_allowed") in ("on", "true", "1"))
        except HandlerInputError as exc:
            errors[exc.field or "username"] = exc.message
    if errors:
        flash("No se cambió el permiso: revise los campos marcados.", "error")
        return _render(errors, form, 400)
    verb = "otorgó a" if form["action"] == "grant" else "revocó a"
    flash(f"Se {verb} {form['username']} el permiso para anular pagos.", "success")
    return redirect(url_for("admin.users"))


def _apply(form: dict[str, str], errors_allowed: bool) -> None:
    with database().write() as session:
        if form["username"] not in {u.username for u in list_users(session)}:
            raise HandlerInputError(f"No existe el usuario «{form['username']}».", field="username")
        if form["action"] == "grant":
            grant_annulment_permission(session, form["username"], unit=form["unit"], errors_allowed=errors_allowed,
                                       actor=user().username, now=utcnow(), reason=form["reason"])
        else:
            revoke_annulment_permission(session, form["username"], actor=user().username, now=utcnow(),
                                        reason=form["reason"])
