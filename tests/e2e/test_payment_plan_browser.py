"""A payment plan end to end in a real browser, through the engine, the REAL gateway and the embedded worker:
Jorge asks for a plan on his son's overdue debt, chooses three instalments, gives the holder's data, prints the
instalments, pays the first one at the bank, and the plan_de_pago process activates the plan when the payment's
message reaches it."""

from __future__ import annotations

import re
import time
from typing import Any

from tests.e2e.conftest import screenshot
from tests.e2e.test_sign_in_browser import sign_in
from tests.pdf_text import pdf_text

ACCOUNT = "20268102"  # Samuel Rojas Mesa, paid for by acudiente.jorge (demo), with overdue tuition



def test_a_plan_is_generated_printed_and_activated_by_paying_its_first_instalment(paying_server: str,
                                                                                 page: Any) -> None:
    base = paying_server
    sign_in(page, base, "acudiente.jorge")
    page.goto(f"{base}/oficina/cuentas/{ACCOUNT}")
    page.get_by_role("button", name="PLAN DE PAGO").click()

    # The options the eligibility handler computed, then the holder's data ("GENERAR PLAN" on each).
    page.wait_for_url(re.compile(r"/plan-de-pago/\d+/opciones$"))
    page.locator("input[name=cuotas][value=\"3\"]").check()
    page.get_by_role("button", name="GENERAR PLAN").click()
    page.wait_for_url(re.compile(r"/plan-de-pago/\d+/datos$"))
    page.fill("#titular", "Jorge Rojas")
    page.fill("#documento", "79456123")
    page.fill("#telefono", "3104567788")
    page.fill("#correo", "jorge.rojas@example.com")
    page.fill("#direccion", "Calle 10 # 5-20, Bogotá")
    page.get_by_label("Acepto las condiciones del plan de pago").check()
    page.get_by_role("button", name="GENERAR PLAN").click()

    page.wait_for_url(re.compile(r"/planes/PP-\d{4}$"))
    number = page.url.rsplit("/", 1)[1]
    assert "Generado (pendiente de la primera cuota)" in page.content()
    assert page.locator("#cuotas ~ table tbody tr").count() == 3
    screenshot(page, "21-plan-de-pago")

    # IMPRIMIR CUOTAS DE PLAN DE PAGO: a PDF with the plan and its three instalments.
    href = page.get_by_role("link", name="IMPRIMIR CUOTAS DE PLAN DE PAGO").get_attribute("href")
    printed = page.request.get(f"{base}{href}")
    assert printed.ok and printed.headers["content-type"] == "application/pdf"
    text = pdf_text(printed.body())
    assert f"Cuotas del plan de pago {number}" in text and "Samuel Rojas Mesa" in text
    assert "Número de cuotas 3" in text and "Titular Jorge Rojas" in text
    instalment = re.compile(r"[123] \d\d/\d\d/\d{4} \$ [\d.]+,\d\d Pendiente")
    assert len([line for line in text.splitlines() if instalment.fullmatch(line)]) == 3, text

    # PAGAR PRIMERA CUOTA -> the gateway -> the bank approves -> the voucher.
    page.get_by_text("PAGAR PRIMERA CUOTA", exact=True).click()
    page.get_by_role("button", name="Sí, pagar").click()
    page.wait_for_url(re.compile(r"/pasarela/t/[^/]+$"))
    page.get_by_label("Banco").select_option(index=1)
    page.get_by_role("button", name="Continuar").click()
    page.wait_for_url(re.compile(r"/pasarela/t/[^/]+/banco$"))
    page.get_by_role("button", name="Aprobar pago").click()
    page.wait_for_url(re.compile(r"/oficina/pagos/OP-\d{6}$"))
    assert "Aprobada" in page.content() and f"Plan de pago {number}" in page.content()

    # The notification sent the process its message; the worker delivers it and the plan becomes active.
    deadline = time.monotonic() + 20
    while True:
        page.goto(f"{base}/oficina/cuentas/{ACCOUNT}/planes/{number}")
        if "<dd>Activo</dd>" in page.content() or time.monotonic() > deadline:
            break
        time.sleep(0.3)
    assert "<dd>Activo</dd>" in page.content()
    rows = page.locator("#cuotas ~ table tbody tr")
    assert "Pagada" in rows.nth(0).inner_text() and "Pendiente" in rows.nth(1).inner_text()
