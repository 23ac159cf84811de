"""Buzón de SMS: administrators read the SMS outbox (where sign-in codes wait when no SMS gateway is set)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from flask import Flask

from engine.db import Database
from handlers.sms.outbox import queue_sms
from tests.webui.conftest import SignedIn

NOW = datetime(2026, 11, 23, 15, 30, tzinfo=UTC)


def test_administrators_read_the_outbox(app: Flask, db: Database, sign_in: Callable[[str], SignedIn]) -> None:
    with db.write() as session:
        queue_sms(session, "3001230434", "Su código de acceso a cauce es 654321. Vence en 109 segundos.",
                  "login_code", NOW)
    admin = sign_in("admin")
    page = admin.get("/buzon-sms")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Buzón de SMS" in text and "no se están enviando" in text and "CAUCE_SMS_URL" in text
    assert "+573001230434" in text and "654321" in text and "Código de acceso" in text and "Pendiente" in text
    assert "23/11/2026 10:30" in text  # Bogotá time
    assert 'href="/buzon-sms"' in text  # in the menu
    app.config["CAUCE_SMS_CONFIGURED"] = True
    assert "se envían por la pasarela de SMS" in admin.get("/buzon-sms?pagina=abc").get_data(as_text=True)


def test_an_empty_outbox_and_who_may_not(app: Flask, db: Database, sign_in: Callable[[str], SignedIn]) -> None:
    assert "No hay mensajes." in sign_in("admin").get("/buzon-sms").get_data(as_text=True)
    assert sign_in("estudiante.camila").get("/buzon-sms").status_code == 403
    assert app.test_client().get("/buzon-sms").status_code == 302
