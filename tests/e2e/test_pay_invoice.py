"""Paying an invoice end to end in a real browser, through the REAL gateway ("PSE simulado") mounted beside the app
as `cauce serve` mounts it: Jorge selects his daughter's overdue tuition, PAGAR, confirms, chooses his bank,
approves; the gateway notifies the app server to server (signed) before sending him back; the voucher shows and
prints, and the statement no longer lists the invoice."""

from __future__ import annotations

import re
from typing import Any

from tests.e2e.conftest import screenshot
from tests.e2e.test_sign_in_browser import sign_in
from tests.pdf_text import pdf_text

ACCOUNT = "20268101"  # Valentina Rojas Mesa, paid for by acudiente.jorge (demo)



def test_a_parent_pays_an_invoice_through_the_gateway_and_prints_the_voucher(paying_server: str, page: Any) -> None:
    base = paying_server
    sign_in(page, base, "acudiente.jorge")
    page.goto(f"{base}/oficina/cuentas/{ACCOUNT}")
    screenshot(page, "17a-oficina-inicio")
    tuition = page.get_by_role("row", name=re.compile("Matrícula 2026-2"))
    tuition.get_by_role("checkbox").check()
    page.get_by_role("button", name="PAGAR").click()

    # The summary and "¿Está seguro de realizar el pago?"
    page.wait_for_url(re.compile(rf"/oficina/cuentas/{ACCOUNT}/pagar$"))
    assert "Resumen de las facturas seleccionadas" in page.content()
    total = page.locator("#total-a-pagar").inner_text()
    page.get_by_text("PAGAR", exact=True).click()
    assert page.get_by_text("¿Está seguro de realizar el pago?").is_visible()
    screenshot(page, "17b-pagar-confirmar")
    page.get_by_role("button", name="Sí, pagar").click()

    # The checkout page hands over to the gateway by itself: choose the bank, then approve at the bank.
    page.wait_for_url(re.compile(r"/pasarela/t/[^/]+$"))
    assert "Seleccione su banco" in page.content()
    page.get_by_label("Banco").select_option(index=1)
    page.get_by_role("button", name="Continuar").click()
    page.wait_for_url(re.compile(r"/pasarela/t/[^/]+/banco$"))
    screenshot(page, "17d-pasarela-banco")
    page.get_by_role("button", name="Aprobar pago").click()

    # Back at the university: the voucher, from the notification the gateway delivered before redirecting.
    page.wait_for_url(re.compile(r"/oficina/pagos/OP-\d{6}$"))
    reference = page.url.rsplit("/", 1)[1]
    page.get_by_text("Resultado de la transacción - Comprobante").wait_for()
    content = page.content()
    for words in ("Pago aprobado", "Universidad — Servicios Financieros", "860.000.123-4", "# Transacción",
                  "Código único", "1706", total, reference, "Matrícula 2026-2"):
        assert words in content, words
    screenshot(page, "17-comprobante")

    # "Imprimir": the PDF says the same.
    href = page.get_by_role("link", name="Imprimir").get_attribute("href")
    pdf = page.request.get(f"{base}{href}")
    assert pdf.ok and pdf.headers["content-type"] == "application/pdf"
    text = pdf_text(pdf.body())
    for words in ("Comprobante de pago", "Universidad - Servicios Financieros", "860.000.123-4", "Aprobada",
                  total, reference):
        assert words in text, words

    # "Regresar": the statement no longer lists the invoice.
    page.get_by_role("link", name="Regresar").click()
    page.wait_for_url(re.compile(rf"/oficina/cuentas/{ACCOUNT}$"))
    assert page.get_by_role("row", name=re.compile("Matrícula 2026-2")).count() == 0


def test_a_credits_other_amount_rejected_by_the_bank_can_be_tried_again(paying_server: str, page: Any) -> None:
    base = paying_server
    sign_in(page, base, "acudiente.jorge")
    page.goto(f"{base}/oficina/cuentas/20268102")
    page.get_by_role("link", name="Pagar el crédito CR-5811").click()

    # Monto a pagar: an amount above the balance is refused naming the field; a valid one goes to PSE.
    page.get_by_label("Otro valor", exact=True).check()
    page.locator("#otro_valor").fill("9.999.999,00")
    page.get_by_role("button", name="PAGAR POR PSE").click()
    assert "Otro valor:" in page.content() and "no superar el saldo" in page.content()
    page.get_by_label("Otro valor", exact=True).check()
    page.locator("#otro_valor").fill("250.000,50")
    screenshot(page, "17c-monto-a-pagar")
    page.get_by_role("button", name="PAGAR POR PSE").click()

    page.wait_for_url(re.compile(r"/pasarela/t/[^/]+$"))
    assert "250.000,50" in page.content()
    page.get_by_label("Banco").select_option(index=1)
    page.get_by_role("button", name="Continuar").click()
    page.get_by_role("button", name="Rechazar pago").click()

    page.wait_for_url(re.compile(r"/oficina/pagos/OP-\d{6}$"))
    assert "Pago rechazado" in page.content()
    page.get_by_role("link", name="Intentar de nuevo").click()
    page.wait_for_url(re.compile(r"/oficina/cuentas/20268102/creditos/CR-5811/pagar$"))
    assert "Monto a pagar" in page.content()
