"""Consulta de volantes de pago: the pending slips of the student accounts holding an ID number, without signing
in; "Ups! No se encontró nada." when there are none; the ID named when malformed; rate-limited per address."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from engine.db import Database
from handlers.ledger.models import Account
from handlers.oficina.lookup import fee_slips_by_document
from handlers.oficina.pending import pending_charges
from tests.webui.conftest import csrf_of
from webui.views import lookup

VALENTINA = "1098765001"  # acudiente.jorge's daughter in the demo: an overdue tuition and a fee due later


def _search(client: FlaskClient, document: str) -> Any:
    token = csrf_of(client.get("/consulta-volantes").get_data(as_text=True))
    return client.post("/consulta-volantes", data={"csrf_token": token, "documento": document})


def test_the_pending_slips_of_the_student_are_listed(app: Flask, db: Database) -> None:
    client = app.test_client()
    page = client.get("/consulta-volantes").get_data(as_text=True)
    assert "Consulta de volantes de pago" in page and "Número de identificación del alumno" in page
    found = _search(client, "1.098.765.001")
    text = found.get_data(as_text=True)
    assert found.status_code == 200, text
    for header in ("<th>#</th>", "<th>Dcto</th>", "<th>Alumno</th>", "<th>Concepto</th>", "<th>Vigencia</th>",
                   "Valor</th>"):
        assert header in text
    with db.read() as session:
        account = session.scalars(select(Account).where(Account.document_id == VALENTINA)).one()
        pending = pending_charges(session, account.id)
        slips = fee_slips_by_document(session, VALENTINA)
    assert len(slips) == len(pending) == 2
    assert [s.position for s in slips] == [1, 2] and {s.student for s in slips} == {"Valentina Rojas Mesa"}
    assert [s.amount for s in slips] == [p.outstanding for p in pending]
    assert slips[0].amount == Decimal("4200000.00")  # 6.200.000 billed, 2.000.000 paid at the cashier's
    assert slips[0].year == pending[0].due_on.year and slips[0].document == str(pending[0].charge_id)
    assert "Valentina Rojas Mesa" in text and "Matrícula 2026-2" in text and "$ 4.200.000,00" in text
    assert "Derechos de grado" in text and "$ 420.000,00" in text
    assert VALENTINA not in text.replace('value="1098765001"', "")  # no document echoed besides the field
    assert "Ups!" not in text


def test_nothing_found_says_so(app: Flask) -> None:
    answer = _search(app.test_client(), "55555555")
    text = answer.get_data(as_text=True)
    assert answer.status_code == 200 and "Ups! No se encontró nada." in text
    assert "no registramos volantes de pago vigentes" in text and "<table" not in text


@pytest.mark.parametrize("document", ["", "12", "1098765001' OR '1'='1", "x" * 30])
def test_a_malformed_id_is_named(app: Flask, document: str) -> None:
    answer = _search(app.test_client(), document)
    text = answer.get_data(as_text=True)
    assert answer.status_code == 400 and 'data-field="documento"' in text and "de 4 a 20 dígitos" in text


def test_look_ups_per_address_are_limited(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(lookup, "MAX_PER_ADDRESS", 3)
    client = app.test_client()
    for _ in range(3):
        assert _search(client, "55555555").status_code == 200
    blocked = _search(client, VALENTINA)
    text = blocked.get_data(as_text=True)
    assert blocked.status_code == 429 and "demasiadas consultas" in text and "Valentina" not in text
    # Counted apart from sign-in failures: nobody's sign-in is locked by look-ups.
    assert client.post("/iniciar-sesion", data={"username": "estudiante.camila",
                                                "password": "cauce2026"}).status_code == 302


def test_the_form_needs_the_cookie_bound_token(app: Flask) -> None:
    assert app.test_client().post("/consulta-volantes", data={"documento": VALENTINA}).status_code == 400
