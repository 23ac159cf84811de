"""Every demo payment walked along its PRO-MAA-16 path, as the BPMN would call the handlers."""

from __future__ import annotations

import json
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from handlers.ledger import account_statement
from handlers.registry import HANDLERS

from .conftest import Ctx


def call(ctx: Ctx, name: str, **kwargs: Any) -> Any:
    result = HANDLERS[name](ctx, **kwargs)
    json.dumps(result)  # every handler answers JSON
    return result


def test_full_path_invoiced_identified_sent(ctx: Ctx) -> None:
    p = "PG-1001"
    before = account_statement(ctx.session, "20261001", now=ctx.now).balance
    assert call(ctx, "requester_may_annul", reason="correccion_estimacion")
    assert call(ctx, "payment_is_invoiced", payment=p)
    assert not call(ctx, "invoice_is_used", payment=p)
    call(ctx, "annul_invoice", payment=p, reason="correccion_estimacion")
    call(ctx, "release_payment", payment=p, adjustment="anulacion")
    assert call(ctx, "payment_is_identified", payment=p)
    call(ctx, "annul_credit", payment=p, reason="correccion_estimacion")
    call(ctx, "annul_payment", payment=p, reason="correccion_estimacion")
    assert call(ctx, "payment_sent_to_accounting", payment=p)
    call(ctx, "reverse_accounting", payment=p, summary_type="MATRICULA-AJUSTE", analytic_dimension="PRE-2026A-ADM")
    assert call(ctx, "invoice_annulled_for", payment=p)
    assert call(ctx, "reinvoice", payment=p)["invoice"] == "FE-5007"
    call(ctx, "notify_requester", subject="Ajuste registrado", body="Listo.")
    after = account_statement(ctx.session, "20261001", now=ctx.now).balance
    assert after - before == Decimal("1752770.00")
    info = call(ctx, "describe_payment", payment=p)
    assert info["receipt_annulled"] and info["released"] and info["invoice_status"] == "issued"


def test_used_invoice_ends_the_procedure(ctx: Ctx) -> None:
    assert call(ctx, "payment_is_invoiced", payment="PG-1002")
    assert call(ctx, "invoice_is_used", payment="PG-1002")
    call(ctx, "notify_requester", subject="Solicitud no procede", body="La factura FE-5002 ya fue utilizada.")


def test_not_invoiced_identified_not_sent(ctx: Ctx) -> None:
    p = "PG-1003"
    assert not call(ctx, "payment_is_invoiced", payment=p)
    call(ctx, "release_payment", payment=p, adjustment="reversa")
    call(ctx, "annul_credit", payment=p, reason="baja_academica")
    call(ctx, "annul_payment", payment=p, reason="baja_academica")
    assert not call(ctx, "payment_sent_to_accounting", payment=p)
    assert not call(ctx, "invoice_annulled_for", payment=p)


def test_unidentified_payments_go_to_the_bags(make_ctx: Callable[..., Ctx]) -> None:
    ctx = make_ctx()
    for payment, student, bag in (("PG-1004", "20261004", "GEN-MED"), ("PG-1005", "20261005", "GEN-GLOBAL")):
        before = account_statement(ctx.session, student, now=ctx.now).balance
        assert call(ctx, "requester_may_annul", reason="error_transaccion")
        call(ctx, "release_payment", payment=payment, adjustment="anulacion")
        assert not call(ctx, "payment_is_identified", payment=payment)
        assert call(ctx, "move_to_generic_bag", payment=payment)["account"] == bag
        credit = call(ctx, "annul_credit", payment=payment, reason="error_transaccion")
        call(ctx, "annul_payment", payment=payment, reason="error_transaccion")
        after = account_statement(ctx.session, student, now=ctx.now).balance
        assert after - before == Decimal(credit["amount"])
        bag_balance = account_statement(ctx.session, bag, now=ctx.now).balance
        assert bag_balance == -Decimal(credit["amount"])


def test_company_invoice_path(ctx: Ctx) -> None:
    p = "PG-1006"
    assert call(ctx, "payment_is_invoiced", payment=p)
    assert not call(ctx, "invoice_is_used", payment=p)
    call(ctx, "annul_invoice", payment=p, reason="correccion_estimacion")
    call(ctx, "release_payment", payment=p, adjustment="reversa")
    call(ctx, "annul_credit", payment=p, reason="correccion_estimacion")
    call(ctx, "annul_payment", payment=p, reason="correccion_estimacion")
    assert not call(ctx, "payment_sent_to_accounting", payment=p)
    assert call(ctx, "reinvoice", payment=p)["customer_id"] == "900123456-7"
    assert account_statement(ctx.session, "20261006", now=ctx.now).balance == Decimal("3900000.00")
