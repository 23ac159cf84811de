"""Signing in and out in a real browser."""

from __future__ import annotations

from typing import Any

from tests.e2e.conftest import screenshot


def sign_in(page: Any, base: str, username: str, password: str = "cauce2026") -> None:
    page.goto(f"{base}/iniciar-sesion")
    page.get_by_label("Usuario").fill(username)
    page.get_by_label("Contraseña").fill(password)
    page.get_by_role("button", name="Ingresar").click()


def test_sign_in_shows_the_inbox_and_sign_out_returns(live_server: str, page: Any) -> None:
    page.goto(live_server)
    screenshot(page, "01-iniciar-sesion")
    sign_in(page, live_server, "tic.ana", "equivocada")
    assert "Usuario o contraseña incorrectos" in page.content()
    sign_in(page, live_server, "tic.ana")
    page.wait_for_url(f"{live_server}/bandeja")
    assert page.get_by_role("heading", name="Bandeja de tareas").is_visible()
    page.get_by_role("button", name="Cerrar sesión").click()
    page.wait_for_url(f"{live_server}/iniciar-sesion")
