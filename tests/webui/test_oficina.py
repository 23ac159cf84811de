"""The Oficina virtual's pages: Mis cuentas (link, unlink, switch), the home (estado de cuenta) and who sees what."""

from __future__ import annotations

from collections.abc import Callable

from tests.webui.conftest import SignedIn

CAMILA_ACCOUNT = "20262001"
VALENTINA, SAMUEL = "20268101", "20268102"


def test_oficina_redirects_to_the_first_linked_account(sign_in: Callable[[str], SignedIn]) -> None:
    answer = sign_in("acudiente.jorge").get("/oficina")
    assert answer.status_code == 302
    assert answer.headers["Location"].endswith(f"/oficina/cuentas/{VALENTINA}")


def test_mis_cuentas_lists_the_linked_accounts_with_their_main_data(sign_in: Callable[[str], SignedIn]) -> None:
    page = sign_in("acudiente.jorge").get("/oficina/cuentas").get_data(as_text=True)
    for text in (VALENTINA, "Valentina Rojas Mesa", "1098765001", "Medicina", "Bogotá", SAMUEL, "Samuel Rojas Mesa",
                 "Gestionar cuenta", "Desvincular", "¿Desvincular la cuenta", "Sí, desvincular",
                 "Vincular número de cuenta"):
        assert text in page
    assert CAMILA_ACCOUNT not in page


def test_search_by_number_keeps_the_matching_accounts(sign_in: Callable[[str], SignedIn]) -> None:
    page = sign_in("acudiente.jorge").get(f"/oficina/cuentas?q={SAMUEL[-3:]}").get_data(as_text=True)
    assert "Samuel Rojas Mesa" in page and "Valentina Rojas Mesa" not in page


def test_home_shows_the_state_pending_invoices_and_credits(sign_in: Callable[[str], SignedIn]) -> None:
    page = sign_in("acudiente.jorge").get(f"/oficina/cuentas/{SAMUEL}").get_data(as_text=True)
    for text in ("Estado general de la cuenta", "Deuda vencida", "$ 3.200.000,00", "Próximos vencimientos",
                 "Certificado de notas", "Saldo a favor", "Cuenta adherida", "Factura digital", "Débito automático",
                 "Facturas pendientes", "Vencida", 'name="charge"', "Créditos", "CR-5811", "Crédito a largo plazo",
                 "$ 6.000.000,00", "$ 500.000,00", "$ 5.500.000,00", "Otras cuentas", VALENTINA):
        assert text in page, text


def test_badges_say_adhered_or_not_in_text_too(sign_in: Callable[[str], SignedIn]) -> None:
    page = sign_in("estudiante.camila").get(f"/oficina/cuentas/{CAMILA_ACCOUNT}").get_data(as_text=True)
    assert 'class="badge-ok"' in page and "Factura digital<span class=\"sr-only\"> (adherida)" in page
    assert 'class="badge-no"' in page and "Débito automático<span class=\"sr-only\"> (no adherida)" in page
    assert "CR-5010" in page


def test_unknown_account_and_another_requesters_account_are_404(sign_in: Callable[[str], SignedIn]) -> None:
    jorge = sign_in("acudiente.jorge")
    for url in ("/oficina/cuentas/99999999", f"/oficina/cuentas/{CAMILA_ACCOUNT}",
                f"/oficina/cuentas/{CAMILA_ACCOUNT}/factura-digital",
                f"/oficina/cuentas/{CAMILA_ACCOUNT}/debito-automatico", f"/oficina/cuentas/{CAMILA_ACCOUNT}/pagos"):
        assert jorge.get(url).status_code == 404, url
    assert jorge.post(f"/oficina/cuentas/{CAMILA_ACCOUNT}/desvincular").status_code == 404


def test_staff_may_not_open_the_oficina(sign_in: Callable[[str], SignedIn]) -> None:
    assert sign_in("tic.ana").get("/oficina/cuentas").status_code == 403


def test_link_asks_for_number_and_document_then_links(sign_in: Callable[[str], SignedIn]) -> None:
    camila = sign_in("estudiante.camila")
    found = camila.post("/oficina/cuentas/buscar", data={"cuenta": VALENTINA, "documento": "1.098.765.001"})
    assert found.status_code == 200
    page = found.get_data(as_text=True)
    assert "Valentina Rojas Mesa" in page and "Vincular cuenta" in page
    linked = camila.post("/oficina/cuentas/vincular", data={"cuenta": VALENTINA, "documento": "1098765001"})
    assert linked.status_code == 302
    listing = camila.get("/oficina/cuentas").get_data(as_text=True)
    assert "quedó vinculada" in listing and "Valentina Rojas Mesa" in listing
    assert camila.get(f"/oficina/cuentas/{VALENTINA}").status_code == 200
    again = camila.post("/oficina/cuentas/vincular", data={"cuenta": VALENTINA, "documento": "1098765001"})
    assert again.status_code == 409 and "ya está vinculada" in again.get_data(as_text=True)


