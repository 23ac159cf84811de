"""The SMS outbox: queued in the caller's transaction, kept for the Buzón de SMS without a gateway, delivered by
HTTP with one (tested against a real server on 127.0.0.1), retried on transient failures, and read for the page."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from cli.wiring import worker_chores
from engine.config import Settings
from engine.db import Database
from engine.worker import Worker
from handlers.errors import HandlerInputError
from handlers.mail.delivery import backoff
from handlers.mail.models import MailStatus
from handlers.sms.backends import HttpSmsBackend, OutboxOnlyBackend, sms_backend
from handlers.sms.box import list_sms
from handlers.sms.delivery import deliver_pending, sms_delivery_chore
from handlers.sms.models import OutboxSms
from handlers.sms.outbox import normalize_number, queue_sms
from tests.conftest import make_engine
from tests.handlers.sms.sms_server import sms_gateway

NOW = datetime(2026, 11, 23, 15, 30, tzinfo=UTC)


def _queue(db: Database, to: str = "300 123 0434", body: str = "Su código de acceso a cauce es 123456.") -> int:
    with db.write() as session:
        return queue_sms(session, to, body, "login_code", NOW).id


def _rows(db: Database) -> list[OutboxSms]:
    with db.read() as session:
        return list(session.scalars(select(OutboxSms).order_by(OutboxSms.id)))


def test_numbers_are_normalized_and_bad_ones_refused() -> None:
    assert normalize_number("300 123 0434") == "+573001230434"
    assert normalize_number("(300) 123-0434") == "+573001230434"
    assert normalize_number("+34 600 123 456") == "+34600123456"
    assert normalize_number("6013491109") == "6013491109"  # a landline is kept as typed
    for bad in ("", "123", "300-CAUCE-01", "+57 300 123 0434 5555 555"):
        with pytest.raises(HandlerInputError) as caught:
            normalize_number(bad)
        assert caught.value.field == "to"


def test_queue_validates_the_body_and_needs_an_aware_time(db: Database) -> None:
    with db.write() as session, pytest.raises(HandlerInputError):
        queue_sms(session, "3001230434", "x" * 481, "login_code", NOW)
    with db.write() as session, pytest.raises(ValueError):
        queue_sms(session, "3001230434", "hola", "login_code", NOW.replace(tzinfo=None))
    _queue(db)
    [row] = _rows(db)
    assert (row.to, row.status, row.attempts, row.sent_at) == ("+573001230434", MailStatus.PENDING, 0, None)


def test_a_rolled_back_transaction_queues_nothing(db: Database) -> None:
    with pytest.raises(RuntimeError), db.write() as session:
        queue_sms(session, "3001230434", "hola", "login_code", NOW)
        raise RuntimeError("the step failed")
    assert _rows(db) == []


def test_without_a_gateway_messages_are_kept_for_the_box(db: Database) -> None:
    _queue(db)
    assert isinstance(sms_backend(None, None), OutboxOnlyBackend)
    report = deliver_pending(db.write, OutboxOnlyBackend(), NOW)
    assert report.as_dict() == {"sent": 0, "retried": 0, "failed": 0, "kept": 1}
    [row] = _rows(db)
    assert row.status == MailStatus.KEPT and row.sent_at is None
    with db.read() as session:
        page = list_sms(session)
    assert page.total == 1 and page.items[0].status_label == "Guardado (sin pasarela de SMS)"
    assert page.items[0].kind_label == "Código de acceso" and "123456" in page.items[0].body


def test_the_http_backend_posts_json_with_the_bearer_key(db: Database) -> None:
    sms_id = _queue(db)
    with sms_gateway() as gateway:
        settings = Settings.from_env({"CAUCE_SMS_URL": gateway.url, "CAUCE_SMS_KEY": "clave-secreta"})
        backend = sms_backend(settings.sms_url, settings.sms_key)
        assert isinstance(backend, HttpSmsBackend) and "clave-secreta" not in repr(backend)
        report = deliver_pending(db.write, backend, NOW)
    assert report.sent == 1
    [got] = gateway.received
    assert got["path"] == "/v1/sms" and got["authorization"] == "Bearer clave-secreta"
    assert got["content_type"] == "application/json" and got["idempotency_key"] == f"cauce-sms-{sms_id}"
    assert got["body"] == {"to": "+573001230434", "body": "Su código de acceso a cauce es 123456."}
    [row] = _rows(db)
    assert (row.status, row.sent_at, row.attempts, row.last_error) == (MailStatus.SENT, NOW, 1, None)


def test_transient_failures_are_retried_later_and_refusals_fail_for_good(db: Database) -> None:
    _queue(db, body="primero")
    _queue(db, body="segundo")
    with sms_gateway() as gateway:
        gateway.statuses = [503, 400]
        backend = HttpSmsBackend(gateway.url, "k")
        report = deliver_pending(db.write, backend, NOW)
        assert (report.retried, report.failed) == (1, 1)
        retried, refused = _rows(db)
        assert retried.status == MailStatus.PENDING and "503" in (retried.last_error or "")
        assert retried.next_attempt_at == NOW + backoff(1)
        assert refused.status == MailStatus.FAILED and "400" in (refused.last_error or "")
        assert deliver_pending(db.write, backend, NOW).handled == 0  # not due yet
        assert deliver_pending(db.write, backend, NOW + backoff(1)).sent == 1
    assert [r["body"]["body"] for r in gateway.received] == ["primero", "segundo", "primero"]
    assert _rows(db)[0].status == MailStatus.SENT


def test_an_unreachable_gateway_is_a_transient_failure(db: Database) -> None:
    _queue(db)
    with sms_gateway() as gateway:
        url = gateway.url
    report = deliver_pending(db.write, HttpSmsBackend(url, "k", timeout=2), NOW)  # the server is gone now
    assert report.retried == 1 and "no se pudo contactar" in (_rows(db)[0].last_error or "")


def test_gives_up_after_the_last_attempt(db: Database) -> None:
    _queue(db)
    with sms_gateway() as gateway:
        gateway.statuses = [500, 500]
        backend = HttpSmsBackend(gateway.url, "k")
        deliver_pending(db.write, backend, NOW, max_attempts=2)
        report = deliver_pending(db.write, backend, NOW + timedelta(hours=1), max_attempts=2)
    assert report.failed == 1 and "tras 2 intentos" in (_rows(db)[0].last_error or "")


def test_only_http_urls_are_accepted() -> None:
    with pytest.raises(ValueError, match="CAUCE_SMS_URL"):
        HttpSmsBackend("ftp://example.com/sms", "k")


def test_the_worker_runs_the_sms_chore_beside_the_mail_one(db: Database) -> None:
    _queue(db)
    Worker(make_engine(db), "w1", chores=worker_chores(Settings.from_env({}), db)).run_once(NOW)
    assert [r.status for r in _rows(db)] == [MailStatus.KEPT]
    _queue(db)
    with sms_gateway() as gateway:
        settings = Settings.from_env({"CAUCE_SMS_URL": gateway.url})
        Worker(make_engine(db), "w1", chores=worker_chores(settings, db)).run_once(NOW)
        assert sms_delivery_chore(db.write, gateway.url, None)(NOW) == 0  # nothing left
    assert [r.status for r in _rows(db)] == [MailStatus.KEPT, MailStatus.SENT] and len(gateway.received) == 1
