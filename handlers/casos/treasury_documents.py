"""The documents Tesorería generates for a case (ACH and international transfer instructions, personalised
receipts), with Tesorería's footer."""

from __future__ import annotations

from decimal import Decimal

from handlers.casos import documents
from handlers.context import CaseStepContext
from handlers.ledger.models import Account, Document

TREASURY_FOOTER = ["Universidad Autónoma de Occidente · Tesorería · Servicios Financieros",
                   "Documento generado automáticamente; consérvelo como soporte del pago."]


def issue_document(ctx: CaseStepContext, *, kind: str, account: Account, amount: Decimal | None, title: str,
                   lines: list[tuple[str, str]], reason: str) -> Document:
    return documents.issue_document(ctx, kind=kind, account=account, amount=amount, title=title, lines=lines,
                                    reason=reason, footer=TREASURY_FOOTER)
