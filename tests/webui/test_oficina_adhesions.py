"""Factura digital and Débito automático: adhere, cancel, the badges, the trail, and the refusals."""

from __future__ import annotations

from collections.abc import Callable

from tests.webui.conftest import SignedIn

CAMILA_ACCOUNT = "20262001"
SAMUEL = "20268102"
DEBIT = {"accion": "adherir", "banco": "Davivienda", "tipo_cuenta": "ahorros", "numero_cuenta": "0123-4567-8901",
         "titular": "Jorge Rojas", "documento_titular": "79.555.123", "terminos": "si"}


def _home(me: SignedIn, code: str) -> str:
    return me.get(f"/oficina/cuentas/{code}").get_data(as_text=True)


def test_digital_invoice_adhesion_turns_the_badge_green(sign_in: Callable[[str], SignedIn]) -> None:
    jorge = sign_in("acudiente.jorge")
    url = f"/oficina/cuentas/{SAMUEL}/factura-digital"
    form = jorge.get(url).get_data(as_text=True)
    assert "Términos y condiciones" in form and "CONFIRMAR ADHESIÓN" in form
    assert "acudiente.jorge@universidad.edu.co" in form  # the user's e-mail, proposed
    assert "Factura digital<span class=\"sr-only\"> (no adherida)" in _home(jorge, SAMUEL)
    done = jorge.post(url, data={"accion": "adherir", "correo": "jorge.rojas@example.com", "terminos": "si"})
    assert done.status_code == 302
    page = jorge.get(url).get_data(as_text=True)
    assert "Su cuenta quedó adherida a Factura digital" in page
    assert "jorge.rojas@example.com" in page and "CANCELAR ADHESIÓN" in page
    assert "Historial de adhesiones" in page and "Adhesión" in page and "acudiente.jorge" in page
    assert "Factura digital<span class=\"sr-only\"> (adherida)" in _home(jorge, SAMUEL)


def test_cancelling_turns_it_red_and_stays_in_the_trail(sign_in: Callable[[str], SignedIn]) -> None:
    camila = sign_in("estudiante.camila")
    url = f"/oficina/cuentas/{CAMILA_ACCOUNT}/factura-digital"
    assert camila.post(url, data={"accion": "cancelar"}).status_code == 302
    page = camila.get(url).get_data(as_text=True)
    assert "Su cuenta ya no está adherida a Factura digital" in page
    assert "Cancelación" in page and "Adhesión" in page
    assert "Factura digital<span class=\"sr-only\"> (no adherida)" in _home(camila, CAMILA_ACCOUNT)


def test_adhering_twice_or_cancelling_what_is_not_adhered_is_409(sign_in: Callable[[str], SignedIn]) -> None:
    camila = sign_in("estudiante.camila")
    again = camila.post(f"/oficina/cuentas/{CAMILA_ACCOUNT}/factura-digital",
                        data={"accion": "adherir", "correo": "c@example.com", "terminos": "si"})
    assert again.status_code == 409 and "ya está adherida a Factura digital" in again.get_data(as_text=True)
    cancel = camila.post(f"/oficina/cuentas/{CAMILA_ACCOUNT}/debito-automatico", data={"accion": "cancelar"})
    assert cancel.status_code == 409 and "no está adherida a Débito automático" in cancel.get_data(as_text=True)


def test_digital_invoice_needs_an_email_and_the_terms(sign_in: Callable[[str], SignedIn]) -> None:
    jorge = sign_in("acudiente.jorge")
    url = f"/oficina/cuentas/{SAMUEL}/factura-digital"
    no_terms = jorge.post(url, data={"accion": "adherir", "correo": "j@example.com"})
    assert no_terms.status_code == 400 and "<strong>Términos y condiciones:</strong>" in no_terms.get_data(as_text=True)
    bad_mail = jorge.post(url, data={"accion": "adherir", "correo": "no-es-correo", "terminos": "si"})
    assert bad_mail.status_code == 400 and "<strong>Correo:</strong>" in bad_mail.get_data(as_text=True)
    assert jorge.post(url, data={"accion": "otra"}).status_code == 400


def test_direct_debit_stores_the_bank_account_masked(sign_in: Callable[[str], SignedIn]) -> None:
    jorge = sign_in("acudiente.jorge")
    url = f"/oficina/cuentas/{SAMUEL}/debito-automatico"
    form = jorge.get(url).get_data(as_text=True)
    assert "Davivienda" in form and "Ahorros" in form and "CONFIRMAR ADHESIÓN" in form
    assert jorge.post(url, data=DEBIT).status_code == 302
    page = jorge.get(url).get_data(as_text=True)
    assert "Su cuenta quedó adherida a Débito automático" in page
    assert "****8901" in page and "012345678901" not in page
    assert "Débito automático<span class=\"sr-only\"> (adherida)" in _home(jorge, SAMUEL)
    assert jorge.post(url, data=DEBIT).status_code == 409
    assert jorge.post(url, data={"accion": "cancelar"}).status_code == 302
    assert "Débito automático<span class=\"sr-only\"> (no adherida)" in _home(jorge, SAMUEL)


def test_direct_debit_names_the_wrong_field(sign_in: Callable[[str], SignedIn]) -> None:
    jorge = sign_in("acudiente.jorge")
    url = f"/oficina/cuentas/{SAMUEL}/debito-automatico"
    for field, value, label in (("banco", "Banco Inventado", "Banco"), ("tipo_cuenta", "cdt", "Tipo de cuenta"),
                                ("numero_cuenta", "12ab", "Número de cuenta"), ("titular", " ", "Titular"),
                                ("documento_titular", "", "Documento del titular")):
        answer = jorge.post(url, data={**DEBIT, field: value})
        assert answer.status_code == 400, field
        assert f"<strong>{label}:</strong>" in answer.get_data(as_text=True), field
    assert "Débito automático<span class=\"sr-only\"> (no adherida)" in _home(jorge, SAMUEL)


def test_adhesions_of_another_requesters_account_are_404(sign_in: Callable[[str], SignedIn]) -> None:
    jorge = sign_in("acudiente.jorge")
    assert jorge.post(f"/oficina/cuentas/{CAMILA_ACCOUNT}/factura-digital",
                      data={"accion": "cancelar"}).status_code == 404
    assert jorge.post(f"/oficina/cuentas/{CAMILA_ACCOUNT}/debito-automatico", data=DEBIT).status_code == 404
    camila = sign_in("estudiante.camila")
    assert "Factura digital<span class=\"sr-only\"> (adherida)" in _home(camila, CAMILA_ACCOUNT)


def test_adhesion_posts_need_the_csrf_token(sign_in: Callable[[str], SignedIn]) -> None:
    camila = sign_in("estudiante.camila")
    answer = camila.client.post(f"/oficina/cuentas/{CAMILA_ACCOUNT}/factura-digital", data={"accion": "cancelar"})
    assert answer.status_code == 400
    assert "Factura digital<span class=\"sr-only\"> (adherida)" in _home(camila, CAMILA_ACCOUNT)
