"""Usuarios y permisos: who may open it, and granting/revoking the permission to annul payments."""

from __future__ import annotations

from collections.abc import Callable

from engine.db import Database
from handlers.ledger.kinds import PermissionUnit
from handlers.ledger.permissions import annulment_permission_of
from tests.webui.conftest import SignedIn


def _permission(db: Database, username: str) -> tuple[PermissionUnit, bool] | None:
    with db.read() as session:
        found = annulment_permission_of(session, username)
    return (found.unit, found.errors_allowed) if found else None


def test_only_admin_and_tic_nacer_open_the_page(sign_in: Callable[[str], SignedIn]) -> None:
    assert sign_in("tic.ana").get("/admin/usuarios").status_code == 403
    assert sign_in("estudiante.camila").get("/admin/usuarios").status_code == 403
    assert sign_in("tic.ana").post("/admin/usuarios/permiso", {"username": "coord.medellin", "action": "grant",
                                                               "unit": "facturacion", "reason": "x"}).status_code == 403
    for username in ("nacer.admin", "admin"):
        page = sign_in(username).get("/admin/usuarios")
        html = page.get_data(as_text=True)
        assert page.status_code == 200 and "Usuarios y permisos" in html and "Puede anular pagos" in html
        assert "coord.bogota" in html and "Coordinación Administrativa" in html and "Historial de permisos" in html
    assert "Usuarios y permisos" in sign_in("nacer.admin").get("/bandeja").get_data(as_text=True)  # in the menu


def test_the_page_shows_who_may_annul(sign_in: Callable[[str], SignedIn]) -> None:
    html = sign_in("nacer.admin").get("/admin/usuarios").get_data(as_text=True)
    row = html.split('id="usuario-coord.bogota"')[1].split("</tr>")[0]
    assert "Sí: Coordinación Administrativa" in row
    row = html.split('id="usuario-coord.medellin"')[1].split("</tr>")[0]
    assert '<td class="permission">No</td>' in row


def test_grant_and_revoke_through_the_page(sign_in: Callable[[str], SignedIn], db: Database) -> None:
    nacer = sign_in("nacer.admin")
    assert _permission(db, "coord.medellin") is None
    answer = nacer.post("/admin/usuarios/permiso", {"username": "coord.medellin", "action": "grant",
                                                    "unit": "coordinacion_administrativa", "errors_allowed": "true",
                                                    "reason": "Nueva coordinadora del campus Medellín"})
    assert answer.status_code == 302 and answer.headers["Location"] == "/admin/usuarios"
    assert _permission(db, "coord.medellin") == (PermissionUnit.ADMINISTRATIVE_COORDINATION, True)
    html = nacer.get("/admin/usuarios").get_data(as_text=True)
    assert "Se otorgó a coord.medellin el permiso para anular pagos." in html
    history = html.split("Historial de permisos")[1]
    assert "coord.medellin" in history and "nacer.admin" in history and "Nueva coordinadora" in history

    answer = nacer.post("/admin/usuarios/permiso", {"username": "coord.bogota", "action": "revoke",
                                                    "reason": "Cambio de cargo"})
    assert answer.status_code == 302 and _permission(db, "coord.bogota") is None
    assert "Revocado" in nacer.get("/admin/usuarios").get_data(as_text=True)


def test_bad_permission_changes_are_400_naming_the_field(sign_in: Callable[[str], SignedIn], db: Database) -> None:
    nacer = sign_in("nacer.admin")
    no_reason = nacer.post("/admin/usuarios/permiso", {"username": "coord.medellin", "action": "grant",
                                                       "unit": "facturacion", "reason": " "})
    assert no_reason.status_code == 400 and "Indique el motivo del cambio" in no_reason.get_data(as_text=True)
    bad_unit = nacer.post("/admin/usuarios/permiso", {"username": "coord.medellin", "action": "grant",
                                                      "unit": "tesoreria", "reason": "x"})
    assert bad_unit.status_code == 400 and "Seleccione la unidad" in bad_unit.get_data(as_text=True)
    none_held = nacer.post("/admin/usuarios/permiso", {"username": "coord.medellin", "action": "revoke",
                                                       "reason": "x"})
    assert none_held.status_code == 400
    assert "no tiene permiso para anular pagos" in none_held.get_data(as_text=True)
    nobody = nacer.post("/admin/usuarios/permiso", {"username": "nadie", "action": "grant",
                                                    "unit": "facturacion", "reason": "x"})
    assert nobody.status_code == 400 and "No existe el usuario «nadie»" in nobody.get_data(as_text=True)
    assert nacer.post("/admin/usuarios/permiso", {"username": "coord.medellin", "action": "x",
                                                  "reason": "x"}).status_code == 400
    assert _permission(db, "coord.medellin") is None
