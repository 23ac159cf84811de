"""pending.py: what each charge still owes, by the journal (abonos, scholarships and their annulments)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from engine.db import Database
from handlers.ledger import charges, payments
from handlers.oficina.pending import owed_by_charge, pending_charges
from tests.handlers.oficina.office_data import AUDIT, TODAY, charge, pay, student


def test_outstanding_is_the_charge_minus_its_abonos_and_scholarships(db: Database) -> None:
    with db.write() as session:
        account = student(session)
        tuition = charge(session, account, "1000000", -5)
        fee = charge(session, account, "45000", 10, "Carné")
        pay(session, account, "PG-1", [(tuition, "250000"), (fee, "45000")])
        charges.add_scholarship_credit(session, charge=tuition, scholarship="Beca 10%", amount="100000",
                                       granted_on=TODAY, audit=AUDIT)
        pending = pending_charges(session, account.id)
        owed = owed_by_charge(session, account.id)
    assert [(p.charge_id, p.amount, p.paid, p.outstanding) for p in pending] == [
        (tuition.id, Decimal("1000000.00"), Decimal("350000.00"), Decimal("650000.00"))]
    assert owed[fee.id] == 0
    assert pending[0].overdue_on(TODAY) and not pending[0].overdue_on(TODAY - timedelta(days=5))


def test_an_annulled_abono_owes_again(db: Database) -> None:
    with db.write() as session:
        account = student(session)
        tuition = charge(session, account, "500000", 3)
        payment = pay(session, account, "PG-1", [(tuition, "500000")])
        assert pending_charges(session, account.id) == []
        payments.annul_credits(session, payment, entry_on=TODAY, audit=AUDIT)
        again = pending_charges(session, account.id)
    assert [(p.charge_id, p.outstanding, p.paid) for p in again] == [(tuition.id, Decimal("500000.00"),
                                                                      Decimal("0.00"))]


def test_a_charge_without_entries_owes_it_whole_and_order_is_by_due_date(db: Database) -> None:
    with db.write() as session:
        account = student(session)
        other = student(session, "30002", "999")
        later = charge(session, account, "20", 30, "Después")
        sooner = charge(session, account, "10", 1, "Antes")
        charge(session, other, "99", 1, "Ajena")
        pending = pending_charges(session, account.id)
    assert [p.charge_id for p in pending] == [sooner.id, later.id]
    assert all(p.paid == 0 for p in pending)
