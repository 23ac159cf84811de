"""A PSE-like payment gateway simulator: the bank's side of an online payment, a separate app."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from gateway.delivery import DeliveryReport


def deliver_pending(*, secret: str, database_url: str) -> DeliveryReport:
    """Resend, once each, the notifications still pending and due (``cauce pasarela reenviar``)."""
    from gateway.delivery import Deliverer
    from gateway.store import close_store, open_store

    sessions = open_store(database_url)
    try:
        return Deliverer(sessions, secret).deliver_pending()
    finally:
        close_store(sessions)
