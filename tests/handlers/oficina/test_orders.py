"""orders.py and the checkers: an order is made only of what the account owes, within bounds."""

from __future__ import annotations

import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from engine.db import Database
from handlers.errors import HandlerInputError
from handlers.ledger.models import Account
from handlers.oficina.order_models import OrderStatus, PaymentOrder
from handlers.oficina.orders import (
    OrderItemRequest,
    OrderNotFound,
    expire_order,
    online_orders_of,
    order_of,
)
from handlers.oficina.pay_choices import LoanNotFound, charges_choice, loan_choice
from tests.handlers.oficina.office_data import NOW, charge, pay, student
from tests.handlers.oficina.pay_data import USER, charge_item, loan, order, setup


def test_an_order_of_pending_invoices_totals_them_and_lives_30_minutes(db: Database) -> None:
    with db.write() as session:
        account, tuition, fee = setup(session)
        view = order(session, account, [charge_item(tuition), charge_item(fee)])
    assert view.reference == "OP-000001" and view.status == OrderStatus.PENDING == "pendiente"
    assert view.amount == Decimal("1538500.00") and view.currency == "COP" and view.vat == 0
    assert view.expires_at - view.created_at == timedelta(minutes=30)
    assert [(i.kind, i.amount) for i in view.items] == [("charge", Decimal("1500000.00")),
                                                        ("charge", Decimal("38500.00"))]
    assert view.account_code == account.code and view.payment_id is None
    kind, ref, description, amount = view.items[0]  # items are (kind, ref, description, amount) tuples
    assert (kind, ref, description, amount) == ("charge", str(tuition.id), "Matrícula", Decimal("1500000.00"))
    with db.write() as session:  # another requester of the same account cannot pay it twice meanwhile
        with pytest.raises(HandlerInputError, match="OP-000001"):
            order(session, account, [charge_item(fee)], username="otro")
        second = order(session, account, [charge_item(charge(session, account, "1000", 9, "Carné"))], username="otro")
    assert second.reference == "OP-000002"


def test_a_charge_must_be_the_accounts_pending_one_at_its_outstanding(db: Database) -> None:
    with db.write() as session:
        account, tuition, fee = setup(session)
        other = student(session, code="30002", document="222")
        pay(session, account, "PG-1", [(fee, "38500")])
        cases = [
            ([charge_item(tuition, "1000")], "charge", "debe ser su saldo"),
            ([charge_item(fee)], "charge", "ya está pagada"),
            ([OrderItemRequest("charge", "999999", Decimal("1"), "x")], "charge", "no es de esta cuenta"),
            ([OrderItemRequest("charge", "abc", Decimal("1"), "x")], "charge", "no es de esta cuenta"),
            ([], "charge", "al menos"),
            ([charge_item(tuition), charge_item(tuition)], "charge", "repetido"),
            ([OrderItemRequest("regalo", "1", Decimal("1"), "x")], "kind", "regalo"),
        ]
        for items, field, words in cases:
            with pytest.raises(HandlerInputError) as refused:
                order(session, account, items)
            assert refused.value.field == field and words in refused.value.message, items
        with pytest.raises(HandlerInputError, match="no es de esta cuenta"):
            order(session, other, [charge_item(tuition)])


def test_a_loan_amount_is_above_zero_and_within_the_balance(db: Database) -> None:
    with db.write() as session:
        account = student(session)
        credit = loan(session, account)
        for amount in ("0", "-1", "1752770.01"):
            with pytest.raises(HandlerInputError) as refused:
                order(session, account, [OrderItemRequest("loan", credit.number, Decimal(amount), "Crédito")])
            assert refused.value.field == "valor"
        view = order(session, account, [OrderItemRequest("loan", credit.number, Decimal("1752770"), "Crédito")])
        assert view.amount == Decimal("1752770.00")
        other = student(session, code="30002", document="222")
        with pytest.raises(HandlerInputError) as refused:
            order(session, other, [OrderItemRequest("loan", credit.number, Decimal("1"), "Crédito")])
        assert refused.value.field == "loan"


