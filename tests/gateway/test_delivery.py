"""Delivering notifications to a REAL HTTP server on 127.0.0.1: retried after a failure with the same body and
id, bounded (no retry storm), resent by deliver_pending, never raising into the caller. No real waiting: the
backoff's sleeps are recorded, not slept."""

from __future__ import annotations

import json
import socket
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from gateway import deliver_pending
from gateway.checkout import CheckoutRequest
from gateway.delivery import BACKOFF_SECONDS, MAX_ATTEMPTS, Deliverer
from gateway.models import DELIVERED, FAILED, TO_DELIVER, Notification
from gateway.signing import verify_notification
from gateway.store import close_store, open_store
from gateway.transactions import choose_bank, decide, open_transaction
from tests.gateway.conftest import SECRET, Merchant

NOW = datetime(2025, 11, 23, 16, 0, tzinfo=UTC)  # in the past: due for a real clock too


@pytest.fixture
def sessions(gateway_db: str) -> Iterator[sessionmaker[Session]]:
    opened = open_store(gateway_db)
    yield opened
    close_store(opened)


def _decided(sessions: sessionmaker[Session], notify_url: str, reference: str = "OV-1") -> str:
    checkout = CheckoutRequest(
        merchant="UNIV-CAUCE", reference=reference, amount=Decimal("175277.00"), currency="COP",
        vat=Decimal("0.00"), vat_base=Decimal("0.00"), description="Factura", payer_email="a@b.co",
        payer_document="1090123456", return_url="http://127.0.0.1/vuelta", notify_url=notify_url,
        expires_at=NOW + timedelta(hours=1))
    with sessions.begin() as session:
        tx = open_transaction(session, checkout, NOW)
        choose_bank(session, tx.token, {"bank": "Nequi", "person_type": "natural", "document": "1090123456",
                                        "email": "a@b.co"}, NOW)
        notification_id = decide(session, tx.token, approve=True, payer_ip="127.0.0.1", unique_code="1706",
                                 now=NOW).notification_id
    assert notification_id is not None
    return notification_id


def _row(sessions: sessionmaker[Session], notification_id: str) -> Notification:
    with sessions.begin() as session:
        return session.scalars(select(Notification).where(Notification.notification_id == notification_id)).one()


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> datetime:
        return self.now


def _deliverer(sessions: sessionmaker[Session], slept: list[float], clock: Callable[[], datetime] | None = None,
               **kwargs: object) -> Deliverer:
    return Deliverer(sessions, SECRET, sleep=slept.append, clock=clock or Clock(), **kwargs)  # type: ignore[arg-type]


def test_retried_after_a_500_then_delivered_with_the_same_body(sessions: sessionmaker[Session],
                                                               merchant: Merchant) -> None:
    notification_id = _decided(sessions, merchant.notify_url())
    merchant.answers = [500, 503]
    slept: list[float] = []
    assert _deliverer(sessions, slept).deliver_with_retries(notification_id, (0, *BACKOFF_SECONDS)) is True
    assert slept == [1, 2] and len(merchant.received) == 3
    assert len({r.body for r in merchant.received}) == 1  # the same bytes each time
    for received in merchant.received:
        assert verify_notification(SECRET, received.headers["X-Pasarela-Timestamp"], received.body,
                                   received.headers["X-Pasarela-Signature"])
    assert json.loads(merchant.received[0].body)["notification_id"] == notification_id
    row = _row(sessions, notification_id)
    assert (row.status, row.attempts, row.last_error, row.next_attempt_at) == (DELIVERED, 3, "", None)
    assert row.delivered_at is not None


def test_no_retry_storm(sessions: sessionmaker[Session], merchant: Merchant) -> None:
    notification_id = _decided(sessions, merchant.notify_url())
    merchant.answers = [500] * (MAX_ATTEMPTS + 5)
    slept: list[float] = []
    clock = Clock()
    deliverer = _deliverer(sessions, slept, clock)
    assert deliverer.deliver_with_retries(notification_id, (0, *BACKOFF_SECONDS)) is False
    assert slept == [1, 2, 4, 8, 16] and len(merchant.received) == 6
    row = _row(sessions, notification_id)
    assert row.status == TO_DELIVER and row.attempts == 6 and row.last_error.startswith("HTTP 500")
    assert row.next_attempt_at is not None and row.next_attempt_at > clock.now
    assert deliverer.deliver_pending(clock.now).attempted == 0  # not due yet
    while True:  # each resend is one attempt, until the notification is given up
        clock.now += timedelta(minutes=1)
        report = deliverer.deliver_pending(clock.now)
        if report.attempted == 0:
            break
        assert report.attempted == 1 and report.delivered == 0
    assert len(merchant.received) == MAX_ATTEMPTS
    assert _row(sessions, notification_id).status == FAILED
    clock.now += timedelta(days=1)
    assert deliverer.deliver_pending(clock.now).attempted == 0 and len(merchant.received) == MAX_ATTEMPTS
    merchant.answers = []
    assert deliverer.resend(notification_id) is True  # a person's resend, also of a given-up one
    assert _row(sessions, notification_id).status == DELIVERED


def test_deliver_pending_resends_once_and_twice_is_harmless(sessions: sessionmaker[Session], merchant: Merchant,
                                                            gateway_db: str) -> None:
    first, second = _decided(sessions, merchant.notify_url(), "OV-1"), _decided(sessions, merchant.notify_url(),
                                                                              "OV-2")
    report = deliver_pending(secret=SECRET, database_url=gateway_db)
    assert (report.attempted, report.delivered, report.still_pending) == (2, 2, 0)
    assert deliver_pending(secret=SECRET, database_url=gateway_db).attempted == 0
    assert sorted(json.loads(r.body)["notification_id"] for r in merchant.received) == sorted([first, second])


def test_failures_are_recorded_never_raised(sessions: sessionmaker[Session], merchant: Merchant) -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{probe.getsockname()[1]}/pagos/notificacion"
    refused = _decided(sessions, closed, "OV-1")
    slept: list[float] = []
    assert _deliverer(sessions, slept).attempt(refused) is False
    assert "Error" in _row(sessions, refused).last_error

    redirected = _decided(sessions, merchant.notify_url(), "OV-2")
    merchant.answers = [302]
    assert _deliverer(sessions, slept).attempt(redirected) is False  # a redirect is no acknowledgement
    assert _row(sessions, redirected).last_error.startswith("HTTP 302")

    def broken(*_args: object) -> str | None:
        raise RuntimeError("poster roto")

    broken_one = _decided(sessions, merchant.notify_url(), "OV-3")
    assert _deliverer(sessions, slept, synchronous=True, post=broken, backoff=()).dispatch(broken_one) is None
    row = _row(sessions, broken_one)
    assert row.status == TO_DELIVER and row.attempts == 1 and "poster roto" in row.last_error
    assert slept == []


def test_dispatch_delivers_from_a_background_thread(sessions: sessionmaker[Session], merchant: Merchant) -> None:
    notification_id = _decided(sessions, merchant.notify_url())
    merchant.answers = [500]
    slept: list[float] = []
    thread = _deliverer(sessions, slept).dispatch(notification_id)
    assert thread is not None and thread.daemon
    thread.join(timeout=30)
    assert not thread.is_alive()
    assert len(merchant.received) == 2 and slept == [1]
    assert _row(sessions, notification_id).status == DELIVERED


def test_the_tables_are_the_gateway_s_own(gateway_db: str) -> None:
    for _ in range(2):  # opening again finds the tables made
        opened = open_store(gateway_db)
        with opened.begin() as session:
            assert session.scalars(select(Notification)).all() == []
        close_store(opened)
