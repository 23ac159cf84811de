"""Sign-in, sessions, CSRF and the error pages."""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask

from tests.webui.conftest import SignedIn


def test_anonymous_visitors_are_sent_to_sign_in(app: Flask) -> None:
    client = app.test_client()
    assert client.get("/").headers["Location"].endswith("/iniciar-sesion")
    answer = client.get("/bandeja")
    assert answer.status_code == 302 and "/iniciar-sesion?next=/bandeja" in answer.headers["Location"]
    page = client.get("/iniciar-sesion")
    assert page.status_code == 200 and "Iniciar sesión" in page.get_data(as_text=True)


def test_sign_in_sets_a_safe_cookie_and_sign_out_ends_the_session(app: Flask,
                                                                  sign_in: Callable[[str], SignedIn]) -> None:
    me = sign_in("tic.ana")
    cookie = me.client.get_cookie("cauce_session")
    assert cookie is not None and cookie.http_only and cookie.same_site == "Lax"
    assert "Bandeja de tareas" in me.get("/bandeja").get_data(as_text=True)
    assert me.post("/cerrar-sesion").status_code == 302
    assert me.get("/bandeja").status_code == 302  # the server forgot the session


def test_wrong_password_is_refused_and_throttled(app: Flask) -> None:
    client = app.test_client()
    for _ in range(5):
        answer = client.post("/iniciar-sesion", data={"username": "tic.ana", "password": "mala"})
        assert answer.status_code == 401 and "incorrectos" in answer.get_data(as_text=True)
    blocked = client.post("/iniciar-sesion", data={"username": "tic.ana", "password": "mala"})
    assert blocked.status_code == 429 and "Demasiados intentos" in blocked.get_data(as_text=True)
    assert client.post("/iniciar-sesion", data={"username": "nadie", "password": "x"}).status_code in (401, 429)


def test_forms_without_the_csrf_token_are_refused(app: Flask, sign_in: Callable[[str], SignedIn]) -> None:
    me = sign_in("tic.ana")
    answer = me.client.post("/cerrar-sesion", data={})
    assert answer.status_code == 400 and "CSRF" in answer.get_data(as_text=True)
    assert me.client.post("/cerrar-sesion", data={"csrf_token": "falso"}).status_code == 400


def test_next_never_leaves_the_site(app: Flask) -> None:
    client = app.test_client()
    answer = client.post("/iniciar-sesion", data={"username": "tic.ana", "password": "cauce2026",
                                                  "next": "https://evil.example/"})
    assert answer.headers["Location"] == "/bandeja"


def test_health_reports_the_database(app: Flask) -> None:
    answer = app.test_client().get("/healthz")
    assert answer.status_code == 200 and answer.get_json()["status"] == "ok"


def test_unknown_page_is_a_spanish_404(app: Flask) -> None:
    answer = app.test_client().get("/no-existe")
    assert answer.status_code == 404 and "No encontrado" in answer.get_data(as_text=True)


def test_security_headers(app: Flask) -> None:
    headers = app.test_client().get("/iniciar-sesion").headers
    assert headers["X-Content-Type-Options"] == "nosniff" and headers["X-Frame-Options"] == "DENY"
    assert "default-src 'self'" in headers["Content-Security-Policy"]
