from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import func, select

from handlers import pro_maa_16 as h
from handlers.errors import HandlerInputError
from handlers.ledger import account_statement
from handlers.ledger.models import AccountingExport, Entry, Invoice, ReceiptLine

from .conftest import Ctx


def balance(ctx: Ctx, account: str) -> Decimal:
    return account_statement(ctx.session, account, now=ctx.now).balance


def test_annul_credit_restores_the_balance_before_the_payment(ctx: Ctx) -> None:
    # 4.500.000 tuition + 45.000 fee - 450.000 scholarship = 4.095.000 before PG-1001 was applied
    assert balance(ctx, "20261001") == Decimal("2342230.00")
    result = h.annul_credit(ctx, payment="PG-1001", reason="correccion_estimacion")
    assert result == {
        "payment": "PG-1001",
        "account": "20261001",
        "annulled_credits": 2,
        "amount": "1752770.00",
        "balance": "4095000.00",
    }
    assert balance(ctx, "20261001") == Decimal("4095000.00")
    counters = ctx.session.scalars(select(Entry).where(Entry.kind == "counter_entry")).all()
    assert len(counters) == 2
    for counter in counters:
        original = ctx.session.get(Entry, counter.reverses_id)
        assert original is not None and original.amount == -counter.amount
        assert (counter.actor, counter.instance_ref) == ("tic.ana", "PRO-MAA-16#1")


def test_annulling_credits_twice_is_refused(ctx: Ctx) -> None:
    h.annul_credit(ctx, payment="PG-1003", reason="baja_academica")
    with pytest.raises(HandlerInputError) as err:
        h.annul_credit(ctx, payment="PG-1003", reason="baja_academica")
    assert err.value.field == "payment"
    assert ctx.session.scalar(select(func.count(Entry.id)).where(Entry.kind == "counter_entry")) == 1
    assert balance(ctx, "20261003") == Decimal("4838500.00")


def test_annul_credit_unknown_payment_and_missing_reason(ctx: Ctx) -> None:
    with pytest.raises(HandlerInputError) as err:
        h.annul_credit(ctx, payment="PG-0000", reason="baja_academica")
    assert err.value.field == "payment"
    with pytest.raises(HandlerInputError) as err:
        h.annul_credit(ctx, payment="PG-1003", reason="")
    assert err.value.field == "reason"


def test_annul_payment_annuls_the_receipt_with_counter_lines(ctx: Ctx) -> None:
    with pytest.raises(HandlerInputError) as err:  # credits first
        h.annul_payment(ctx, payment="PG-1001", reason="correccion_estimacion")
    assert err.value.field == "payment"
    h.annul_credit(ctx, payment="PG-1001", reason="correccion_estimacion")
    result = h.annul_payment(ctx, payment="PG-1001", reason="correccion_estimacion")
    assert result == {
        "payment": "PG-1001",
        "receipt": "RC-2001",
        "batch": "L-301",
        "receipt_annulled": True,
        "counter_lines": 2,
    }
    lines = ctx.session.scalars(select(ReceiptLine).order_by(ReceiptLine.id)).all()
    rc_lines = [line for line in lines if line.receipt_id == lines[0].receipt_id]
    assert sum(line.amount for line in rc_lines) == 0
    assert h.describe_payment(ctx, payment="PG-1001")["receipt_annulled"] is True
    with pytest.raises(HandlerInputError) as err:
        h.annul_payment(ctx, payment="PG-1001", reason="correccion_estimacion")
    assert err.value.field == "payment"


