"""Registrarse: an external requester signs up, confirms the e-mail through the signed link (once, within 48 h),
and only then signs in; each field's problem is named beside it; forms carry a CSRF token bound to a cookie; the
form and the link resend are throttled."""

from __future__ import annotations

import re
import time
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from itsdangerous import TimestampSigner, URLSafeTimedSerializer
from sqlalchemy import select

from engine.db import Database
from engine.identity import User, account_stamp, roles_of
from handlers.mail.models import OutboxEmail
from tests.webui.conftest import csrf_of
from webui import registration

GOOD = {"nombre": "Lucía Fernández", "correo": "Lucia.Fernandez@Example.com", "documento": "52123456",
        "celular": "+57 300 123 4567", "contrasena": "una clave larga", "confirmacion": "una clave larga",
        "acepta_datos": "true"}


def _post(client: FlaskClient, url: str, data: dict[str, Any]) -> Any:
    token = csrf_of(client.get(url).get_data(as_text=True))
    return client.post(url, data={"csrf_token": token, **data})


def _mails(db: Database, to: str) -> list[OutboxEmail]:
    with db.read() as session:
        return list(session.scalars(select(OutboxEmail).where(OutboxEmail.recipient == to).order_by(OutboxEmail.id)))


def _link(db: Database, to: str) -> str:
    found = re.search(r"http://localhost(/registrarse/confirmar/\S+)", _mails(db, to)[-1].body)
    assert found, "the e-mail carries the confirmation link"
    return found.group(1)


def _user(db: Database, username: str) -> User | None:
    with db.read() as session:
        return session.get(User, username)


def test_register_confirm_then_sign_in(app: Flask, db: Database) -> None:
    client = app.test_client()
    page = client.get("/iniciar-sesion").get_data(as_text=True)
    assert 'href="/registrarse"' in page and "Registrarse" in page
    answer = _post(client, "/registrarse", GOOD)
    assert answer.status_code == 201, answer.get_data(as_text=True)
    assert "lucia.fernandez@example.com" in answer.get_data(as_text=True)

    user = _user(db, "lucia.fernandez@example.com")
    assert user is not None and not user.active and user.display_name == "Lucía Fernández"
    assert user.password_hash and "una clave larga" not in user.password_hash
    with db.read() as session:
        assert roles_of(session, user.username) == {"solicitante"}
    [mail] = _mails(db, "lucia.fernandez@example.com")
    assert (mail.kind, mail.recipient_user, mail.status) == ("registration", user.username, "pending")
    assert "Confirma tu correo" in mail.subject and "48 horas" in mail.body

    refused = client.post("/iniciar-sesion", data={"username": "Lucia.Fernandez@example.com",
                                                   "password": "una clave larga"})
    text = refused.get_data(as_text=True)
    assert refused.status_code == 403 and "Confirma tu correo: te enviamos un enlace" in text
    assert 'action="/registrarse/reenviar"' in text
    wrong = client.post("/iniciar-sesion", data={"username": user.username, "password": "otra clave mala"})
    assert wrong.status_code == 401 and "Confirma tu correo" not in wrong.get_data(as_text=True)

    link = _link(db, user.username)
    confirmed = client.get(link)
    assert confirmed.status_code == 200
    assert "Tu correo fue confirmado; ya puedes iniciar sesión" in confirmed.get_data(as_text=True)
    again = client.get(link)
    assert again.status_code == 409 and "ya se usó" in again.get_data(as_text=True)
    assert client.post("/iniciar-sesion", data={"username": "LUCIA.fernandez@example.com",
                                                "password": "una clave larga"}).status_code == 302


def test_every_field_is_checked_and_named(app: Flask, db: Database) -> None:
    bad = {"nombre": " ", "correo": "no-es-correo", "documento": "1", "celular": "12ab",
           "contrasena": "corta", "confirmacion": "distinta"}
    answer = _post(app.test_client(), "/registrarse", bad)
    text = answer.get_data(as_text=True)
    assert answer.status_code == 400
    for field, message in [("nombre", "nombre completo"), ("correo", "correo electrónico válido"),
                           ("documento", "documento de identidad"), ("celular", "número de celular"),
                           ("contrasena", "al menos 10 caracteres"), ("confirmacion", "no coincide"),
                           ("acepta_datos", "tratamiento de datos personales")]:
        block = re.search(rf'data-field="{field}">(.*?)</div>', text, re.S)
        assert block and message in block.group(1), field
    assert 'value="no-es-correo"' in text and "corta" not in text  # typed values kept, passwords never echoed
    same = {**GOOD, "contrasena": "lucia.fernandez@example.com", "confirmacion": "lucia.fernandez@example.com"}
    answer = _post(app.test_client(), "/registrarse", same)
    assert answer.status_code == 400 and "no puede ser igual a tu correo" in answer.get_data(as_text=True)
    assert _user(db, "lucia.fernandez@example.com") is None


