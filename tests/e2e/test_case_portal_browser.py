"""An external requester's whole journey in a real browser: registers, confirms the e-mail through the link the
development mailbox shows, opens a "Devolución de saldos" case with an attachment, Tesorería resolves it, and the
requester sees the outcome in "Mis casos"."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from tests.e2e.conftest import screenshot
from tests.e2e.test_sign_in_browser import sign_in

EMAIL = "madre.camila@correo.com"
PASSWORD = "clave-segura-2026"
CASE_FIELDS = {
    "codigo_estudiante": "20262001", "documento": "1090123456", "nombre_estudiante": "Camila Torres Ruiz",
    "correo": EMAIL, "celular": "3104567890", "programa": "Ingeniería Industrial",
    "detalle": "Mi hija recibió la beca deportiva después de pagar la matrícula; solicito la devolución.",
    "monto": "250.000,00", "banco": "Bancolombia", "numero_cuenta": "12345678901", "titular": "Marta Ruiz Gil",
    "documento_titular": "52123456",
}


def _fill(page: Any, fields: dict[str, str], prefix: str) -> None:
    for name, value in fields.items():
        page.locator(f"#{prefix}{name}").fill(value)


def test_an_external_requester_registers_opens_a_refund_case_and_sees_it_resolved(
        live_server: str, page: Any, browser: Any, tmp_path: Path) -> None:
    # Registrarse
    page.goto(f"{live_server}/iniciar-sesion")
    page.get_by_role("link", name="Registrarse").first.click()
    _fill(page, {"nombre": "Marta Ruiz Gil", "correo": EMAIL, "documento": "52123456", "celular": "3104567890",
                 "contrasena": PASSWORD, "confirmacion": PASSWORD}, "f-")
    page.locator("#f-acepta_datos").check()
    screenshot(page, "07-registrarse")
    page.get_by_role("button", name="Registrarme").click()
    assert "correo" in page.content().lower()

    # The confirmation link, read by an administrator in the development mailbox (no SMTP_URL in tests).
    admin = browser.new_context(locale="es-CO", timezone_id="America/Bogota").new_page()
    sign_in(admin, live_server, "admin")
    admin.goto(f"{live_server}/buzon")
    admin.get_by_role("link", name=re.compile("Confirma")).first.click()
    link = admin.locator("a[href*='/registrarse/confirmar/']").first.get_attribute("href")
    assert link

    # Confirm, then sign in with the new account.
    page.goto(link)
    assert "confirmado" in page.content()
    sign_in(page, live_server, EMAIL, PASSWORD)

    # Registrar caso: search the catalog, fill the form, attach a file, "Crear caso".
    page.get_by_role("link", name="Registrar caso").first.click()
    page.get_by_label("Buscar").fill("devolucion")
    page.get_by_role("button", name="Buscar").click()
    screenshot(page, "08-catalogo")
    page.get_by_role("link", name="Devolución de saldos").click()
    assert page.locator("#campo-asunto").input_value() == "Devolución de saldos >> Servicios Financieros"
    _fill(page, CASE_FIELDS, "campo-")
    page.locator("#campo-motivo").select_option("beca_posterior")
    page.get_by_label("Ahorros").check()
    page.locator("#campo-acepta_datos").check()
    support = tmp_path / "certificado-bancario.pdf"
    support.write_bytes(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
    page.locator("#campo-adjunto").set_input_files(str(support))
    screenshot(page, "09-formulario-caso")
    page.get_by_role("button", name="Crear caso").click()
    page.wait_for_url(re.compile(r"/mis-casos/SF-\d{4}-\d{6}$"))
    number = page.url.rsplit("/", 1)[1]
    assert f"Se creó el caso {number}" in page.content()
    assert "certificado-bancario.pdf" in page.content()

    # Tesorería resolves it from its inbox.
    unit = browser.new_context(locale="es-CO", timezone_id="America/Bogota").new_page()
    sign_in(unit, live_server, "tesoreria.sofia")
    unit.goto(f"{live_server}/bandeja?caso={number}")
    unit.get_by_role("link", name=re.compile("Revisar caso de devolución de saldos")).first.click()
    assert "certificado-bancario.pdf" in unit.content()
    unit.get_by_label("Resolver el caso").check()
    unit.locator("#campo-mensaje").fill("El dinero llegará en 3 días hábiles.")
    screenshot(unit, "10-tarea-tesoreria")
    unit.get_by_role("button", name="Completar").click()
    unit.wait_for_load_state()

    # The requester sees the outcome in "Mis casos".
    page.goto(f"{live_server}/mis-casos")
    row = page.locator("tr", has_text=number)
    assert "Resuelto" in row.inner_text()
    screenshot(page, "11-mis-casos")
    row.get_by_role("link", name=number).click()
    outcome = page.locator("#resultado").inner_text()
    assert "$ 250.000,00" in outcome and "3 días hábiles" in outcome
    page.wait_for_selector("#diagram [data-element-id='Activity_revisar']")  # the progress diagram is drawn
    screenshot(page, "12-caso-resuelto")