def test_reverse_accounting_keeps_original_date_and_income_account(ctx: Ctx) -> None:
    result = h.reverse_accounting(
        ctx, payment="PG-1001", summary_type="MATRICULA-REINTEGRO", analytic_dimension="PRE-2026A-PSI"
    )
    assert result == {
        "payment": "PG-1001",
        "reversed_summary_type": "MATRICULA-PREGRADO",
        "reversed_analytic_dimension": "PRE-2026A-ADM",
        "summary_type": "MATRICULA-REINTEGRO",
        "analytic_dimension": "PRE-2026A-PSI",
        "application_date": "2026-01-20",
        "income_account": "41700501",
    }
    exports = ctx.session.scalars(select(AccountingExport).order_by(AccountingExport.id)).all()
    assert [e.kind for e in exports] == ["sent", "reversal", "resend"]
    assert exports[1].reverses_id == exports[0].id
    assert h.payment_sent_to_accounting(ctx, payment="PG-1001") is True
    with pytest.raises(HandlerInputError) as err:  # the same reclassification again
        h.reverse_accounting(
            ctx, payment="PG-1001", summary_type="MATRICULA-REINTEGRO", analytic_dimension="PRE-2026A-PSI"
        )
    assert err.value.field == "payment"
    again = h.reverse_accounting(ctx, payment="PG-1001", summary_type="OTRO", analytic_dimension="POS-2026A-ADM")
    assert (again["application_date"], again["income_account"]) == ("2026-01-20", "41700501")
    assert again["reversed_summary_type"] == "MATRICULA-REINTEGRO"


@pytest.mark.parametrize("dimension", ["PRE-2026A", "PRE--ADM", "PRE-2026A-ADM-X", "", "PRE-2026A- ADM"])
def test_reverse_accounting_bad_dimension(ctx: Ctx, dimension: str) -> None:
    with pytest.raises(HandlerInputError) as err:
        h.reverse_accounting(ctx, payment="PG-1001", summary_type="X", analytic_dimension=dimension)
    assert err.value.field == "analytic_dimension"
    assert ctx.session.scalar(select(func.count(AccountingExport.id))) == 1


def test_reverse_accounting_needs_a_send_and_a_summary_type(ctx: Ctx) -> None:
    with pytest.raises(HandlerInputError) as err:
        h.reverse_accounting(ctx, payment="PG-1003", summary_type="X", analytic_dimension="PRE-2026A-PSI")
    assert err.value.field == "payment"
    with pytest.raises(HandlerInputError) as err:
        h.reverse_accounting(ctx, payment="PG-1001", summary_type=" ", analytic_dimension="PRE-2026A-PSI")
    assert err.value.field == "summary_type"


def test_reinvoice_replaces_the_annulled_invoice(ctx: Ctx) -> None:
    with pytest.raises(HandlerInputError) as err:  # not annulled yet
        h.reinvoice(ctx, payment="PG-1006")
    assert err.value.field == "payment"
    h.annul_invoice(ctx, payment="PG-1006", reason="correccion_estimacion")
    result = h.reinvoice(ctx, payment="PG-1006")
    assert result == {
        "payment": "PG-1006",
        "invoice": "FE-5007",
        "replaces": "FE-5006",
        "customer_kind": "company",
        "customer_id": "900123456-7",
        "customer_name": "Constructora Andina S.A.S.",
        "amount": "3900000.00",
    }
    new = ctx.session.scalars(select(Invoice).where(Invoice.number == "FE-5007")).one()
    old = ctx.session.scalars(select(Invoice).where(Invoice.number == "FE-5006")).one()
    assert new.replaces_id == old.id
    info = h.describe_payment(ctx, payment="PG-1006")
    assert (info["invoice"], info["invoice_status"]) == ("FE-5007", "issued")
    with pytest.raises(HandlerInputError) as err:
        h.reinvoice(ctx, payment="PG-1006")
    assert err.value.field == "payment"


def test_reinvoice_without_invoice(ctx: Ctx) -> None:
    with pytest.raises(HandlerInputError) as err:
        h.reinvoice(ctx, payment="PG-1003")
    assert err.value.field == "payment"


def test_notify_requester(ctx: Ctx) -> None:
    from handlers.ledger.notices import notices_for

    result = h.notify_requester(ctx, subject="Ajuste registrado", body="Se anuló el pago PG-1003.")
    assert result["recipient"] == "coord.bogota"
    [notice] = notices_for(ctx.session, "coord.bogota")
    assert (notice.subject, notice.instance_ref, notice.created_at) == ("Ajuste registrado", "PRO-MAA-16#1", ctx.now)
    with pytest.raises(HandlerInputError) as err:
        h.notify_requester(ctx, subject="", body="x")
    assert err.value.field == "subject"
