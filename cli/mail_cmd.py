"""``cauce mail``: the e-mail outbox from the command line (deliver now, look at what is there)."""

from __future__ import annotations

import click

from cli.output import emit, handled, json_option
from cli.wiring import open_database, require_current_schema
from engine.config import Settings
from engine.db import utcnow
from handlers.mail.delivery import DeliveryReport, deliver_pending, keep_pending
from handlers.mail.mailbox import outbox_counts
from handlers.mail.transport import SmtpSettings, SmtpTransport


@click.group(help="El buzón de salida de correo (SMTP_URL, o el buzón de desarrollo /buzon).")
def mail() -> None:
    pass


@mail.command("send-pending", help="Entrega ahora el correo pendiente que ya venció (sin esperar al trabajador). "
                                   "Sin SMTP_URL lo guarda para el buzón de desarrollo.")
@json_option
@handled
def send_pending(as_json: bool) -> None:
    settings = Settings.from_env()
    db = open_database(settings)
    require_current_schema(db)
    now = utcnow()
    if settings.smtp_url is None:
        report = keep_pending(db.write, now)
    else:
        smtp = SmtpSettings.parse(settings.smtp_url)
        totals = DeliveryReport()
        while True:  # batch after batch until nothing due is left
            batch = deliver_pending(db.write, SmtpTransport(smtp, settings.mail_from), now)
            totals = DeliveryReport(*(a + b for a, b in zip(
                (totals.sent, totals.retried, totals.failed, totals.kept),
                (batch.sent, batch.retried, batch.failed, batch.kept), strict=True)))
            if batch.handled == 0:
                break
        report = totals
    where = "guardado para el buzón de desarrollo (SMTP_URL no está configurado)" if settings.smtp_url is None \
        else "entregado por SMTP"
    emit(as_json, {"smtp": settings.smtp_url is not None, **report.as_dict()},
         f"Correo {where}: {report.sent} enviado(s), {report.retried} para reintentar, {report.failed} fallido(s), "
         f"{report.kept} guardado(s).")


@mail.command("status", help="Cuántos correos hay en el buzón de salida por estado.")
@json_option
@handled
def status(as_json: bool) -> None:
    settings = Settings.from_env()
    db = open_database(settings)
    require_current_schema(db)
    with db.read() as session:
        counts = outbox_counts(session)
    emit(as_json, {"smtp": settings.smtp_url is not None, "counts": counts},
         lambda: "\n".join(f"{name}: {count}" for name, count in counts.items()))
