from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import func, select

from handlers import pro_maa_16 as h
from handlers.errors import HandlerInputError
from handlers.ledger.models import InvoiceEvent, Notice, PaymentRelease

from .conftest import Ctx


def test_describe_payment(ctx: Ctx) -> None:
    info = h.describe_payment(ctx, payment="PG-1001")
    assert info == {
        "payment": "PG-1001",
        "amount": "1752770.00",
        "date": "2026-01-20",
        "account": "20261001",
        "account_name": "Ana María Rojas Díaz",
        "campus": "BOG",
        "campus_name": "Bogotá",
        "identified": True,
        "invoiced": True,
        "invoice": "FE-5001",
        "invoice_status": "issued",
        "invoice_customer": "Ana María Rojas Díaz",
        "invoice_customer_kind": "student",
        "receipt": "RC-2001",
        "batch": "L-301",
        "receipt_annulled": False,
        "sent_to_accounting": True,
        "released": False,
        "adjustment": None,
        "generic_account": None,
    }


def test_describe_unknown_payment(ctx: Ctx) -> None:
    for bad in ("PG-9999", "", "   "):
        with pytest.raises(HandlerInputError) as err:
            h.describe_payment(ctx, payment=bad)
        assert err.value.field == "payment"


def test_annul_invoice_records_event_and_tells_tic(ctx: Ctx) -> None:
    result = h.annul_invoice(ctx, payment="PG-1001", reason="correccion_estimacion")
    assert result["invoice"] == "FE-5001" and result["status"] == "annulled"
    assert h.describe_payment(ctx, payment="PG-1001")["invoice_status"] == "annulled"
    event = ctx.session.scalars(select(InvoiceEvent).where(InvoiceEvent.kind == "annulled")).one()
    assert (event.actor, event.instance_ref, event.recorded_at) == ("tic.ana", "PRO-MAA-16#1", ctx.now)
    assert "correccion_estimacion" in event.reason
    notice = ctx.session.get(Notice, result["notice"])
    assert notice is not None
    assert (notice.recipient, notice.recipient_kind) == ("direccion_tic", "role")
    assert "FE-5001" in notice.subject and notice.instance_ref == "PRO-MAA-16#1"


def test_a_used_invoice_cannot_be_annulled(ctx: Ctx) -> None:
    with pytest.raises(HandlerInputError) as err:
        h.annul_invoice(ctx, payment="PG-1002", reason="baja_academica")
    assert err.value.field == "payment"
    assert str(err.value) == "payment: La factura FE-5002 ya fue utilizada y no se puede anular."
    assert h.describe_payment(ctx, payment="PG-1002")["invoice_status"] == "used"


def test_annulling_an_invoice_twice_is_refused(ctx: Ctx) -> None:
    h.annul_invoice(ctx, payment="PG-1006", reason="correccion_estimacion")
    with pytest.raises(HandlerInputError) as err:
        h.annul_invoice(ctx, payment="PG-1006", reason="correccion_estimacion")
    assert err.value.field == "payment"
    count = select(func.count(InvoiceEvent.id)).where(InvoiceEvent.kind == "annulled")
    assert ctx.session.scalar(count) == 1
    assert ctx.session.scalar(select(func.count(Notice.id))) == 1


def test_annul_invoice_needs_an_invoice_and_a_reason(ctx: Ctx) -> None:
    with pytest.raises(HandlerInputError) as err:
        h.annul_invoice(ctx, payment="PG-1003", reason="baja_academica")
    assert err.value.field == "payment"
    with pytest.raises(HandlerInputError) as err:
        h.annul_invoice(ctx, payment="PG-1001", reason="")
    assert err.value.field == "reason"


def test_release_payment(ctx: Ctx) -> None:
    assert h.release_payment(ctx, payment="PG-1003", adjustment="reversa") == {
        "payment": "PG-1003",
        "released": True,
        "adjustment": "reversa",
    }
    info = h.describe_payment(ctx, payment="PG-1003")
    assert info["released"] is True and info["adjustment"] == "reversa"
    with pytest.raises(HandlerInputError) as err:
        h.release_payment(ctx, payment="PG-1003", adjustment="reversa")
    assert err.value.field == "payment"
    assert ctx.session.scalar(select(func.count(PaymentRelease.id))) == 1


def test_release_payment_bad_adjustment(ctx: Ctx) -> None:
    with pytest.raises(HandlerInputError) as err:
        h.release_payment(ctx, payment="PG-1003", adjustment="devolucion")
    assert err.value.field == "adjustment"


def test_release_waits_for_the_invoice_annulment(ctx: Ctx) -> None:
    with pytest.raises(HandlerInputError) as err:
        h.release_payment(ctx, payment="PG-1001", adjustment="anulacion")
    assert err.value.field == "payment"
    h.annul_invoice(ctx, payment="PG-1001", reason="correccion_estimacion")
    assert h.release_payment(ctx, payment="PG-1001", adjustment="anulacion")["released"] is True


@pytest.mark.parametrize(
    ("payment", "bag", "amount"),
    [("PG-1004", "GEN-MED", "950000.00"), ("PG-1005", "GEN-GLOBAL", "350000.00")],
)
def test_move_to_generic_bag(make_ctx: Callable[..., Ctx], payment: str, bag: str, amount: str) -> None:
    from handlers.ledger import account_statement

    ctx = make_ctx()
    result = h.move_to_generic_bag(ctx, payment=payment)
    assert result["account"] == bag and result["amount"] == amount
    assert result["receipt"].startswith("RC-") and result["batch"].startswith("L-")
    statement = account_statement(ctx.session, bag, now=ctx.now)
    assert [(e.kind.value, e.reference, str(e.amount)) for e in statement.entries] == [
        ("unapplied_payment", payment, f"-{amount}")
    ]
    assert statement.credit_balance == -statement.balance == statement.entries[0].amount.copy_abs()
    assert h.describe_payment(ctx, payment=payment)["generic_account"] == bag
    with pytest.raises(HandlerInputError) as err:
        h.move_to_generic_bag(ctx, payment=payment)
    assert err.value.field == "payment"


def test_identified_payment_does_not_go_to_the_bag(ctx: Ctx) -> None:
    with pytest.raises(HandlerInputError) as err:
        h.move_to_generic_bag(ctx, payment="PG-1003")
    assert err.value.field == "payment"
