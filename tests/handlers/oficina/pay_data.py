"""Orders and bank notifications for the paying tests (oficina-pay)."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from handlers.ledger.loans import LoanProgram, open_loan
from handlers.ledger.models import Account, Charge, Loan
from handlers.oficina.apply import GatewayNotification
from handlers.oficina.orders import OrderItemRequest, OrderView, create_order
from tests.handlers.oficina.office_data import AUDIT, NOW, TODAY, charge, student

USER = "acudiente.prueba"


def loan(session: Session, account: Account, principal: str = "1752770", instalment: str = "175277") -> Loan:
    return open_loan(session, account_code=account.code, program=LoanProgram.LONG_TERM, principal=principal,
                     instalment=instalment, opened_on=TODAY - timedelta(days=200), audit=AUDIT)


def charge_item(target: Charge, amount: str | None = None) -> OrderItemRequest:
    return OrderItemRequest(kind="charge", ref=str(target.id), amount=Decimal(amount or target.amount),
                            description=target.description)


def order(session: Session, account: Account, items: list[OrderItemRequest], **kwargs: Any) -> OrderView:
    return create_order(session, username=kwargs.get("username", USER), account_id=account.id, items=items,
                        now=kwargs.get("now", NOW), client_ip="127.0.0.1")


def setup(session: Session) -> tuple[Account, Charge, Charge]:
    account = student(session)
    return account, charge(session, account, "1500000", -5), charge(session, account, "38500", 20, "Certificado")


def notification(view: OrderView, **changes: Any) -> GatewayNotification:
    base = GatewayNotification(
        notification_id=f"n-{view.reference}", merchant="UNIV-CAUCE", reference=view.reference, transaction_id="83",
        status="approved", amount=view.amount, currency="COP", vat=Decimal("0.00"), vat_base=Decimal("0.00"),
        instalments=1, bank="Banco de Bogotá", unique_code="1706", terminal="000", authorization_code="0012AB",
        response_code="00", error_code="2300", description="Aprobada", processed_at=NOW + timedelta(minutes=3),
        payer_ip="127.0.0.1")
    return replace(base, **changes)
