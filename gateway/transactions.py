"""A transaction's life: opened by a checkout, the payer's bank chosen, approved or rejected exactly once."""

from __future__ import annotations

import json
import re
import secrets
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from gateway.checkout import Charge, CheckoutRequest, GatewayInputError
from gateway.models import APPROVED, PENDING, REJECTED, Notification, Transaction

#: The banks of the "Seleccione su banco" list; the last one refuses every payment, for trying the rejection.
ALWAYS_REJECTS = "Banco Rechazos (pruebas)"
BANKS = ("Banco de Bogotá", "Bancolombia", "Davivienda", "Banco de Occidente", "Banco Popular", "BBVA Colombia",
         "Nequi", ALWAYS_REJECTS)
PERSON_TYPES = {"natural": "Persona natural", "juridica": "Persona jurídica"}
DOCUMENT = re.compile(r"[0-9A-Za-z-]{4,20}")
EMAIL = re.compile(r"[^@\s]{1,64}@[^@\s]{1,189}\.[^@\s]{2,}")
TERMINAL = "000"
APPROVED_ANSWER = ("00", "2300", "Aprobada")
REJECTED_ANSWER = ("51", "2301", "Rechazada por la entidad financiera")


@dataclass(frozen=True)
class TransactionView(Charge):
    token: str
    number: int
    person_type: str | None
    bank: str | None
    status: str
    authorization_code: str
    response_code: str
    error_code: str
    response_description: str
    processed_at: datetime | None
    payer_ip: str
    return_url: str
    expires_at: datetime

    @property
    def decided(self) -> bool:
        return self.status != PENDING

    def expired(self, now: datetime) -> bool:
        return not self.decided and self.expires_at <= now


@dataclass(frozen=True)
class Decision:
    transaction: TransactionView
    #: The notification to deliver; None when the transaction had already been decided (nothing new to send).
    notification_id: str | None


def _view(tx: Transaction) -> TransactionView:
    return TransactionView(
        token=tx.token, number=tx.id, merchant=tx.merchant, reference=tx.reference, amount=tx.amount,
        currency=tx.currency, vat=tx.vat, vat_base=tx.vat_base, description=tx.description,
        payer_email=tx.payer_email, payer_document=tx.payer_document, person_type=tx.person_type, bank=tx.bank,
        status=tx.status, authorization_code=tx.authorization_code, response_code=tx.response_code,
        error_code=tx.error_code, response_description=tx.response_description, processed_at=tx.processed_at,
        payer_ip=tx.payer_ip, return_url=tx.return_url, expires_at=tx.expires_at)


def _by_token(session: Session, token: str) -> Transaction | None:
    return session.scalars(select(Transaction).where(Transaction.token == token)).one_or_none()


def find_transaction(session: Session, token: str) -> TransactionView | None:
    tx = _by_token(session, token)
    return None if tx is None else _view(tx)


def open_transaction(session: Session, checkout: CheckoutRequest, now: datetime) -> TransactionView:
    """The merchant's reference as a transaction: a new one, or the same one when posted again."""
    existing = _existing(session, checkout)
    if existing is not None:
        return existing
    tx = Transaction(
        token=secrets.token_urlsafe(24), merchant=checkout.merchant, reference=checkout.reference,
        amount=checkout.amount, currency=checkout.currency, vat=checkout.vat, vat_base=checkout.vat_base,
        description=checkout.description, payer_email=checkout.payer_email, payer_document=checkout.payer_document,
        status=PENDING, return_url=checkout.return_url, notify_url=checkout.notify_url,
        expires_at=checkout.expires_at, created_at=now)
    try:
        with session.begin_nested():
            session.add(tx)
    except IntegrityError:
        # The same checkout posted twice at once: the other request opened it first.
        again = _existing(session, checkout)
        if again is None:
            raise
        return again
    return _view(tx)


def _existing(session: Session, checkout: CheckoutRequest) -> TransactionView | None:
    tx = session.scalars(select(Transaction).where(Transaction.merchant == checkout.merchant,
                                                  Transaction.reference == checkout.reference)).one_or_none()
    if tx is None:
        return None
    if (tx.amount, tx.currency, tx.vat, tx.vat_base) != (checkout.amount, checkout.currency, checkout.vat,
                                                          checkout.vat_base):
        raise GatewayInputError("amount", f"La referencia «{checkout.reference}» ya se usó con otro valor: "
                                          "el comercio debe generar una referencia nueva.")
    if tx.status == PENDING:
        # The latest signed checkout of a pending reference sets where to return and until when it is valid.
        tx.return_url, tx.notify_url, tx.expires_at = checkout.return_url, checkout.notify_url, checkout.expires_at
    return _view(tx)


