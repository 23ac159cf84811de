"""The documents Tesorería generates for a case (ACH and international transfer instructions, personalised
receipts): numbered per kind, tied to the student's account, their printable text kept in the ledger."""

from __future__ import annotations

from decimal import Decimal

from handlers.casos.common import case_audit, posting_date
from handlers.context import CaseStepContext
from handlers.ledger.models import Account, Document
from handlers.ledger.numbering import next_number
from handlers.ledger.statement_render import format_date

#: kind -> number prefix. Each kind has its own series so that a number tells the cashier what it is.
PREFIXES = {"instruccion_ach": "ACH-", "instruccion_internacional": "INT-", "recibo_personalizado": "RCP-"}
FIRST_NUMBER = 1001

TREASURY_FOOTER = ("Universidad Autónoma de Occidente · Tesorería · Servicios Financieros\n"
                   "Documento generado automáticamente; consérvelo como soporte del pago.")


def issue_document(ctx: CaseStepContext, *, kind: str, account: Account, amount: Decimal | None, title: str,
                   lines: list[tuple[str, str]], reason: str) -> Document:
    """Number and store a document whose body is ``title``, the header every document carries (number, date,
    case, student) and ``lines`` as "label: value" rows."""
    number = next_number(ctx.session, Document.number, PREFIXES[kind], start=FIRST_NUMBER)
    issued_on = posting_date(ctx)
    header = [("Número", number), ("Fecha de expedición", format_date(issued_on)),
              ("Caso", ctx.case_number or "-"), ("Estudiante", f"{account.name} ({account.code})")]
    width = max(len(label) for label, _value in header + lines)
    rows = [f"{label + ':':<{width + 1}} {value}" for label, value in header + lines]
    body = "\n".join([title.upper(), "", *rows, "", TREASURY_FOOTER])
    document = Document(number=number, kind=kind, account_id=account.id, amount=amount, issued_on=issued_on,
                        body=body, **case_audit(ctx, reason).columns())
    ctx.session.add(document)
    ctx.session.flush()
    return document