def test_a_wrong_document_or_unknown_number_gets_one_message(sign_in: Callable[[str], SignedIn]) -> None:
    camila = sign_in("estudiante.camila")
    wrong_document = camila.post("/oficina/cuentas/buscar", data={"cuenta": VALENTINA, "documento": "123"})
    unknown = camila.post("/oficina/cuentas/buscar", data={"cuenta": "77777777", "documento": "1098765001"})
    assert wrong_document.status_code == unknown.status_code == 400
    message = "No encontramos una cuenta con ese número y ese documento del titular"
    assert message in wrong_document.get_data(as_text=True) and message in unknown.get_data(as_text=True)
    assert "Valentina" not in wrong_document.get_data(as_text=True)
    assert camila.post("/oficina/cuentas/vincular", data={"cuenta": VALENTINA, "documento": "1"}).status_code == 400


def test_empty_fields_are_named(sign_in: Callable[[str], SignedIn]) -> None:
    camila = sign_in("estudiante.camila")
    no_number = camila.post("/oficina/cuentas/buscar", data={"cuenta": " ", "documento": "1"})
    assert no_number.status_code == 400 and "<strong>Cuenta:</strong>" in no_number.get_data(as_text=True)
    no_document = camila.post("/oficina/cuentas/buscar", data={"cuenta": VALENTINA, "documento": ""})
    assert no_document.status_code == 400 and "<strong>Documento:</strong>" in no_document.get_data(as_text=True)


def test_unlink_removes_the_account_and_its_pages(sign_in: Callable[[str], SignedIn]) -> None:
    jorge = sign_in("acudiente.jorge")
    assert jorge.post(f"/oficina/cuentas/{VALENTINA}/desvincular").status_code == 302
    assert jorge.get(f"/oficina/cuentas/{VALENTINA}").status_code == 404
    assert jorge.get("/oficina").headers["Location"].endswith(f"/oficina/cuentas/{SAMUEL}")
    home = jorge.get(f"/oficina/cuentas/{SAMUEL}").get_data(as_text=True)
    assert "Otras cuentas" not in home


def test_a_requester_without_accounts_lands_on_mis_cuentas(sign_in: Callable[[str], SignedIn]) -> None:
    camila = sign_in("estudiante.camila")
    assert camila.post(f"/oficina/cuentas/{CAMILA_ACCOUNT}/desvincular").status_code == 302
    assert camila.get("/oficina").headers["Location"].endswith("/oficina/cuentas")
    assert "Aún no tiene cuentas vinculadas" in camila.get("/oficina/cuentas").get_data(as_text=True)


def test_posts_without_the_csrf_token_are_refused(sign_in: Callable[[str], SignedIn]) -> None:
    jorge = sign_in("acudiente.jorge")
    answer = jorge.client.post(f"/oficina/cuentas/{VALENTINA}/desvincular")
    assert answer.status_code == 400
    assert jorge.get(f"/oficina/cuentas/{VALENTINA}").status_code == 200


def test_guessing_the_holders_document_is_stopped_with_429(sign_in: Callable[[str], SignedIn]) -> None:
    camila = sign_in("estudiante.camila")
    for guess in range(5):
        answer = camila.post("/oficina/cuentas/buscar", data={"cuenta": VALENTINA, "documento": f"1000{guess}"})
        assert answer.status_code == 400
    for url in ("/oficina/cuentas/buscar", "/oficina/cuentas/vincular"):
        stopped = camila.post(url, data={"cuenta": VALENTINA, "documento": "1098765001"})
        assert stopped.status_code == 429 and "Demasiados intentos" in stopped.get_data(as_text=True)
    assert sign_in("acudiente.jorge").post("/oficina/cuentas/buscar", data={
        "cuenta": VALENTINA, "documento": "1098765001"}).status_code == 200


def test_home_posts_the_checked_invoices_and_links_each_credit_to_its_payment(
        sign_in: Callable[[str], SignedIn]) -> None:
    page = sign_in("acudiente.jorge").get(f"/oficina/cuentas/{SAMUEL}").get_data(as_text=True)
    assert f'action="/oficina/cuentas/{SAMUEL}/pagar"' in page and ">PAGAR</button>" in page
    assert f'href="/oficina/cuentas/{SAMUEL}/creditos/CR-5811/pagar"' in page
