"""Ingresar con código in a real browser: the cédula, "Validación en proceso" with the masked phone and the
countdown (a static script: CSP forbids inline ones), the code read from the SMS outbox, the Oficina virtual. Then
the fee-slip look-up without signing in."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import expect
from sqlalchemy import select

from engine.db import Database
from handlers.sms.models import OutboxSms
from tests.e2e.conftest import screenshot


def test_a_requester_signs_in_with_a_code_by_sms(live_server: str, page: Any, db: Database) -> None:
    page.goto(f"{live_server}/iniciar-sesion")
    page.get_by_role("link", name="Ingresar con código").click()
    page.get_by_label("Cédula de ciudadanía").fill("1090123456")
    screenshot(page, "18-ingresar-con-codigo")
    page.get_by_role("button", name="Ingresar").click()
    assert page.get_by_role("heading", name="Validación en proceso").is_visible()
    assert "terminado ****434" in page.content()
    # The countdown runs (from 109 down): the page's own script, allowed by the CSP.
    expect(page.locator("#otp-seconds")).not_to_have_text("109")
    assert int(page.locator("#otp-seconds").inner_text()) < 109
    screenshot(page, "19-validacion-en-proceso")

    with db.read() as session:
        body = session.scalars(select(OutboxSms.body).order_by(OutboxSms.id.desc())).first()
    found = re.search(r"es (\d{6})\.", body or "")
    assert found, body
    page.get_by_label("Código de verificación").fill(found.group(1))
    page.get_by_role("button", name="Ingresar").click()
    page.wait_for_url(re.compile(r".*/oficina.*"))
    assert "Camila Torres" in page.content()


def test_the_fee_slip_look_up_without_signing_in(live_server: str, page: Any) -> None:
    page.goto(f"{live_server}/iniciar-sesion")
    page.get_by_role("link", name="Consulta de volantes de pago").click()
    page.get_by_label("Número de identificación del alumno").fill("1098765001")
    page.get_by_role("button", name="Consultar").click()
    assert page.get_by_role("cell", name="Valentina Rojas Mesa").first.is_visible()
    screenshot(page, "20-consulta-volantes")
    page.get_by_label("Número de identificación del alumno").fill("55555555")
    page.get_by_role("button", name="Consultar").click()
    assert page.get_by_role("heading", name="Ups! No se encontró nada.").is_visible()
