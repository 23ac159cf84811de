from __future__ import annotations

from collections.abc import Callable

import pytest

from handlers import pro_maa_16 as h
from handlers.errors import HandlerInputError
from handlers.ledger import grant_annulment_permission, revoke_annulment_permission

from .conftest import NOW, Ctx


@pytest.mark.parametrize("reason", ["correccion_estimacion", "baja_academica", "anulacion_beca", "error_transaccion"])
def test_authorized_coordination_may_annul_for_every_reason(ctx: Ctx, reason: str) -> None:
    assert h.requester_may_annul(ctx, reason=reason) is True


def test_user_without_permission_may_not(make_ctx: Callable[..., Ctx]) -> None:
    assert h.requester_may_annul(make_ctx(initiator="coord.medellin"), reason="baja_academica") is False
    assert h.requester_may_annul(make_ctx(initiator=None), reason="baja_academica") is False


def test_revoked_permission_no_longer_allows(make_ctx: Callable[..., Ctx]) -> None:
    ctx = make_ctx(initiator="fact.luis")
    assert h.requester_may_annul(ctx, reason="baja_academica") is True
    revoke_annulment_permission(ctx.session, "fact.luis", actor="nacer.admin", now=NOW, reason="retiro")
    assert h.requester_may_annul(ctx, reason="baja_academica") is False


def test_errors_need_errors_allowed(make_ctx: Callable[..., Ctx]) -> None:
    ctx = make_ctx(initiator="coord.cali")
    grant_annulment_permission(
        ctx.session,
        "coord.cali",
        unit="coordinacion_administrativa",
        errors_allowed=False,
        actor="n",
        now=NOW,
        reason="r",
    )
    assert h.requester_may_annul(ctx, reason="correccion_estimacion") is True
    assert h.requester_may_annul(ctx, reason="error_transaccion") is False


def test_unknown_reason_is_an_input_error(ctx: Ctx) -> None:
    with pytest.raises(HandlerInputError) as err:
        h.requester_may_annul(ctx, reason="capricho")
    assert err.value.field == "reason"


@pytest.mark.parametrize(
    ("payment", "invoiced", "used", "identified", "sent"),
    [
        ("PG-1001", True, False, True, True),
        ("PG-1002", True, True, True, False),
        ("PG-1003", False, False, True, False),
        ("PG-1004", False, False, False, False),
        ("PG-1005", False, False, False, False),
        ("PG-1006", True, False, True, False),
    ],
)
def test_gateways_over_the_demo_payments(
    ctx: Ctx, payment: str, invoiced: bool, used: bool, identified: bool, sent: bool
) -> None:
    assert h.payment_is_invoiced(ctx, payment=payment) is invoiced
    assert h.invoice_is_used(ctx, payment=payment) is used
    assert h.payment_is_identified(ctx, payment=payment) is identified
    assert h.payment_sent_to_accounting(ctx, payment=payment) is sent
    assert h.invoice_annulled_for(ctx, payment=payment) is False


@pytest.mark.parametrize(
    "gateway",
    [
        h.payment_is_invoiced,
        h.invoice_is_used,
        h.payment_is_identified,
        h.payment_sent_to_accounting,
        h.invoice_annulled_for,
    ],
)
def test_unknown_payment_is_an_input_error(ctx: Ctx, gateway: Callable[..., bool]) -> None:
    with pytest.raises(HandlerInputError) as err:
        gateway(ctx, payment="PG-9999")
    assert err.value.field == "payment"


def test_invoice_annulled_for_until_reinvoiced(ctx: Ctx) -> None:
    h.annul_invoice(ctx, payment="PG-1006", reason="correccion_estimacion")
    assert h.invoice_annulled_for(ctx, payment="PG-1006") is True
    assert h.payment_is_invoiced(ctx, payment="PG-1006") is False
    h.reinvoice(ctx, payment="PG-1006")
    assert h.invoice_annulled_for(ctx, payment="PG-1006") is False
    assert h.payment_is_invoiced(ctx, payment="PG-1006") is True
