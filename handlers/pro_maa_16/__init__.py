"""Handlers of PRO-MAA-16, annulment or reversal of applied payments: gateway conditions and service tasks."""

from handlers.pro_maa_16.adjustments import (
    annul_credit,
    annul_payment,
    notify_requester,
    reinvoice,
    reverse_accounting,
)
from handlers.pro_maa_16.conditions import (
    invoice_annulled_for,
    invoice_is_used,
    payment_is_identified,
    payment_is_invoiced,
    payment_sent_to_accounting,
    requester_may_annul,
)
from handlers.pro_maa_16.payment_view import describe_payment
from handlers.pro_maa_16.tasks import annul_invoice, move_to_generic_bag, release_payment

__all__ = [
    "annul_credit",
    "annul_invoice",
    "annul_payment",
    "describe_payment",
    "invoice_annulled_for",
    "invoice_is_used",
    "move_to_generic_bag",
    "notify_requester",
    "payment_is_identified",
    "payment_is_invoiced",
    "payment_sent_to_accounting",
    "reinvoice",
    "release_payment",
    "requester_may_annul",
    "reverse_accounting",
]