def test_the_same_items_again_reuse_the_pending_order_and_an_overlap_is_refused(db: Database) -> None:
    with db.write() as session:
        account, tuition, fee = setup(session)
        first = order(session, account, [charge_item(tuition)])
        again = order(session, account, [charge_item(tuition)], now=NOW + timedelta(minutes=5))
        assert again.reference == first.reference
        with pytest.raises(HandlerInputError, match=first.reference):
            order(session, account, [charge_item(tuition), charge_item(fee)])
        later = order(session, account, [charge_item(tuition)], now=NOW + timedelta(minutes=31))
        assert later.reference != first.reference
        assert session.scalar(select(func.count()).select_from(PaymentOrder)) == 2


def test_an_order_lapses_after_30_minutes_and_is_only_its_owners(db: Database) -> None:
    with db.write() as session:
        account, tuition, _ = setup(session)
        view = order(session, account, [charge_item(tuition)])
        assert expire_order(session, view.reference, NOW + timedelta(minutes=29)).status == "pendiente"
        assert expire_order(session, view.reference, NOW + timedelta(minutes=30)).status == "vencida"
        assert order_of(session, USER, view.reference).status == "vencida"
        with pytest.raises(OrderNotFound):
            order_of(session, "otro.usuario", view.reference)
        with pytest.raises(OrderNotFound):
            order_of(session, USER, "OP-404")
        assert online_orders_of(session, account.id) == {}


def test_choices_take_amounts_from_the_ledger(db: Database) -> None:
    with db.write() as session:
        account, tuition, fee = setup(session)
        credit = loan(session, account)
        choice = charges_choice(session, account.id, [str(fee.id), str(tuition.id)])
        assert [c.charge_id for c in choice.charges] == [tuition.id, fee.id] and choice.total == Decimal("1538500")
        for selected in ([], ["x"], ["999999"]):
            with pytest.raises(HandlerInputError) as refused:
                charges_choice(session, account.id, selected)
            assert refused.value.field == "charge"
        with pytest.raises(HandlerInputError, match="plan PP-1"):
            charges_choice(session, account.id, [str(fee.id)], {fee.id: "PP-1"})
        standing = loan_choice(session, account.id, credit.number)
        assert standing.amount_for("cuota", None) == Decimal("175277.00")
        assert standing.amount_for("saldo", None) == Decimal("1752770.00")
        assert standing.amount_for("otro", Decimal("1000.50")) == Decimal("1000.50")
        for option, other, field in (("otro", None, "otro_valor"), ("otro", Decimal("0"), "otro_valor"),
                                     ("otro", Decimal("1752770.01"), "otro_valor"),
                                     ("otro", Decimal("1.001"), "otro_valor"), ("todo", None, "opcion")):
            with pytest.raises(HandlerInputError) as refused:
                standing.amount_for(option, other)
            assert refused.value.field == field
        with pytest.raises(LoanNotFound):
            loan_choice(session, student(session, code="30003", document="3").id, credit.number)


def test_two_tabs_ordering_at_once_get_one_order(db: Database) -> None:
    """Both threads start together; the account's row lock (PostgreSQL) or the write lock (SQLite) makes the
    second find the first's pending order and reuse it."""
    with db.write() as session:
        account, tuition, _ = setup(session)
        account_id, item = account.id, charge_item(tuition)
    start = threading.Barrier(2)
    references: list[str] = []

    def make() -> None:
        start.wait()
        with db.write() as session:
            found = session.get(Account, account_id)
            assert found is not None
            references.append(order(session, found, [item]).reference)

    threads = [threading.Thread(target=make) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert references == ["OP-000001", "OP-000001"]
    with db.read() as session:
        assert session.scalar(select(func.count()).select_from(PaymentOrder)) == 1
