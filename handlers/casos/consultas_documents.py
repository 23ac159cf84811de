"""The documents Cartera and Tesorería leave when they answer an advice case (activation certificate, proposed
payment agreement, statement summary, bank claim), signed by the answering unit."""

from __future__ import annotations

from decimal import Decimal

from handlers.casos import documents
from handlers.context import CaseStepContext
from handlers.ledger.models import Account, Document

UNIT_FOOTERS = {
    "cartera": "Universidad Autónoma de Occidente · Cartera · Servicios Financieros",
    "tesoreria": "Universidad Autónoma de Occidente · Tesorería · Servicios Financieros",
}


def issue_document(ctx: CaseStepContext, *, kind: str, unit: str, account: Account, amount: Decimal | None,
                   title: str, lines: list[tuple[str, str]], reason: str, tail: list[str] | None = None) -> Document:
    return documents.issue_document(
        ctx, kind=kind, account=account, amount=amount, title=title, lines=lines, reason=reason, tail=tail,
        footer=[UNIT_FOOTERS[unit], "Documento generado automáticamente a partir del estado de cuenta."])
