"""``cauce send``: a message queued for delivery, a resend dropped, bad input named, and the worker keeping a
message nobody waits for as unmatched."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner
from sqlalchemy import select

from cli.main import main
from engine.db import Database
from engine.messages import Message, MessageStatus


def test_send_queues_once_and_the_worker_keeps_what_nobody_waits_for(home: Path) -> None:
    runner = CliRunner()
    assert runner.invoke(main, ["demo", "--json"]).exit_code == 0
    args = ["send", "factura_anulada", "--key", "FE-1", "--data", '{"motivo": "x"}', "--id", "gp-1", "--as",
            "fact.luis"]
    first = runner.invoke(main, [*args, "--json"])
    assert first.exit_code == 0, first.output
    assert json.loads(first.output) == {"message_id": 1, "duplicate": False}
    again = runner.invoke(main, args)
    assert again.exit_code == 0 and "ya se había enviado" in again.output
    assert runner.invoke(main, ["worker", "--once"]).exit_code == 0
    db = Database(f"sqlite:///{home / 'c.db'}")
    try:
        with db.read() as session:
            [message] = session.scalars(select(Message)).all()
            assert (message.status, message.payload) == (MessageStatus.UNMATCHED, {"motivo": "x"})
            assert "Ninguna instancia espera" in (message.note or "")
    finally:
        db.dispose()


def test_send_names_the_bad_field(home: Path) -> None:
    runner = CliRunner()
    assert runner.invoke(main, ["demo", "--json"]).exit_code == 0
    bad = runner.invoke(main, ["send", "m", "--key", "k" * 201, "--as", "fact.luis", "--json"])
    assert bad.exit_code == 1 and "Traceback" not in bad.output
    assert "clave" in bad.output
    not_json = runner.invoke(main, ["send", "m", "--data", "{x", "--as", "fact.luis"])
    assert not_json.exit_code != 0 and "Traceback" not in not_json.output
