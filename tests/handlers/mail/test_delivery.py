"""Delivering the outbox to a real SMTP server on 127.0.0.1: once per row, with its headers; refusals fail at
once, a server that is down or answers 4xx is retried with backoff and finally given up."""

from __future__ import annotations

import logging
import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from engine.config import Settings
from engine.db import Database
from handlers.mail.delivery import MAX_ATTEMPTS, backoff, deliver_pending, delivery_chore, keep_pending
from handlers.mail.models import MailStatus, OutboxEmail
from handlers.mail.outbox import queue_email
from handlers.mail.transport import SmtpSettings, SmtpTransport
from tests.handlers.mail.smtp_server import Behaviour, closed_port, smtp_server

NOW = datetime(2026, 11, 23, 15, 30, tzinfo=UTC)
SENDER = "Servicios Financieros <no-responder@universidad.edu.co>"


def _queue(db: Database, count: int = 1, to: str = "madre.perez@example.com") -> list[int]:
    with db.write() as session:
        return [queue_email(session, kind="case_created", to=to, subject=f"Caso SF-2026-00012{n} creado: ¡atención!",
                            body=f"Hola, señora Pérez.\nSu caso número {n} quedó registrado.\n.\nGracias.",
                            now=NOW, recipient_user="madre.perez", instance_ref="instance#7").id
                for n in range(count)]


def _rows(db: Database) -> list[OutboxEmail]:
    with db.read() as session:
        return list(session.scalars(select(OutboxEmail).order_by(OutboxEmail.id)))


def _transport(port: int, user: str = "", password: str = "") -> SmtpTransport:
    auth = f"{user}:{password}@" if user else ""
    return SmtpTransport(SmtpSettings.parse(f"smtp://{auth}127.0.0.1:{port}?timeout=5"), SENDER)


def test_each_row_arrives_once_with_its_headers_and_body(db: Database) -> None:
    ids = _queue(db, 2)
    with smtp_server() as (port, server):
        report = deliver_pending(db.write, _transport(port), NOW)
        again = deliver_pending(db.write, _transport(port), NOW + timedelta(hours=1))
    assert (report.sent, report.failed, again.handled) == (2, 0, 0)
    assert len(server.received) == 2
    first = server.received[0]
    assert first.recipients == ["madre.perez@example.com"]
    assert first.sender == "no-responder@universidad.edu.co"
    message = first.message
    assert message["From"] == SENDER and message["To"] == "madre.perez@example.com"
    assert message["Subject"] == "Caso SF-2026-000120 creado: ¡atención!"
    assert message["Date"] == "Mon, 23 Nov 2026 15:30:00 +0000"
    assert message["Message-ID"] == f"<outbox.{ids[0]}.{int(NOW.timestamp())}@universidad.edu.co>"
    assert message.get_content_charset() == "utf-8"
    assert message.get_content().replace("\r\n", "\n") == (
        "Hola, señora Pérez.\nSu caso número 0 quedó registrado.\n.\nGracias.\n")
    rows = _rows(db)
    assert [(r.status, r.attempts, r.sent_at, r.error) for r in rows] == [(MailStatus.SENT, 1, NOW, None)] * 2


def test_signs_in_with_the_url_credentials_and_never_shows_the_password(db: Database) -> None:
    _queue(db)
    secret = "cl@ve secreta"
    url_password = "cl%40ve%20secreta"
    with smtp_server(Behaviour(credentials=("notificaciones", secret))) as (port, server):
        assert deliver_pending(db.write, _transport(port, "notificaciones", url_password), NOW).sent == 1
    assert server.auth_seen == ["notificaciones"] and len(server.received) == 1
    smtp = SmtpSettings.parse(f"smtp://notificaciones:{url_password}@127.0.0.1:25")
    assert secret not in repr(smtp) and secret not in smtp.safe_description
    settings = Settings.from_env({"SMTP_URL": f"smtp://notificaciones:{url_password}@127.0.0.1:25"})
    assert url_password not in repr(settings)


