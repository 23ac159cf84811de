"""apply.py: the bank's decision applied once; a tampered or contradicting notification changes nothing."""

from __future__ import annotations

import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.db import Database
from handlers.ledger.journal import balance_of
from handlers.ledger.loans import movements_of, standing_of
from handlers.ledger.models import Credit, Loan, Payment
from handlers.oficina.appliers import APPLIERS, LedgerMessage
from handlers.oficina.apply import apply_notification
from handlers.oficina.order_models import GatewayNotice, NoticeOutcome, PaymentOrder
from handlers.oficina.orders import OrderItemRequest, expire_order, online_orders_of, order_of
from handlers.oficina.pending import pending_charges
from handlers.oficina.voucher import Merchant, voucher_of
from tests.handlers.oficina.office_data import NOW, TODAY
from tests.handlers.oficina.pay_data import USER, charge_item, loan, notification, order, setup

LATER = NOW + timedelta(minutes=4)


def _count(session: Session, model: type) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


def _outcomes(session: Session) -> list[str]:
    return list(session.scalars(select(GatewayNotice.outcome).order_by(GatewayNotice.id)))


def test_an_approval_records_one_payment_and_its_abonos_once(db: Database) -> None:
    with db.write() as session:
        account, tuition, fee = setup(session)
        view = order(session, account, [charge_item(tuition), charge_item(fee)])
    for expected in (NoticeOutcome.APPLIED, NoticeOutcome.ALREADY_APPLIED, NoticeOutcome.ALREADY_APPLIED):
        with db.write() as session:
            assert apply_notification(session, notification(view), now=LATER, remote_addr="10.0.0.1").outcome \
                == expected
    with db.read() as session:
        payment = session.scalars(select(Payment)).one()
        assert payment.number == "PL-00001" and payment.amount == Decimal("1538500.00")
        assert payment.identified and payment.account_id == account.id and payment.campus_id is not None
        assert payment.actor == "pasarela" and view.reference in payment.reason
        assert sorted(session.scalars(select(Credit.amount))) == [Decimal("38500.00"), Decimal("1500000.00")]
        assert pending_charges(session, account.id) == []
        decided = order_of(session, USER, view.reference)
        assert decided.status == "aprobada" and decided.payment_number == "PL-00001" and decided.decided_at == LATER
        assert online_orders_of(session, account.id)[payment.id].reference == view.reference
        assert _outcomes(session) == ["applied", "already_applied", "already_applied"]
        voucher = voucher_of(session, USER, view.reference, Merchant("Universidad", "860.000.123-4"))
    assert voucher is not None and voucher.approved and voucher.transaction_id == "83"
    lines = dict(voucher.lines())
    assert lines["Total"] == "$ 1.538.500,00" and lines["NIT"] == "860.000.123-4"
    assert lines["Fecha y hora"] == "23/11/2026 10:33" and lines["Descripción respuesta"] == "Aprobada"
    assert lines["Número de cuotas"] == "001" and lines["Código único"] == "1706"


def test_a_tampered_amount_or_currency_applies_nothing_and_is_recorded(db: Database) -> None:
    with db.write() as session:
        account, tuition, _ = setup(session)
        view = order(session, account, [charge_item(tuition)])
    for tampered in (notification(view, amount=Decimal("1.00")), notification(view, currency="USD"),
                     notification(view, vat=Decimal("1.00"))):
        with db.write() as session:
            result = apply_notification(session, tampered, now=LATER, remote_addr=None)
        assert result.outcome == NoticeOutcome.REFUSED_AMOUNT and result.messages == ()
    with db.read() as session:
        assert _count(session, Payment) == 0 and order_of(session, USER, view.reference).status == "pendiente"
        assert _outcomes(session) == ["refused_amount"] * 3


def test_a_rejection_decides_the_order_and_a_contradiction_is_refused(db: Database) -> None:
    with db.write() as session:
        account, tuition, _ = setup(session)
        view = order(session, account, [charge_item(tuition)])
    rejected = notification(view, status="rejected", authorization_code="", response_code="51",
                            description="Rechazada por la entidad financiera")
    with db.write() as session:
        assert apply_notification(session, rejected, now=LATER, remote_addr=None).outcome == NoticeOutcome.REJECTED
    with db.write() as session:  # the same rejection again: harmless
        assert apply_notification(session, rejected, now=LATER, remote_addr=None).outcome == NoticeOutcome.REJECTED
    for contradiction in (notification(view), notification(view, status="rejected", transaction_id="84")):
        with db.write() as session:
            assert apply_notification(session, contradiction, now=LATER, remote_addr=None).outcome \
                == NoticeOutcome.REFUSED_CONFLICT
    with db.read() as session:
        assert _count(session, Payment) == 0
        assert order_of(session, USER, view.reference).status == "rechazada"
        voucher = voucher_of(session, USER, view.reference, Merchant("U", "1"))
        assert voucher is not None and not voucher.approved and voucher.description.startswith("Rechazada")


