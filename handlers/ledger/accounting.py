"""The general-ledger export ("migrado contablemente", GP): sends, reversals and resends of payments."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from handlers.errors import HandlerInputError
from handlers.ledger.kinds import ExportKind
from handlers.ledger.models import AccountingExport, Payment
from handlers.ledger.values import Audit


def check_analytic_dimension(value: str) -> str:
    """Nivel-Sesión-Departamento, e.g. "PRE-2026A-ADM": three non-empty parts separated by '-'."""
    parts = value.split("-") if isinstance(value, str) else []
    if len(parts) != 3 or not all(p.strip() and p == p.strip() for p in parts):
        raise HandlerInputError(
            f"La dimensión analítica «{value}» no tiene la forma Nivel-Sesión-Departamento "
            "(por ejemplo, PRE-2026A-ADM).",
            field="analytic_dimension",
        )
    return value


def check_summary_type(value: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise HandlerInputError("El tipo de resumen es obligatorio.", field="summary_type")
    return value.strip()


def send_to_accounting(
    session: Session,
    payment: Payment,
    *,
    summary_type: str,
    analytic_dimension: str,
    application_date: date,
    income_account: str,
    audit: Audit,
) -> AccountingExport:
    if current_export(session, payment) is not None:
        raise HandlerInputError(f"El pago {payment.number} ya fue enviado a contabilidad.", field="payment")
    export = AccountingExport(
        payment_id=payment.id,
        kind=ExportKind.SENT,
        summary_type=check_summary_type(summary_type),
        analytic_dimension=check_analytic_dimension(analytic_dimension),
        application_date=application_date,
        income_account=income_account,
        **audit.columns(),
    )
    session.add(export)
    session.flush()
    return export


def exports_of(session: Session, payment: Payment) -> list[AccountingExport]:
    return list(
        session.scalars(
            select(AccountingExport)
            .where(AccountingExport.payment_id == payment.id)
            .order_by(AccountingExport.id)
        )
    )


def current_export(session: Session, payment: Payment) -> AccountingExport | None:
    """The send (or resend) that currently stands in GP, if any."""
    exports = exports_of(session, payment)
    if not exports or exports[-1].kind == ExportKind.REVERSAL:
        return None
    return exports[-1]


def reverse_and_resend(
    session: Session, payment: Payment, *, summary_type: str, analytic_dimension: str, audit: Audit
) -> tuple[AccountingExport, AccountingExport]:
    """Reverse the standing send and send again with the new summary type and analytic dimension.

    The resend keeps the application date and the income account of the FIRST send.
    """
    summary = check_summary_type(summary_type)
    dimension = check_analytic_dimension(analytic_dimension)
    exports = exports_of(session, payment)
    standing = exports[-1] if exports and exports[-1].kind != ExportKind.REVERSAL else None
    if standing is None:
        raise HandlerInputError(f"El pago {payment.number} no ha sido enviado a contabilidad.", field="payment")
    if standing.kind == ExportKind.RESEND and (standing.summary_type, standing.analytic_dimension) == (
        summary,
        dimension,
    ):
        raise HandlerInputError(
            f"El pago {payment.number} ya fue reenviado como {summary} / {dimension}.", field="payment"
        )
    first = exports[0]
    reversal = AccountingExport(
        payment_id=payment.id,
        kind=ExportKind.REVERSAL,
        summary_type=standing.summary_type,
        analytic_dimension=standing.analytic_dimension,
        application_date=standing.application_date,
        income_account=standing.income_account,
        reverses_id=standing.id,
        **audit.columns(),
    )
    session.add(reversal)
    session.flush()
    resend = AccountingExport(
        payment_id=payment.id,
        kind=ExportKind.RESEND,
        summary_type=summary,
        analytic_dimension=dimension,
        application_date=first.application_date,
        income_account=first.income_account,
        **audit.columns(),
    )
    session.add(resend)
    session.flush()
    return reversal, resend
