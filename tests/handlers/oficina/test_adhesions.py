"""Adhesions: Factura digital and Débito automático, their cancellation, the trail and the conflicts."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from engine.db import Database
from handlers.errors import HandlerInputError
from handlers.oficina.adhesions import (
    DirectDebitData,
    adhere_digital_invoice,
    adhere_direct_debit,
    adhesion_history,
    adhesion_state,
    adhesions_of,
    cancel_adhesion,
)
from handlers.oficina.link_models import AdhesionEvent, AdhesionService
from handlers.oficina.links import StateConflict
from tests.handlers.oficina.office_data import AUDIT, NOW, student

DEBIT = DirectDebitData(bank="Bancolombia", account_type="corriente", account_number="123 456-7890",
                        holder="Lina Prueba", holder_document="1.011.121.314")


def test_digital_invoice_adhesion_and_cancellation(db: Database) -> None:
    with db.write() as session:
        account = student(session)
        state = adhere_digital_invoice(session, account.id, email=" lina@example.com ", terms_accepted=True,
                                       audit=AUDIT)
        assert state.adhered and state.email == "lina@example.com" and state.since == NOW
        assert adhesions_of(session, account.id) == {"factura_digital": True, "debito_automatico": False}
        cancel_adhesion(session, account.id, AdhesionService.DIGITAL_INVOICE, AUDIT.because("ya no"))
        assert not adhesion_state(session, account.id, AdhesionService.DIGITAL_INVOICE).adhered
        history = adhesion_history(session, account.id)
        event = session.scalars(select(AdhesionEvent).order_by(AdhesionEvent.id)).first()
        assert event is not None and event.terms_accepted_at == NOW
    assert [(h.kind_label, h.service_label, h.actor) for h in history] == [
        ("Cancelación", "Factura digital", "nacer.admin"), ("Adhesión", "Factura digital", "nacer.admin")]
    assert history[1].detail == "Correo lina@example.com"


def test_adhering_twice_and_cancelling_what_is_not_adhered_conflict(db: Database) -> None:
    with db.write() as session:
        account = student(session)
        with pytest.raises(StateConflict):
            cancel_adhesion(session, account.id, "debito_automatico", AUDIT)
        adhere_direct_debit(session, account.id, data=DEBIT, terms_accepted=True, audit=AUDIT)
        with pytest.raises(StateConflict):
            adhere_direct_debit(session, account.id, data=DEBIT, terms_accepted=True, audit=AUDIT)
        assert len(adhesion_history(session, account.id)) == 1


def test_direct_debit_keeps_only_the_last_four_digits(db: Database) -> None:
    with db.write() as session:
        account = student(session)
        state = adhere_direct_debit(session, account.id, data=DEBIT, terms_accepted=True, audit=AUDIT)
        row = session.scalars(select(AdhesionEvent)).one()
        history = adhesion_history(session, account.id, AdhesionService.DIRECT_DEBIT)
    assert state.bank_account_masked == "****7890" and state.bank == "Bancolombia"
    assert (row.bank_account_masked, row.bank_account_type, row.bank_holder, row.bank_holder_document) == (
        "****7890", "corriente", "Lina Prueba", "1011121314")
    assert "1234567890" not in repr(vars(row))
    assert history[0].detail == "Bancolombia · cuenta corriente ****7890"


@pytest.mark.parametrize(("change", "field"), [
    ({"bank": "Banco Falso"}, "banco"), ({"account_type": "cdt"}, "tipo_cuenta"),
    ({"account_number": "12345"}, "numero_cuenta"), ({"account_number": "12a4567"}, "numero_cuenta"),
    ({"holder": "  "}, "titular"), ({"holder_document": "-"}, "documento_titular")])
def test_direct_debit_fields_are_checked(db: Database, change: dict[str, str], field: str) -> None:
    data = DirectDebitData(**{**vars(DEBIT), **change})
    with db.write() as session:
        account = student(session)
        with pytest.raises(HandlerInputError) as found:
            adhere_direct_debit(session, account.id, data=data, terms_accepted=True, audit=AUDIT)
    assert found.value.field == field


@pytest.mark.parametrize(("email", "terms", "field"), [("", True, "correo"), ("sin-arroba", True, "correo"),
                                                       ("a@b.co", False, "terminos")])
def test_digital_invoice_needs_an_email_and_the_terms(db: Database, email: str, terms: bool, field: str) -> None:
    with db.write() as session:
        account = student(session)
        with pytest.raises(HandlerInputError) as found:
            adhere_digital_invoice(session, account.id, email=email, terms_accepted=terms, audit=AUDIT)
        assert adhesion_history(session, account.id) == []
    assert found.value.field == field


def test_an_unknown_service_is_named(db: Database) -> None:
    with db.write() as session:
        account = student(session)
        with pytest.raises(HandlerInputError) as found:
            cancel_adhesion(session, account.id, "seguro", AUDIT)
    assert found.value.field == "servicio" and not isinstance(found.value, StateConflict)


def test_each_account_has_its_own_adhesions(db: Database) -> None:
    with db.write() as session:
        one, two = student(session), student(session, "30002", "222")
        adhere_digital_invoice(session, one.id, email="a@example.com", terms_accepted=True, audit=AUDIT)
        assert adhesions_of(session, two.id) == {"factura_digital": False, "debito_automatico": False}
        assert adhesion_history(session, two.id) == []