def test_wrong_credentials_are_retried_not_failed(db: Database) -> None:
    _queue(db)
    with smtp_server(Behaviour(credentials=("notificaciones", "buena"))) as (port, server):
        report = deliver_pending(db.write, _transport(port, "notificaciones", "mala"), NOW)
    assert (report.retried, server.received) == (1, [])
    row = _rows(db)[0]
    assert row.status == MailStatus.PENDING and "535" in (row.error or "") and "mala" not in (row.error or "")


def test_a_permanent_recipient_refusal_fails_at_once(db: Database) -> None:
    _queue(db)
    with smtp_server(Behaviour(rcpt_reply="550 5.1.1 No existe ese buzon")) as (port, server):
        report = deliver_pending(db.write, _transport(port), NOW)
    assert (report.failed, server.received) == (1, [])
    row = _rows(db)[0]
    assert (row.status, row.attempts) == (MailStatus.FAILED, 1)
    assert "550" in (row.error or "") and "No existe ese buzon" in (row.error or "")


@pytest.mark.parametrize("how", ["down", "busy"])
def test_a_down_or_busy_server_backs_off_then_fails(db: Database, how: str) -> None:
    _queue(db)
    with smtp_server(Behaviour(rcpt_reply="451 4.3.0 Intente mas tarde")) as (busy_port, server):
        port = closed_port() if how == "down" else busy_port
        now, waits = NOW, []
        for attempt in range(1, MAX_ATTEMPTS + 1):
            too_early = deliver_pending(db.write, _transport(port), now - timedelta(seconds=1))
            assert too_early.handled == 0
            report = deliver_pending(db.write, _transport(port), now)
            row = _rows(db)[0]
            assert row.attempts == attempt
            if attempt < MAX_ATTEMPTS:
                assert (report.retried, row.status) == (1, MailStatus.PENDING)
                waits.append(row.next_attempt_at - now)
                now = row.next_attempt_at
            else:
                assert (report.failed, row.status) == (1, MailStatus.FAILED)
        assert server.received == []
    assert waits == [timedelta(minutes=m) for m in (1, 2, 4, 8, 16)] == [backoff(n) for n in range(1, 6)]
    assert f"tras {MAX_ATTEMPTS} intentos" in (row.error or "")
    assert ("451" in (row.error or "")) == (how == "busy")


def test_without_smtp_mail_is_kept_for_the_mailbox(db: Database) -> None:
    _queue(db, 3)
    chore = delivery_chore(db.write, None, SENDER)
    assert chore(NOW) == 3 and chore(NOW) == 0
    assert {r.status for r in _rows(db)} == {MailStatus.KEPT}
    assert keep_pending(db.write, NOW).kept == 0


def test_several_deliverers_at_once_send_each_row_once(db: Database) -> None:
    ids = _queue(db, 24)
    with smtp_server() as (port, server):
        errors: list[BaseException] = []

        def drain() -> None:
            try:
                while deliver_pending(db.write, _transport(port), NOW, batch=3).handled:
                    pass
            except BaseException as exc:  # surfaced below: a thread's failure must fail the test
                errors.append(exc)

        threads = [threading.Thread(target=drain) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
    assert errors == []
    got = sorted(r.message["Message-ID"] for r in server.received)
    assert len(got) == len(set(got)) == 24
    assert {r.status for r in _rows(db)} == {MailStatus.SENT} and {r.id for r in _rows(db)} == set(ids)


def test_the_chore_logs_where_mail_goes_without_the_password(db: Database, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="cauce.mail"):
        delivery_chore(db.write, "smtps://avisos:SuperSecreta123@smtp.example.com:465", SENDER)
    assert "smtps://avisos@smtp.example.com:465" in caplog.text and "SuperSecreta123" not in caplog.text
