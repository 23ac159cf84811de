"""The documents a case leaves (instructions, receipts, certificates, statements, claims): numbered in a series
per kind, tied to the student's account, their printable text kept in the ledger (``ledger_document``)."""

from __future__ import annotations

from decimal import Decimal

from handlers.casos.common import case_audit, posting_date
from handlers.context import CaseStepContext
from handlers.ledger.models import Account, Document
from handlers.ledger.numbering import next_number
from handlers.ledger.statement_render import format_date

#: kind -> number prefix: each kind has its own series, so that a number says what the document is.
PREFIXES = {
    "instruccion_ach": "ACH-", "instruccion_internacional": "INT-", "recibo_personalizado": "RCP-",
    "constancia_activacion": "CAM-", "acuerdo_pago_propuesto": "APP-", "estado_cuenta": "EDC-",
    "reclamo_pago": "RCL-",
}
FIRST_NUMBER = 1001


def issue_document(ctx: CaseStepContext, *, kind: str, account: Account, amount: Decimal | None, title: str,
                   lines: list[tuple[str, str]], reason: str, footer: list[str],
                   tail: list[str] | None = None) -> Document:
    """Number and store a document: ``title``, the header every document carries (number, date, case,
    student), ``lines`` as "label: value" rows, free ``tail`` lines (tables, notes), then ``footer``."""
    number = next_number(ctx.session, Document.number, PREFIXES[kind], start=FIRST_NUMBER)
    issued_on = posting_date(ctx)
    header = [("Número", number), ("Fecha de expedición", format_date(issued_on)),
              ("Caso", ctx.case_number or "-"), ("Estudiante", f"{account.name} ({account.code})")]
    width = max(len(label) for label, _value in header + lines)
    rows = [f"{label + ':':<{width + 1}} {value}" for label, value in header + lines]
    body = "\n".join([title.upper(), "", *rows, *(["", *tail] if tail else []), "", *footer])
    document = Document(number=number, kind=kind, account_id=account.id, amount=amount, issued_on=issued_on,
                        body=body, **case_audit(ctx, reason).columns())
    ctx.session.add(document)
    ctx.session.flush()
    return document
