"""Ingresar con código: the cédula, a six-digit code by SMS (kept in the SMS outbox), the masked phone and the 109 s
countdown, then the same server-side session as a password sign-in. Expired, wrong (three tries), reused codes are
refused; codes per person and requests per address are limited; unknown, inactive or staff cédulas and people
without a mobile get a 400 on the field."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, update

from engine.db import Database, utcnow
from engine.identity import User
from engine.runtime import Engine
from handlers.sms.models import OutboxSms
from tests.webui.conftest import csrf_of
from webui import otp
from webui.models import LoginCode, WebSession

CAMILA = "1090123456"  # estudiante.camila's cédula in the demo, mobile 3001230434


class Clock:
    def __init__(self) -> None:
        self.now = utcnow()

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock(engine: Engine) -> Clock:
    engine.clock = found = Clock()
    return found


def _post(client: FlaskClient, url: str, data: dict[str, Any]) -> Any:
    token = csrf_of(client.get("/ingresar-con-codigo").get_data(as_text=True))
    return client.post(url, data={"csrf_token": token, **data})


def _ask(client: FlaskClient, document: str = CAMILA) -> Any:
    return _post(client, "/ingresar-con-codigo", {"cedula": document})


def _send(client: FlaskClient, code: str, document: str = CAMILA) -> Any:
    return _post(client, "/ingresar-con-codigo/validar", {"cedula": document, "codigo": code})


def _sms(db: Database) -> list[OutboxSms]:
    with db.read() as session:
        return list(session.scalars(select(OutboxSms).order_by(OutboxSms.id)))


def _last_code(db: Database) -> str:
    found = re.search(r"es (\d{6})\.", _sms(db)[-1].body)
    assert found, "the SMS carries the code"
    return found.group(1)


def _wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


def test_the_sign_in_page_links_both_pages(app: Flask) -> None:
    page = app.test_client().get("/iniciar-sesion").get_data(as_text=True)
    assert 'href="/ingresar-con-codigo"' in page and "Ingresar con código" in page
    assert 'href="/consulta-volantes"' in page and "Consulta de volantes de pago" in page


def test_a_code_by_sms_signs_the_requester_in(app: Flask, db: Database, clock: Clock) -> None:
    client = app.test_client()
    page = client.get("/ingresar-con-codigo").get_data(as_text=True)
    assert "Cédula de ciudadanía" in page and "Ingresar" in page
    sent = _ask(client, "1.090.123.456")  # thousands dots are fine
    text = sent.get_data(as_text=True)
    assert sent.status_code == 200, text
    assert "Validación en proceso" in text and "Código de verificación" in text
    assert "Se ha enviado un mensaje de texto al número celular terminado ****434." in text
    assert 'data-seconds="109"' in text and "seg" in text and "js/otp_countdown.js" in text
    assert "3001230434" not in text  # only the masked number

    [sms] = _sms(db)
    code = _last_code(db)
    assert sms.to == "+573001230434" and sms.kind == "login_code" and sms.status == "pending"
    assert sms.body == f"Su código de acceso a cauce es {code}. Vence en 109 segundos."
    with db.read() as session:
        [row] = session.scalars(select(LoginCode))
        assert row.username == "estudiante.camila" and code not in row.code_hash and len(row.code_hash) == 64
        assert row.expires_at == clock.now + timedelta(seconds=109) and row.used_at is None

    clock.advance(seconds=100)
    signed = _send(client, code)
    assert signed.status_code == 302 and signed.headers["Location"].endswith("/oficina")
    assert "cauce_session=" in signed.headers["Set-Cookie"] and "HttpOnly" in signed.headers["Set-Cookie"]
    inbox = client.get("/bandeja")
    assert inbox.status_code == 200 and "Camila Torres" in inbox.get_data(as_text=True)
    with db.read() as session:
        assert session.scalar(select(LoginCode.used_at)) == clock.now
        assert list(session.scalars(select(WebSession.username))) == ["estudiante.camila"]

    again = _send(app.test_client(), code)  # a used code cannot be reused
    assert again.status_code == 409 and "ya se usó" in again.get_data(as_text=True)


def test_an_expired_code_is_refused(app: Flask, db: Database, clock: Clock) -> None:
    client = app.test_client()
    assert _ask(client).status_code == 200
    code = _last_code(db)
    clock.advance(seconds=109)
    late = _send(client, code)
    text = late.get_data(as_text=True)
    assert late.status_code == 409 and "venció" in text
    assert "Cédula de ciudadanía" in text  # back to asking for a new code
    assert client.get("/bandeja").status_code == 302


def test_three_wrong_codes_void_it(app: Flask, db: Database, clock: Clock) -> None:
    client = app.test_client()
    assert _ask(client).status_code == 200
    code = _last_code(db)
    first = _send(client, _wrong(code))
    assert first.status_code == 400 and "Le quedan 2 intentos" in first.get_data(as_text=True)
    assert "terminado ****434" in first.get_data(as_text=True)  # still on the validation page
    assert "Le queda 1 intento." in _send(client, _wrong(code)).get_data(as_text=True)
    third = _send(client, _wrong(code))
    assert third.status_code == 400 and "se agotaron los intentos" in third.get_data(as_text=True)
    void = _send(client, code)  # the right code, too late
    assert void.status_code == 409 and "agotaron" in void.get_data(as_text=True)
    assert _send(client, "12345").status_code == 400  # not six digits: named, not counted

    assert _ask(client).status_code == 200  # a new code works
    assert _send(client, _last_code(db)).status_code == 302


def test_codes_are_compared_in_constant_time(app: Flask, db: Database, clock: Clock,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    compared: list[tuple[str, str]] = []
    original = otp.hmac.compare_digest

    def spy(a: str, b: str) -> bool:
        compared.append((a, b))
        return original(a, b)

    monkeypatch.setattr(otp.hmac, "compare_digest", spy)
    client = app.test_client()
    _ask(client)
    assert _send(client, _wrong(_last_code(db))).status_code == 400
    with db.read() as session:
        stored = session.scalars(select(LoginCode.code_hash)).one()
    [typed] = [b for a, b in compared if a == stored]  # (the form tokens are compared the same way)
    assert len(typed) == 64 and typed != stored  # HMACs compared, never the digits themselves


def test_only_the_newest_code_counts(app: Flask, db: Database, clock: Clock) -> None:
    client = app.test_client()
    _ask(client)
    older = _last_code(db)
    clock.advance(seconds=5)
    _ask(client)
    newer = _last_code(db)
    if older != newer:
        assert _send(client, older).status_code == 400
    assert _send(client, newer).status_code == 302


def test_codes_per_person_are_limited(app: Flask, db: Database, clock: Clock) -> None:
    client = app.test_client()
    for _ in range(otp.CODES_MAX):
        assert _ask(client).status_code == 200
        clock.advance(seconds=30)
    blocked = _ask(client)
    assert blocked.status_code == 429 and "Ya le enviamos 3 códigos" in blocked.get_data(as_text=True)
    assert len(_sms(db)) == otp.CODES_MAX
    clock.advance(minutes=15)
    assert _ask(client).status_code == 200


def test_code_requests_per_address_are_limited(app: Flask, db: Database, clock: Clock,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(otp, "ADDRESS_MAX", 2)
    client = app.test_client()
    assert _ask(client, "99999999").status_code == 400  # unknown cédulas count too: probing is limited
    assert _ask(client).status_code == 200
    blocked = _ask(client, "1090123456")
    assert blocked.status_code == 429 and "Demasiadas solicitudes" in blocked.get_data(as_text=True)
    # Counted apart from sign-in failures: the password sign-in still works from this address.
    assert client.post("/iniciar-sesion", data={"username": "estudiante.camila",
                                                "password": "cauce2026"}).status_code == 302


def test_wrong_codes_count_as_failed_sign_ins_of_the_address(app: Flask, db: Database, clock: Clock,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    from webui import security

    monkeypatch.setattr(security, "THROTTLE_MAX_ADDRESS_FAILURES", 2)
    client = app.test_client()
    _ask(client)
    code = _last_code(db)
    _send(client, _wrong(code))
    _send(client, _wrong(code))
    throttled = _send(client, code)
    assert throttled.status_code == 429 and "Demasiados intentos" in throttled.get_data(as_text=True)


@pytest.mark.parametrize(("document", "expected"), [
    ("99999999", "No encontramos un afiliado activo con esa cédula"),
    ("12", "de 4 a 20 dígitos"),
    ("<script>", "de 4 a 20 dígitos"),
    ("", "de 4 a 20 dígitos"),
])
def test_bad_or_unknown_cedulas_are_named(app: Flask, db: Database, clock: Clock, document: str,
                                          expected: str) -> None:
    answer = _ask(app.test_client(), document)
    text = answer.get_data(as_text=True)
    assert answer.status_code == 400 and expected in text and 'data-field="cedula"' in text
    assert _sms(db) == []


def test_no_mobile_inactive_or_staff_cannot_use_codes(app: Flask, db: Database, clock: Clock) -> None:
    client = app.test_client()
    with db.write() as session:
        session.execute(update(User).where(User.username == "acudiente.jorge").values(mobile=None))
        session.execute(update(User).where(User.username == "conta.maria")
                        .values(document_id="52000111", mobile="3115550000"))
    no_mobile = _ask(client, "79456123")
    assert no_mobile.status_code == 400 and "No tenemos un celular registrado" in no_mobile.get_data(as_text=True)
    staff = _ask(client, "52000111")  # staff keep their password: a text message is a weaker factor
    assert staff.status_code == 400 and "No encontramos un afiliado activo" in staff.get_data(as_text=True)

    assert _ask(client).status_code == 200
    code = _last_code(db)
    with db.write() as session:
        session.execute(update(User).where(User.username == "estudiante.camila").values(active=False))
    refused = _send(client, code)
    assert refused.status_code == 400 and "No encontramos un afiliado activo" in refused.get_data(as_text=True)
    assert _ask(client).status_code == 400
    assert _sms(db)[-1].body.endswith("Vence en 109 segundos.") and len(_sms(db)) == 1


def test_a_mobile_that_is_no_phone_number_counts_as_none(app: Flask, db: Database, clock: Clock) -> None:
    with db.write() as session:
        session.execute(update(User).where(User.username == "acudiente.jorge").values(mobile="llamar a casa"))
    answer = _ask(app.test_client(), "79456123")
    assert answer.status_code == 400 and "No tenemos un celular registrado" in answer.get_data(as_text=True)
    assert _sms(db) == []


def test_the_forms_need_the_cookie_bound_token(app: Flask, db: Database) -> None:
    client = app.test_client()
    assert client.post("/ingresar-con-codigo", data={"cedula": CAMILA}).status_code == 400
    assert client.post("/ingresar-con-codigo/validar", data={"cedula": CAMILA, "codigo": "123456"}).status_code == 400
    assert _sms(db) == []


def test_a_self_registered_requester_signs_in_by_code_once_confirmed(app: Flask, db: Database,
                                                                     clock: Clock) -> None:
    client = app.test_client()
    form = {"nombre": "Lucía Fernández", "correo": "lucia@example.com", "documento": "52123456",
            "celular": "+57 310 555 0123", "contrasena": "una clave larga", "confirmacion": "una clave larga",
            "acepta_datos": "true"}
    token = csrf_of(client.get("/registrarse").get_data(as_text=True))
    assert client.post("/registrarse", data={"csrf_token": token, **form}).status_code == 201
    with db.read() as session:
        user = session.get(User, "lucia@example.com")
        assert user is not None
        assert (user.document_id, user.mobile, user.email_confirmed_at) == ("52123456", "+573105550123", None)
        assert user.data_consent_at is not None
    assert _ask(client, "52123456").status_code == 400  # not confirmed yet: not active

    from handlers.mail.models import OutboxEmail

    with db.read() as session:
        body = session.scalars(select(OutboxEmail.body).where(OutboxEmail.recipient == "lucia@example.com")).one()
    link = re.search(r"http://localhost(/registrarse/confirmar/\S+)", body)
    assert link and client.get(link.group(1)).status_code == 200
    with db.read() as session:
        confirmed = session.get(User, "lucia@example.com")
        assert confirmed is not None and confirmed.active and confirmed.email_confirmed_at is not None
    sent = _ask(client, "52123456")
    assert sent.status_code == 200 and "terminado ****123" in sent.get_data(as_text=True)
    assert _sms(db)[-1].to == "+573105550123"
    assert _send(client, _last_code(db), "52123456").status_code == 302

    # Once confirmed, always confirmed: deactivated by an administrator, the account cannot reactivate itself.
    with db.write() as session:
        session.execute(update(User).where(User.username == "lucia@example.com").values(active=False))
    token = csrf_of(client.get("/registrarse/reenviar").get_data(as_text=True))
    assert client.post("/registrarse/reenviar", data={"csrf_token": token, "correo": "lucia@example.com"}
                       ).status_code == 200
    with db.read() as session:
        assert len(session.scalars(select(OutboxEmail).where(OutboxEmail.recipient == "lucia@example.com")).all()) == 1