def choose_bank(session: Session, token: str, form: Mapping[str, str], now: datetime) -> TransactionView:
    """The payer's bank and identity, from the "Seleccione su banco" form."""
    tx = _pending(session, token, now)
    bank = (form.get("bank") or "").strip()
    if bank not in BANKS:
        raise GatewayInputError("bank", "Seleccione su banco de la lista.")
    person_type = (form.get("person_type") or "").strip()
    if person_type not in PERSON_TYPES:
        raise GatewayInputError("person_type", "Indique si es persona natural o jurídica.")
    document = (form.get("document") or "").strip()
    if not DOCUMENT.fullmatch(document):
        raise GatewayInputError("document", "Escriba el número de documento (de 4 a 20 letras o números).")
    email = (form.get("email") or "").strip()
    if len(email) > 254 or not EMAIL.fullmatch(email):
        raise GatewayInputError("email", "Escriba un correo electrónico válido, como nombre@dominio.co.")
    tx.bank, tx.person_type, tx.payer_document, tx.payer_email = bank, person_type, document, email
    return _view(tx)


def _pending(session: Session, token: str, now: datetime) -> Transaction:
    tx = _by_token(session, token)
    if tx is None:
        raise LookupError(token)
    if tx.status != PENDING:
        raise GatewayInputError("token", "Este pago ya fue procesado.")
    if tx.expires_at <= now:
        raise GatewayInputError("expires_at", "El tiempo para completar este pago terminó: regrese al comercio "
                                              "e inicie el pago de nuevo.")
    return tx


def decide(session: Session, token: str, *, approve: bool, payer_ip: str, unique_code: str,
           now: datetime) -> Decision:
    """Approve or reject once, and store the one notification of that decision. A second decision changes
    nothing and has nothing to send: it only shows the first one's result."""
    tx = _by_token(session, token)
    if tx is None:
        raise LookupError(token)
    if tx.status != PENDING:
        return Decision(_view(tx), None)
    _pending(session, token, now)
    if tx.bank is None:
        raise GatewayInputError("bank", "Seleccione su banco antes de aprobar o rechazar el pago.")
    approved = approve and tx.bank != ALWAYS_REJECTS
    response_code, error_code, description = APPROVED_ANSWER if approved else REJECTED_ANSWER
    claimed = session.execute(
        update(Transaction).where(Transaction.id == tx.id, Transaction.status == PENDING).values(
            status=APPROVED if approved else REJECTED, response_code=response_code, error_code=error_code,
            response_description=description, processed_at=now, payer_ip=payer_ip[:45],
            authorization_code=secrets.token_hex(3).upper() if approved else "")
        .execution_options(synchronize_session=False))
    session.refresh(tx)
    if claimed.rowcount == 0:  # type: ignore[attr-defined]
        return Decision(_view(tx), None)  # decided by a concurrent request in the meantime
    notification_id = str(uuid.uuid4())
    session.add(Notification(
        notification_id=notification_id, transaction_id=tx.id, created_at=now, next_attempt_at=now,
        body=json.dumps(notification_body(_view(tx), notification_id, unique_code), ensure_ascii=False)))
    return Decision(_view(tx), notification_id)


def notification_body(tx: TransactionView, notification_id: str, unique_code: str) -> dict[str, object]:
    """What the merchant is told, fixed once: each retry sends these same bytes."""
    return {
        "notification_id": notification_id, "merchant": tx.merchant, "reference": tx.reference,
        "transaction_id": str(tx.number), "status": tx.status, "amount": f"{tx.amount:.2f}",
        "currency": tx.currency, "vat": f"{tx.vat:.2f}", "vat_base": f"{tx.vat_base:.2f}", "instalments": 1,
        "bank": tx.bank or "", "unique_code": unique_code, "terminal": TERMINAL,
        "authorization_code": tx.authorization_code, "response_code": tx.response_code,
        "error_code": tx.error_code, "description": tx.response_description,
        "processed_at": tx.processed_at.strftime("%Y-%m-%dT%H:%M:%SZ") if tx.processed_at else "",
        "payer_ip": tx.payer_ip,
    }
