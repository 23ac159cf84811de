"""Mis pagos: the payment history and the paid invoices, their pages and their PDFs (read back as text)."""

from __future__ import annotations

import re
from collections.abc import Callable

from flask import Flask

from tests.pdf_text import pdf_text
from tests.webui.conftest import SignedIn
from tests.webui.pay_helpers import notification_body, post_notification

CAMILA_ACCOUNT = "20262001"
VALENTINA = "20268101"


def _pdf_of(me: SignedIn, url: str) -> str:
    answer = me.get(url)
    assert answer.status_code == 200, url
    assert answer.headers["Content-Type"] == "application/pdf"
    assert answer.headers["Content-Disposition"].startswith("inline; filename=")
    assert answer.headers["Cache-Control"] == "no-store"
    return pdf_text(answer.get_data())


def test_payment_history_lists_each_payment(sign_in: Callable[[str], SignedIn]) -> None:
    page = sign_in("acudiente.jorge").get(f"/oficina/cuentas/{VALENTINA}/pagos").get_data(as_text=True)
    for text in ("Historial de pagos", "Historial de facturas pagadas", "PG-8101", "Caja", "$ 2.000.000,00",
                 "Aplicado", "Matrícula 2026-2", "Imprimir listado", f"/oficina/cuentas/{VALENTINA}/pagos/PG-8101.pdf"):
        assert text in page, text


def test_payment_pdfs_carry_the_same_data(sign_in: Callable[[str], SignedIn]) -> None:
    jorge = sign_in("acudiente.jorge")
    listing = _pdf_of(jorge, f"/oficina/cuentas/{VALENTINA}/pagos.pdf")
    for text in ("Historial de pagos", VALENTINA, "Valentina Rojas Mesa", "PG-8101", "Caja", "$ 2.000.000,00",
                 "Aplicado"):
        assert text in listing, text
    one = _pdf_of(jorge, f"/oficina/cuentas/{VALENTINA}/pagos/PG-8101.pdf")
    for text in ("Comprobante de pago PG-8101", "Valentina Rojas Mesa", "$ 2.000.000,00", "Matrícula 2026-2"):
        assert text in one, text


def test_paid_invoices_lists_settled_charges(sign_in: Callable[[str], SignedIn]) -> None:
    camila = sign_in("estudiante.camila")
    page = camila.get(f"/oficina/cuentas/{CAMILA_ACCOUNT}/facturas-pagadas").get_data(as_text=True)
    for text in ("Historial de facturas pagadas", "Matrícula 2026A", "31/01/2026", "$ 4.000.000,00", "PG-2001",
                 "Beca o descuento"):
        assert text in page, text
    listing = _pdf_of(camila, f"/oficina/cuentas/{CAMILA_ACCOUNT}/facturas-pagadas.pdf")
    assert "Historial de facturas pagadas" in listing and "Matrícula 2026A" in listing and "PG-2001" in listing


def test_one_paid_invoice_prints(sign_in: Callable[[str], SignedIn]) -> None:
    camila = sign_in("estudiante.camila")
    page = camila.get(f"/oficina/cuentas/{CAMILA_ACCOUNT}/facturas-pagadas").get_data(as_text=True)
    start = page.index(f"/oficina/cuentas/{CAMILA_ACCOUNT}/facturas-pagadas/")
    url = page[start:page.index('"', start)]
    text = _pdf_of(camila, url)
    assert "Factura pagada" in text and "Matrícula 2026A" in text and "$ 4.000.000,00" in text


def test_a_requester_with_nothing_paid_sees_empty_lists(sign_in: Callable[[str], SignedIn]) -> None:
    jorge = sign_in("acudiente.jorge")
    assert "no tiene facturas pagadas" in jorge.get(f"/oficina/cuentas/{VALENTINA}/facturas-pagadas").get_data(
        as_text=True)
    assert "no tiene facturas pagadas" in _pdf_of(jorge, f"/oficina/cuentas/{VALENTINA}/facturas-pagadas.pdf")


def test_history_of_an_account_not_linked_is_404(sign_in: Callable[[str], SignedIn]) -> None:
    jorge = sign_in("acudiente.jorge")
    for url in (f"/oficina/cuentas/{CAMILA_ACCOUNT}/pagos", f"/oficina/cuentas/{CAMILA_ACCOUNT}/pagos.pdf",
                f"/oficina/cuentas/{CAMILA_ACCOUNT}/pagos/PG-2001.pdf",
                f"/oficina/cuentas/{CAMILA_ACCOUNT}/facturas-pagadas",
                f"/oficina/cuentas/{CAMILA_ACCOUNT}/facturas-pagadas.pdf",
                f"/oficina/cuentas/{CAMILA_ACCOUNT}/facturas-pagadas/1.pdf"):
        assert jorge.get(url).status_code == 404, url


def test_a_payment_or_invoice_of_another_account_is_404(sign_in: Callable[[str], SignedIn]) -> None:
    jorge = sign_in("acudiente.jorge")
    assert jorge.get(f"/oficina/cuentas/{VALENTINA}/pagos/PG-2001.pdf").status_code == 404
    assert jorge.get(f"/oficina/cuentas/{VALENTINA}/pagos/PG-8102.pdf").status_code == 404
    assert jorge.get(f"/oficina/cuentas/{VALENTINA}/facturas-pagadas/999999.pdf").status_code == 404


def test_an_invoice_paid_online_shows_as_en_linea_with_its_voucher(sign_in: Callable[[str], SignedIn],
                                                                   app: Flask) -> None:
    jorge = sign_in("acudiente.jorge")
    home = jorge.get(f"/oficina/cuentas/{VALENTINA}").get_data(as_text=True)
    fee = re.search(r'name="charge" value="(\d+)" id="charge-\d+"\s+aria-label="Pagar Derechos de grado"', home)
    assert fee, "the fee's checkbox"
    ordered = jorge.post(f"/oficina/cuentas/{VALENTINA}/pagar/confirmar", data={"charge": fee.group(1)})
    found = re.search(r"/oficina/pagos/([^/]+)/pasarela", ordered.headers["Location"])
    assert found
    reference = found.group(1)
    assert post_notification(app, notification_body(reference, "420000.00")).status_code == 200
    page = jorge.get(f"/oficina/cuentas/{VALENTINA}/pagos").get_data(as_text=True)
    assert "En línea" in page and f"/oficina/pagos/{reference}/comprobante.pdf" in page
    paid = jorge.get(f"/oficina/cuentas/{VALENTINA}/facturas-pagadas").get_data(as_text=True)
    assert "Derechos de grado" in paid and "$ 420.000,00" in paid
    listing = _pdf_of(jorge, f"/oficina/cuentas/{VALENTINA}/pagos.pdf")
    assert "En línea" in listing and "$ 420.000,00" in listing
