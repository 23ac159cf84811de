"""The worker runs the mail chore the wiring hands it, besides its jobs; a failing chore never stops the jobs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from cli.wiring import worker_chores
from engine.config import Settings
from engine.db import Database
from engine.worker import Worker
from handlers.mail.models import MailStatus, OutboxEmail
from handlers.mail.outbox import queue_email
from tests.conftest import make_engine
from tests.handlers.mail.smtp_server import smtp_server

NOW = datetime(2026, 11, 23, 15, 30, tzinfo=UTC)


def _queue(db: Database) -> None:
    with db.write() as session:
        queue_email(session, kind="registration", to="acudiente@example.com", subject="Confirma tu correo",
                    body="Abre el enlace.", now=NOW)


def _statuses(db: Database) -> list[str]:
    with db.read() as session:
        return list(session.scalars(select(OutboxEmail.status)))


def test_a_worker_without_smtp_keeps_mail_for_the_mailbox(db: Database) -> None:
    _queue(db)
    worker = Worker(make_engine(db), "w1", chores=worker_chores(Settings.from_env({}), db))
    assert worker.run_once(NOW) == 0  # no jobs ran; the chore did its part
    assert _statuses(db) == [MailStatus.KEPT]


def test_a_worker_with_smtp_sends_it(db: Database) -> None:
    _queue(db)
    with smtp_server() as (port, server):
        settings = Settings.from_env({"SMTP_URL": f"smtp://127.0.0.1:{port}"})
        Worker(make_engine(db), "w1", chores=worker_chores(settings, db)).run_once(NOW)
    assert _statuses(db) == [MailStatus.SENT] and len(server.received) == 1


def test_chores_run_at_most_once_a_second_unless_busy_and_failures_are_contained(db: Database) -> None:
    calls: list[datetime] = []

    def chore(now: datetime) -> int:
        calls.append(now)
        raise RuntimeError("SMTP caído")

    worker = Worker(make_engine(db), "w1", chores=[chore])
    worker.run_once(NOW)
    worker.run_once(NOW + timedelta(milliseconds=200))
    worker.run_once(NOW + timedelta(seconds=1))
    assert calls == [NOW, NOW + timedelta(seconds=1)]


def test_a_bad_smtp_url_is_named_without_its_value() -> None:
    with pytest.raises(ValueError, match="SMTP_URL") as caught:
        Settings.from_env({"SMTP_URL": "http://u:ClaveMala@host"})
    assert "ClaveMala" not in str(caught.value)