def test_an_approval_of_another_transaction_after_approval_is_a_conflict(db: Database) -> None:
    with db.write() as session:
        account, tuition, _ = setup(session)
        view = order(session, account, [charge_item(tuition)])
        apply_notification(session, notification(view), now=LATER, remote_addr=None)
    with db.write() as session:
        result = apply_notification(session, notification(view, transaction_id="99"), now=LATER, remote_addr=None)
    assert result.outcome == NoticeOutcome.REFUSED_CONFLICT
    with db.read() as session:
        assert _count(session, Payment) == 1 and _count(session, Credit) == 1


def test_an_unknown_reference_is_refused(db: Database) -> None:
    with db.write() as session:
        account, tuition, _ = setup(session)
        view = order(session, account, [charge_item(tuition)])
        result = apply_notification(session, notification(view, reference="OP-999999"), now=LATER,
                                    remote_addr=None)
    assert result.outcome == NoticeOutcome.REFUSED_UNKNOWN


def test_a_late_approval_of_an_expired_order_still_applies(db: Database) -> None:
    with db.write() as session:
        account, tuition, _ = setup(session)
        view = order(session, account, [charge_item(tuition)])
        assert expire_order(session, view.reference, NOW + timedelta(hours=1)).status == "vencida"
    with db.write() as session:  # the bank took the money: it is the account's
        result = apply_notification(session, notification(view), now=NOW + timedelta(hours=1), remote_addr=None)
    assert result.outcome == NoticeOutcome.APPLIED
    with db.read() as session:
        assert order_of(session, USER, view.reference).status == "aprobada"


def test_a_loan_payment_moves_the_loan_and_any_excess_stays_as_credit_balance(db: Database) -> None:
    with db.write() as session:
        account, _, _ = setup(session)
        credit = loan(session, account)
        view = order(session, account, [OrderItemRequest("loan", credit.number, Decimal("175277"), "Cuota")])
        apply_notification(session, notification(view), now=LATER, remote_addr=None)
        assert standing_of(session, credit).balance == Decimal("1577493.00")
        assert [m.kind for m in movements_of(session, credit)] == ["pago"]
        assert movements_of(session, credit)[0].moved_on == TODAY
        # Paid in full elsewhere between the order and the bank's answer: the loan is not overpaid.
        second = order(session, account, [OrderItemRequest("loan", credit.number, Decimal("1577493"), "Saldo")])
        third = order(session, account, [OrderItemRequest("loan", credit.number, Decimal("1577493"), "Saldo")],
                      username="otro", now=LATER + timedelta(minutes=40))
        apply_notification(session, notification(second, transaction_id="90"), now=LATER, remote_addr=None)
        apply_notification(session, notification(third, transaction_id="91"), now=LATER, remote_addr=None)
        refreshed = session.get(Loan, credit.id)
        assert refreshed is not None and standing_of(session, refreshed).balance == 0
        assert balance_of(session, account.id) == Decimal("1538500.00") - Decimal("1577493.00")


def test_messages_of_an_applier_are_returned_and_kept_for_a_redelivery(db: Database,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    def applier(session: Session, payment: Payment, item: object, audit: object) -> list[LedgerMessage]:
        return [LedgerMessage("cuota_pagada", "PP-1", f"pago:{payment.number}", {"pago": payment.number})]

    monkeypatch.setitem(APPLIERS, "charge", applier)
    with db.write() as session:
        account, tuition, _ = setup(session)
        view = order(session, account, [charge_item(tuition)])
        first = apply_notification(session, notification(view), now=LATER, remote_addr=None)
    with db.write() as session:
        again = apply_notification(session, notification(view), now=LATER, remote_addr=None)
    assert first.messages == again.messages == (LedgerMessage("cuota_pagada", "PP-1", "pago:PL-00001",
                                                               {"pago": "PL-00001"}),)
    with db.read() as session:
        assert session.scalars(select(PaymentOrder.messages)).one() == [m.as_dict() for m in first.messages]


def test_two_concurrent_deliveries_apply_once(db: Database) -> None:
    """Both threads start together; the order's row lock (PostgreSQL) or the write lock (SQLite) lets one apply
    and the other find it applied."""
    with db.write() as session:
        account, tuition, _ = setup(session)
        view = order(session, account, [charge_item(tuition)])
    start = threading.Barrier(2)
    outcomes: list[str] = []

    def deliver() -> None:
        start.wait()
        with db.write() as session:
            outcomes.append(apply_notification(session, notification(view), now=LATER, remote_addr=None).outcome)

    threads = [threading.Thread(target=deliver) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["already_applied", "applied"]
    with db.read() as session:
        assert _count(session, Payment) == 1 and _count(session, Credit) == 1


def test_two_orders_approved_at_once_get_their_own_payment_numbers(db: Database) -> None:
    with db.write() as session:
        account, tuition, fee = setup(session)
        views = [order(session, account, [charge_item(tuition)]), order(session, account, [charge_item(fee)])]
    start = threading.Barrier(2)
    outcomes: list[str] = []

    def deliver(index: int) -> None:
        start.wait()
        with db.write() as session:
            notice = notification(views[index], transaction_id=f"7{index}")
            outcomes.append(apply_notification(session, notice, now=LATER, remote_addr=None).outcome)

    threads = [threading.Thread(target=deliver, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes == ["applied", "applied"]
    with db.read() as session:
        assert sorted(session.scalars(select(Payment.number))) == ["PL-00001", "PL-00002"]
