"""The requester portal: catalog and search, "Crear caso" with an attachment, "Mis casos", the case page,
notes and files, and nobody seeing another requester's case."""

from __future__ import annotations

import io
import re
from collections.abc import Callable

import pytest

from cli.demo import DEMO_PASSWORD
from engine.db import Database, utcnow
from engine.identity import ensure_user
from tests.processes.casos.driver import CAMILA
from tests.webui.conftest import SignedIn
from webui.security import hash_password

SignIn = Callable[[str], SignedIn]

FORM = {**{k: v for k, v in CAMILA.items() if k != "acepta_datos"}, "acepta_datos": "on",
        "asunto": "Devolución de saldos >> Servicios Financieros", "monto": "250.000,00", "motivo": "beca_posterior",
        "banco": "Bancolombia", "tipo_cuenta": "ahorros", "numero_cuenta": "12345678901",
        "titular": "Camila Torres Ruiz", "documento_titular": "1090123456"}
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _create(client: SignedIn, **changes: object) -> tuple[int, str]:
    response = client.post("/casos/registrar/devolucion_saldos", data={**FORM, **changes},
                           content_type="multipart/form-data")
    return response.status_code, response.get_data(as_text=True) if response.status_code != 302 else \
        response.headers["Location"]


@pytest.fixture
def pedro(db: Database) -> str:
    """A second requester (an external one)."""
    with db.write() as session:
        user = ensure_user(session, "pedro@correo.com", "Pedro Páez", ["solicitante"], utcnow(),
                           email="pedro@correo.com")
        user.password_hash = hash_password(DEMO_PASSWORD)
    return "pedro@correo.com"


def test_the_catalog_lists_the_case_types_and_searches_without_accents(sign_in: SignIn) -> None:
    client = sign_in("estudiante.camila")
    page = client.get("/casos/registrar").get_data(as_text=True)
    assert "Devolución de saldos" in page
    found = client.get("/casos/registrar?q=devolucion").get_data(as_text=True)
    assert "Devolución de saldos" in found
    nothing = client.get("/casos/registrar?q=zzzz").get_data(as_text=True)
    assert "No encontramos tipos de caso" in nothing


def test_the_form_comes_with_the_subject_prefilled(sign_in: SignIn) -> None:
    client = sign_in("estudiante.camila")
    page = client.get("/casos/registrar/devolucion_saldos").get_data(as_text=True)
    assert "Devolución de saldos &gt;&gt; Servicios Financieros" in page and "Crear caso" in page


def test_creating_a_case_answers_with_its_number_and_keeps_the_attachment(sign_in: SignIn) -> None:
    client = sign_in("estudiante.camila")
    data = {**FORM, "adjunto": (io.BytesIO(PDF), "certificado.pdf")}
    response = client.post("/casos/registrar/devolucion_saldos", data=data, content_type="multipart/form-data")
    assert response.status_code == 302
    number = response.headers["Location"].rsplit("/", 1)[1]
    assert re.fullmatch(r"SF-2026-\d{6}", number)
    page = client.get(f"/mis-casos/{number}").get_data(as_text=True)
    assert "Se creó el caso " + number in page and "En revisión" in page and "certificado.pdf" in page
    mine = client.get("/mis-casos").get_data(as_text=True)
    assert number in mine and "Devolución de saldos" in mine and "Revisar caso de devolución de saldos" in mine


def test_bad_form_data_is_refused_field_by_field_and_nothing_is_created(sign_in: SignIn) -> None:
    client = sign_in("estudiante.camila")
    status, page = _create(client, correo="no-es-correo", acepta_datos="", numero_cuenta="12ab")
    assert status == 400
    for field in ("correo", "acepta_datos", "numero_cuenta"):
        assert f'id="campo-{field}-error"' in page, field
    assert "El caso no se creó" in page
    assert "SF-2026" not in client.get("/mis-casos").get_data(as_text=True)


def test_a_hostile_attachment_is_refused_on_its_field(sign_in: SignIn) -> None:
    client = sign_in("estudiante.camila")
    data = {**FORM, "adjunto": (io.BytesIO(b"MZ\x90\x00"), "factura.pdf")}
    response = client.post("/casos/registrar/devolucion_saldos", data=data, content_type="multipart/form-data")
    assert response.status_code == 400
    assert "no corresponde a su extensión" in response.get_data(as_text=True)
    assert "SF-2026" not in client.get("/mis-casos").get_data(as_text=True)


def test_notes_and_files_reach_the_case_and_the_unit_sees_them(sign_in: SignIn) -> None:
    client = sign_in("estudiante.camila")
    _status, location = _create(client)
    number = location.rsplit("/", 1)[1]
    assert client.post(f"/mis-casos/{number}/notas", data={"texto": "Olvidé decir que es urgente."}).status_code == 302
    empty = client.post(f"/mis-casos/{number}/notas", data={"texto": ""})
    assert empty.status_code == 400 and 'id="texto-error"' in empty.get_data(as_text=True)
    staff = sign_in("tesoreria.sofia")
    page = staff.get(f"/mis-casos/{number}").get_data(as_text=True)
    assert "Olvidé decir que es urgente." in page


def test_another_requester_never_sees_the_case(sign_in: SignIn, pedro: str) -> None:
    client = sign_in("estudiante.camila")
    _status, location = _create(client)
    number = location.rsplit("/", 1)[1]
    other = sign_in(pedro)
    assert other.get(f"/mis-casos/{number}").status_code == 404
    assert other.post(f"/mis-casos/{number}/notas", data={"texto": "hola"}).status_code == 404
    assert number not in other.get("/mis-casos").get_data(as_text=True)
    assert other.get("/mis-casos/SF-2026-999999").status_code == 404