def test_a_registered_address_gets_a_field_error_and_nothing_more(app: Flask, db: Database) -> None:
    assert _post(app.test_client(), "/registrarse", GOOD).status_code == 201
    answer = _post(app.test_client(), "/registrarse", {**GOOD, "nombre": "Otra Persona"})
    text = answer.get_data(as_text=True)
    assert answer.status_code == 400 and "Ya existe una cuenta con ese correo" in text
    assert "Lucía" not in text and len(_mails(db, "lucia.fernandez@example.com")) == 1


def test_forms_need_the_cookie_bound_token_and_this_site(app: Flask) -> None:
    client = app.test_client()
    assert client.post("/registrarse", data=GOOD).status_code == 400  # no token at all
    token = csrf_of(client.get("/registrarse").get_data(as_text=True))
    stranger = app.test_client()  # the token without the cookie it was made for
    assert stranger.post("/registrarse", data={"csrf_token": token, **GOOD}).status_code == 400
    other_site = client.post("/registrarse", data={"csrf_token": token, **GOOD},
                             headers={"Origin": "https://evil.example"})
    assert other_site.status_code == 400
    assert client.post("/registrarse/reenviar", data={"correo": "x@example.com"}).status_code == 400


def test_an_expired_or_tampered_link_is_refused(app: Flask, db: Database) -> None:
    assert _post(app.test_client(), "/registrarse", GOOD).status_code == 201
    user = _user(db, "lucia.fernandez@example.com")
    assert user is not None

    class Past(TimestampSigner):
        def get_timestamp(self) -> int:
            return int(time.time()) - 49 * 3600

    old = URLSafeTimedSerializer(str(app.secret_key), salt="cauce-registration", signer=Past).dumps(
        {"u": user.username, "s": account_stamp(user)})
    expired = app.test_client().get(f"/registrarse/confirmar/{old}")
    assert expired.status_code == 409 and "venció" in expired.get_data(as_text=True)
    link = _link(db, user.username)
    tampered = app.test_client().get(link[:-3] + ("aaa" if not link.endswith("aaa") else "bbb"))
    assert tampered.status_code == 400 and "no es válido" in tampered.get_data(as_text=True)
    assert not (_user(db, user.username) or user).active


def test_resend_says_nothing_about_unknown_addresses_and_is_throttled(app: Flask, db: Database) -> None:
    client = app.test_client()
    unknown = _post(client, "/registrarse/reenviar", {"correo": "nadie@example.com"})
    assert unknown.status_code == 200 and "Si hay una cuenta pendiente" in unknown.get_data(as_text=True)
    assert _mails(db, "nadie@example.com") == []
    assert _post(client, "/registrarse", GOOD).status_code == 201
    for _ in range(registration.RESEND_MAX - 1):
        assert _post(client, "/registrarse/reenviar", {"correo": "LUCIA.fernandez@example.com"}).status_code == 200
    assert len(_mails(db, "lucia.fernandez@example.com")) == registration.RESEND_MAX
    too_many = _post(client, "/registrarse/reenviar", {"correo": "lucia.fernandez@example.com"})
    assert too_many.status_code == 429 and "varios enlaces" in too_many.get_data(as_text=True)
    # Every link sent names the same account state: whichever is followed first activates it.
    assert app.test_client().get(_link(db, "lucia.fernandez@example.com")).status_code == 200


def test_registrations_per_address_are_limited(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(registration, "ADDRESS_MAX", 2)
    client = app.test_client()
    for n in range(2):
        assert _post(client, "/registrarse", {**GOOD, "correo": f"persona{n}@example.com"}).status_code == 201
    blocked = _post(client, "/registrarse", {**GOOD, "correo": "persona9@example.com"})
    assert blocked.status_code == 429 and "Demasiados registros" in blocked.get_data(as_text=True)
    # Counted apart from sign-in failures: nobody's sign-in is locked by registrations.
    assert client.post("/iniciar-sesion", data={"username": "estudiante.camila",
                                                "password": "cauce2026"}).status_code == 302


def test_signed_in_people_are_sent_home(app: Flask, sign_in: Any) -> None:
    assert sign_in("estudiante.camila").get("/registrarse").status_code == 302
