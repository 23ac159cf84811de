"""``cauce mail``: deliver the due outbox now (SMTP or kept for the mailbox) and count it by status."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli.main import main
from engine.db import Database, utcnow
from handlers.mail.outbox import queue_email
from tests.handlers.mail.smtp_server import smtp_server


def _queue(home: Path, count: int) -> None:
    db = Database(f"sqlite:///{home / 'c.db'}")
    with db.write() as session:
        for n in range(count):
            queue_email(session, kind="case_created", to=f"persona{n}@example.com", subject="Caso creado",
                        body="Su caso quedó registrado.", now=utcnow())
    db.dispose()


def test_send_pending_keeps_mail_without_smtp(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SMTP_URL", raising=False)
    runner = CliRunner()
    assert runner.invoke(main, ["init"]).exit_code == 0
    _queue(home, 2)
    result = runner.invoke(main, ["mail", "send-pending", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == {"smtp": False, "sent": 0, "retried": 0, "failed": 0, "kept": 2}
    status = runner.invoke(main, ["mail", "status", "--json"])
    counts = json.loads(status.output)["counts"]
    assert counts == {"pending": 0, "sent": 0, "kept": 2, "failed": 0}


def test_send_pending_drains_every_batch_by_smtp(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    runner = CliRunner()
    assert runner.invoke(main, ["init"]).exit_code == 0
    _queue(home, 13)  # more than one batch
    with smtp_server() as (port, server):
        monkeypatch.setenv("SMTP_URL", f"smtp://127.0.0.1:{port}")
        result = runner.invoke(main, ["mail", "send-pending"])
    assert result.exit_code == 0, result.output
    assert "13 enviado(s)" in result.output and len(server.received) == 13


def test_a_bad_smtp_url_is_one_clear_line(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SMTP_URL", "ftp://u:secreto@host")
    result = CliRunner().invoke(main, ["mail", "send-pending"])
    assert result.exit_code != 0 and "SMTP_URL" in result.output and "secreto" not in result.output
