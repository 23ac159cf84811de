"""The home's figures: overdue debt, the next dues, the credit balance, the badges, pending invoices, credits."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from engine.db import Database
from handlers.ledger import charges
from handlers.ledger.loans import LoanProgram, MovementKind, open_loan, record_loan_movement
from handlers.oficina.adhesions import adhere_digital_invoice
from handlers.oficina.home import account_home
from tests.handlers.oficina.office_data import AUDIT, TODAY, charge, pay, student


def test_overdue_debt_counts_what_is_still_owed_on_charges_past_due(db: Database) -> None:
    with db.write() as session:
        account = student(session)
        late = charge(session, account, "1000000", -10, "Matrícula")
        charge(session, account, "200000", -1, "Carné")
        charge(session, account, "50000", 0, "Certificado")  # due today: not overdue yet
        pay(session, account, "PG-1", [(late, "400000")])
        page = account_home(session, account.id, TODAY)
    assert page.overdue_debt == Decimal("800000.00")
    assert [(r.description, r.overdue) for r in page.pending] == [("Matrícula", True), ("Carné", True),
                                                                  ("Certificado", False)]
    assert page.pending[0].paid == Decimal("400000.00") and page.pending[0].outstanding == Decimal("600000.00")
    assert page.pending_total == Decimal("850000.00")


def test_next_dues_are_the_next_three_from_today(db: Database) -> None:
    with db.write() as session:
        account = student(session)
        charge(session, account, "10", -3, "Vencida")
        for days in (40, 5, 0, 20):
            charge(session, account, "100", days, f"En {days} días")
        page = account_home(session, account.id, TODAY)
    assert [d.description for d in page.next_dues] == ["En 0 días", "En 5 días", "En 20 días"]
    assert page.next_dues[0].due_on == TODAY


def test_a_paid_charge_is_not_pending(db: Database) -> None:
    with db.write() as session:
        account = student(session)
        paid = charge(session, account, "300000", -5)
        pay(session, account, "PG-1", [(paid, "300000")])
        page = account_home(session, account.id, TODAY)
    assert page.pending == () and page.overdue_debt == 0 and page.next_dues == ()


def test_credit_balance_is_what_the_account_is_owed(db: Database) -> None:
    with db.write() as session:
        account = student(session)
        tuition = charge(session, account, "4000000", -30)
        pay(session, account, "PG-1", [(tuition, "4000000")])
        charges.add_scholarship_credit(session, charge=tuition, scholarship="Beca", amount="1000000",
                                       granted_on=TODAY - timedelta(days=2), audit=AUDIT)
        page = account_home(session, account.id, TODAY)
    assert page.credit_balance == Decimal("1000000.00") and page.pending == ()


def test_badges_follow_the_adhesions(db: Database) -> None:
    with db.write() as session:
        account = student(session)
        assert not account_home(session, account.id, TODAY).digital_invoice
        adhere_digital_invoice(session, account.id, email="a@example.com", terms_accepted=True, audit=AUDIT)
        page = account_home(session, account.id, TODAY)
    assert page.digital_invoice and not page.direct_debit


def test_credits_as_the_document_shows_them(db: Database) -> None:
    with db.write() as session:
        account = student(session)
        loan = open_loan(session, account_code=account.code, program=LoanProgram.LONG_TERM, principal="1752770",
                         instalment="175277", opened_on=date(2025, 1, 10), audit=AUDIT, number="LI-38")
        record_loan_movement(session, loan, kind=MovementKind.PAYMENT, amount="175277", moved_on=TODAY, audit=AUDIT)
        almost = open_loan(session, account_code=account.code, program=LoanProgram.PILOS, principal="1000000",
                           instalment="300000", opened_on=date(2025, 1, 10), audit=AUDIT, number="CR-2")
        record_loan_movement(session, almost, kind=MovementKind.PAYMENT, amount="900000", moved_on=TODAY,
                             audit=AUDIT)
        settled = open_loan(session, account_code=account.code, program=LoanProgram.PILOS, principal="500000",
                            instalment="100000", opened_on=date(2025, 1, 10), audit=AUDIT, number="CR-3")
        record_loan_movement(session, settled, kind=MovementKind.PAYOFF, amount="500000", moved_on=TODAY,
                             audit=AUDIT)
        page = account_home(session, account.id, TODAY)
    first, second = page.loans
    assert (first.number, first.concept, first.principal, first.paid, first.balance, first.instalment) == (
        "LI-38", "Crédito a largo plazo", Decimal("1752770.00"), Decimal("175277.00"), Decimal("1577493.00"),
        Decimal("175277.00"))
    assert second.number == "CR-2" and second.instalment == Decimal("100000.00")  # never more than the balance
    assert len(page.loans) == 2  # the settled credit is not listed
