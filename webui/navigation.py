"""The top menu: what each role may open."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask, current_app, url_for

from webui.security import CurrentUser


@dataclass(frozen=True)
class NavItem:
    endpoint: str
    label: str
    roles: frozenset[str] | None  # None: everyone signed in

    @property
    def blueprint(self) -> str:
        return self.endpoint.split(".")[0]

    @property
    def url(self) -> str:
        return url_for(self.endpoint)


MENU = (
    NavItem("cases.catalog", "Registrar caso", frozenset({"solicitante"})),
    NavItem("cases.mine", "Mis casos", frozenset({"solicitante"})),
    NavItem("oficina.home", "Oficina virtual", frozenset({"solicitante"})),
    NavItem("processes.index", "Iniciar proceso", None),
    NavItem("instances.mine", "Mis solicitudes", None),
    NavItem("notices.index", "Avisos", None),
    NavItem("admin.users", "Usuarios y permisos", frozenset({"admin", "tic_nacer"})),
    NavItem("incidents.index", "Incidentes", frozenset({"supervisor", "admin"})),
    NavItem("mailbox.index", "Buzón de correo", frozenset({"admin"})),
    NavItem("sms_box.index", "Buzón de SMS", frozenset({"admin"})),
    # Staff side of the cases: each unit its open cases; supervisors every unit's, and the dashboard.
    NavItem("cases_staff.unit", "Casos de mi unidad",
            frozenset({"cartera", "tesoreria", "credito", "facturacion", "supervisor", "admin"})),
    NavItem("board.dashboard", "Tablero", frozenset({"supervisor", "admin"})),
    NavItem("designer.models", "Procesos", frozenset({"disenador", "admin"})),
    NavItem("account.index", "Mi cuenta", None),
)


def nav_items(user: CurrentUser) -> list[NavItem]:
    views = current_app.view_functions
    return [item for item in MENU
            if item.endpoint in views and (item.roles is None or user.roles & item.roles)]


def register(app: Flask) -> None:
    app.jinja_env.globals["nav_items"] = nav_items
