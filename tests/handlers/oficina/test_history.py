"""Mis pagos: the payment history (channel, status, what each paid) and the paid invoices."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from engine.db import Database
from handlers.ledger import charges, payments
from handlers.oficina.history import (
    OnlinePayment,
    PaidItem,
    online_payments,
    paid_invoice_of,
    paid_invoices,
    payment_history,
    payment_of,
)
from tests.handlers.oficina.office_data import AUDIT, TODAY, charge, pay, student


def test_payments_newest_first_with_channel_status_and_items(db: Database) -> None:
    with db.write() as session:
        account = student(session)
        tuition = charge(session, account, "1000000", -20, "Matrícula")
        fee = charge(session, account, "45000", 5, "Carné")
        old = pay(session, account, "PG-1", [(tuition, "600000"), (fee, "45000")], paid_on=TODAY - timedelta(days=9))
        online = pay(session, account, "PG-2", [(tuition, "400000")], paid_on=TODAY - timedelta(days=1))
        rows = payment_history(session, account.id, {online.id: OnlinePayment("OV-123", ())})
    assert [(r.number, r.channel, r.status, r.order_reference) for r in rows] == [
        ("PG-2", "En línea", "Aplicado", "OV-123"), ("PG-1", "Caja", "Aplicado", None)]
    assert [(i.description, i.amount) for i in rows[1].items] == [("Matrícula", Decimal("600000.00")),
                                                                  ("Carné", Decimal("45000.00"))]
    assert rows[1].amount == Decimal("645000.00") and old.number == "PG-1"


def test_a_payment_whose_abonos_were_annulled_is_anulado(db: Database) -> None:
    with db.write() as session:
        account = student(session)
        tuition = charge(session, account, "1000000", -20)
        payment = pay(session, account, "PG-1", [(tuition, "300000")])
        payments.annul_credits(session, payment, entry_on=TODAY, audit=AUDIT)
        row = payment_of(session, account.id, "PG-1")
    assert row is not None and row.status == "Anulado" and row.items == ()


def test_payments_of_other_accounts_are_not_listed(db: Database) -> None:
    with db.write() as session:
        mine, theirs = student(session), student(session, "30002", "222")
        pay(session, theirs, "PG-9", [(charge(session, theirs, "100", 1), "100")])
        assert payment_history(session, mine.id) == []
        assert payment_of(session, mine.id, "PG-9") is None


def test_paid_invoices_are_the_settled_charges_with_their_payments(db: Database) -> None:
    with db.write() as session:
        account = student(session)
        tuition = charge(session, account, "1000000", -20, "Matrícula")
        partial = charge(session, account, "500000", -10, "Seguro")
        fee = charge(session, account, "45000", 5, "Carné")
        pay(session, account, "PG-1", [(tuition, "600000"), (partial, "100")], paid_on=TODAY - timedelta(days=9))
        pay(session, account, "PG-2", [(tuition, "300000")], paid_on=TODAY - timedelta(days=3))
        charges.add_scholarship_credit(session, charge=tuition, scholarship="Beca", amount="100000",
                                       granted_on=TODAY - timedelta(days=2), audit=AUDIT)
        pay(session, account, "PG-3", [(fee, "45000")], paid_on=TODAY - timedelta(days=6))
        rows = paid_invoices(session, account.id)
        one = paid_invoice_of(session, account.id, tuition.id)
        assert paid_invoice_of(session, account.id, partial.id) is None
    assert [r.description for r in rows] == ["Matrícula", "Carné"]  # most recently paid first
    assert one is not None and one.payments == ("PG-1", "PG-2", "Beca o descuento")
    assert one.paid_on == TODAY - timedelta(days=2) and one.amount == Decimal("1000000.00")


def test_an_annulled_abono_unpays_the_invoice(db: Database) -> None:
    with db.write() as session:
        account = student(session)
        fee = charge(session, account, "45000", 5, "Carné")
        payment = pay(session, account, "PG-1", [(fee, "45000")])
        assert [r.charge_id for r in paid_invoices(session, account.id)] == [fee.id]
        payments.annul_credits(session, payment, entry_on=TODAY, audit=AUDIT)
        assert paid_invoices(session, account.id) == []


def test_an_online_payment_without_abonos_shows_what_its_order_paid(db: Database) -> None:
    with db.write() as session:
        account = student(session)
        loan_payment = pay(session, account, "PG-7", [], amount="175277")
        assert online_payments(session, account.id) == {}  # no order: a cashier's payment
        rows = payment_history(session, account.id, {
            loan_payment.id: OnlinePayment("OV-9", (PaidItem("Cuota del crédito CR-1", Decimal("175277.00")),))})
    assert [(r.channel, r.order_reference, r.items) for r in rows] == [
        ("En línea", "OV-9", (PaidItem("Cuota del crédito CR-1", Decimal("175277.00")),))]
