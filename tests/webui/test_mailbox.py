"""Buzón de correo: only administrators read the outbox; without SMTP_URL it says mail is not being sent."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from flask import Flask

from engine.db import Database, utcnow
from handlers.mail.delivery import keep_pending
from handlers.mail.outbox import queue_email
from tests.webui.conftest import SignedIn


def _queue(db: Database) -> list[int]:
    now = utcnow()
    with db.write() as session:
        ids = [queue_email(session, kind="case_created", to="madre@example.com", subject="Caso SF-2026-000001 creado",
                           body="Su caso quedó registrado. Véalo en https://cauce.example/mis-casos?x=<b>1</b>",
                           now=now - timedelta(minutes=5), recipient_user="madre@example.com").id,
               queue_email(session, kind="escalation", to="supervisor@example.com", subject="Caso vencido <script>",
                           body="Revise el caso.", now=now).id]
    keep_pending(db.write, now)
    return ids


def test_the_admin_reads_the_kept_mail_newest_first(app: Flask, db: Database,
                                                    sign_in: Callable[[str], SignedIn]) -> None:
    first, _ = _queue(db)
    admin = sign_in("admin")
    assert 'href="/buzon"' in admin.get("/bandeja").get_data(as_text=True)  # in the menu
    page = admin.get("/buzon").get_data(as_text=True)
    assert "SMTP_URL no está configurado" in page and "no se está enviando" in page
    assert page.index("Caso vencido &lt;script&gt;") < page.index("Caso SF-2026-000001 creado")
    assert "supervisor@example.com" in page and "Escalamiento" in page and "Guardado (sin SMTP)" in page
    message = admin.get(f"/buzon/{first}").get_data(as_text=True)
    assert "Su caso quedó registrado." in message and "madre@example.com" in message
    assert '<a href="https://cauce.example/mis-casos?x=">' in message and "&lt;b&gt;1&lt;/b&gt;" in message
    assert admin.get("/buzon/999999").status_code == 404
    assert admin.get("/buzon?pagina=abc").status_code == 200


def test_with_smtp_the_page_lists_statuses_without_the_notice(app: Flask, db: Database,
                                                              sign_in: Callable[[str], SignedIn]) -> None:
    _queue(db)
    app.config["CAUCE_SMTP_CONFIGURED"] = True
    page = sign_in("admin").get("/buzon").get_data(as_text=True)
    assert "SMTP_URL no está configurado" not in page and "se envía por SMTP" in page


def test_nobody_else_reads_it(app: Flask, db: Database, sign_in: Callable[[str], SignedIn]) -> None:
    first, _ = _queue(db)
    anonymous = app.test_client().get(f"/buzon/{first}")
    assert anonymous.status_code == 302 and "/iniciar-sesion" in anonymous.headers["Location"]
    for person in ("estudiante.camila", "supervisor.raul", "nacer.admin"):
        me = sign_in(person)
        assert me.get("/buzon").status_code == 403 and me.get(f"/buzon/{first}").status_code == 403
        assert 'href="/buzon"' not in me.get("/bandeja").get_data(as_text=True)
