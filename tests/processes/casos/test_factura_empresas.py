"""Factura para empresas end to end: the company's invoice for a payment of the student without an invoice, or
for a value within what the student owes, sent to the company's billing address; an invalid NIT, another
student's payment or a payment already invoiced are refused with nothing issued."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select

from engine.db import Database
from engine.errors import InvalidData
from engine.runtime import Engine
from handlers.ledger.models import Invoice, Payment
from handlers.mail.models import OutboxEmail
from tests.processes.casos.driver import CaseRun, open_case

LAURA = {"codigo_estudiante": "20265005", "documento": "1093456705", "nombre_estudiante": "Laura Méndez Castro",
         "programa": "Administración de Empresas"}
COMPANY = {"razon_social": "Soluciones Andinas S.A.S.", "nit": "900123456-8",
           "correo_facturacion": "facturas@andinas.com.co"}


def _open(engine: Engine, db: Database, **extra: Any) -> CaseRun:
    fields = {**COMPANY, "pago": "PG-5006", **extra}
    return open_case(engine, db, "factura_empresas", {k: v for k, v in fields.items() if v is not None}, **LAURA)


def _company_invoices(db: Database) -> list[tuple[str, str, str, Decimal, str | None]]:
    with db.read() as session:
        # The demo ledger has company invoices of its own (PRO-MAA-16): only this company's count.
        rows = session.execute(select(Invoice, Payment.number).outerjoin(Payment, Payment.id == Invoice.payment_id)
                               .where(Invoice.customer_kind == "company",
                                      Invoice.customer_name == COMPANY["razon_social"])
                               .order_by(Invoice.id)).all()
        return [(i.number, i.customer_id, i.customer_name, i.amount, p) for i, p in rows]


def test_a_payment_without_invoice_is_invoiced_to_the_company(engine: Engine, db: Database) -> None:
    run = _open(engine, db)
    assert run.case().unit == "facturacion"
    run.resolve()
    assert run.view.status == "completed"
    [(number, nit, name, value, payment)] = _company_invoices(db)
    assert (nit, name, value, payment) == ("900123456-8", "Soluciones Andinas S.A.S.", Decimal("3000000.00"),
                                           "PG-5006")
    case = run.case()
    assert case.status == "resuelto" and number in (case.outcome or "") and "$ 3.000.000,00" in (case.outcome or "")
    emails = run.emails()
    assert [k for k, _r, _s in emails] == ["case_created", "company_invoice", "case_closed"]
    assert emails[1][1] == "facturas@andinas.com.co" and number in emails[1][2]


def test_a_value_within_what_the_student_owes_is_invoiced_without_a_payment(engine: Engine, db: Database) -> None:
    run = _open(engine, db, pago=None, valor="2000000.00")
    run.resolve()
    [(_number, _nit, _name, value, payment)] = _company_invoices(db)
    assert value == Decimal("2000000.00") and payment is None
    assert run.case().status == "resuelto"


def test_a_value_above_what_the_student_owes_is_refused_on_that_field(engine: Engine, db: Database) -> None:
    run = _open(engine, db, pago=None, valor="2000000.01")
    with pytest.raises(InvalidData) as refused:
        run.resolve()
    assert [e.field for e in refused.value.errors] == ["valor"]
    assert _company_invoices(db) == [] and run.case().status == "en_revision"
    with db.read() as session:
        assert session.scalars(select(OutboxEmail).where(OutboxEmail.kind == "company_invoice")).all() == []


@pytest.mark.parametrize("extra,words", [
    ({"nit": "900123456-7"}, "dígito de verificación"),
    ({"pago": "PG-5007"}, "ya tiene la factura"),  # invoiced to Laura herself
    ({"pago": "PG-5001"}, "No encontramos el pago PG-5001"),  # Valentina's
])
def test_an_invalid_nit_or_a_payment_not_invoiceable_is_refused(engine: Engine, db: Database,
                                                                extra: dict[str, str], words: str) -> None:
    run = _open(engine, db, **extra)
    run.resolve()
    case = run.case()
    assert case.status == "rechazado" and words in (case.outcome or "")
    assert _company_invoices(db) == []


def test_the_unit_rejecting_issues_nothing(engine: Engine, db: Database) -> None:
    run = _open(engine, db)
    run.reject("La empresa no figura como patrocinadora en el convenio.")
    assert run.case().status == "rechazado" and _company_invoices(db) == []


@pytest.mark.parametrize("field,value", [("nit", "900.123.456"), ("correo_facturacion", "sin-arroba"),
                                         ("razon_social", "X"), ("pago", "5006"), ("valor", "10")])
def test_bad_form_data_is_refused_field_by_field(engine: Engine, db: Database, field: str, value: str) -> None:
    extra: dict[str, Any] = {field: value}
    if field == "valor":
        extra["pago"] = None
    with pytest.raises(InvalidData) as refused:
        _open(engine, db, **extra)
    assert field in [e.field for e in refused.value.errors]


@pytest.mark.parametrize("extra,field", [({"pago": None}, "valor"), ({"valor": "100.00"}, "valor")])
def test_a_payment_or_a_value_and_not_both(engine: Engine, db: Database, extra: dict[str, Any], field: str) -> None:
    with pytest.raises(InvalidData) as refused:
        _open(engine, db, **extra)
    assert field in [e.field for e in refused.value.errors]
