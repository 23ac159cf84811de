"""Adhesions of an account to Factura digital (the invoice by e-mail) and Débito automático (bank data).

Each adhesion or cancellation is an event row; the latest event of an (account, service) pair is the current
state, and the rows are the trail shown as "Historial de adhesiones". Adhering twice, or cancelling what is not
adhered, is a ``StateConflict`` (409): nothing is written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from handlers.errors import HandlerInputError
from handlers.ledger.values import Audit
from handlers.oficina.link_models import AdhesionEvent, AdhesionKind, AdhesionService, BankAccountType
from handlers.oficina.links import StateConflict

SERVICE_LABELS = {AdhesionService.DIGITAL_INVOICE: "Factura digital",
                  AdhesionService.DIRECT_DEBIT: "Débito automático"}
KIND_LABELS = {AdhesionKind.ADHESION: "Adhesión", AdhesionKind.CANCELLATION: "Cancelación"}
ACCOUNT_TYPE_LABELS = {BankAccountType.SAVINGS: "Ahorros", BankAccountType.CHECKING: "Corriente"}
#: The banks offered for a direct debit (the PSE list of the gateway's simulator, the common ones in Colombia).
BANKS = ("Bancolombia", "Banco de Bogotá", "Davivienda", "BBVA Colombia", "Banco de Occidente", "Banco Popular",
         "Banco AV Villas", "Scotiabank Colpatria", "Banco Caja Social", "Banco Agrario de Colombia")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass(frozen=True)
class AdhesionChange:
    """One line of the "Historial de adhesiones": who did what, when."""

    service: str
    service_label: str
    kind: str
    kind_label: str
    actor: str
    at: datetime
    detail: str


@dataclass(frozen=True)
class AdhesionState:
    service: str
    label: str
    adhered: bool
    email: str | None  # Factura digital: where the invoice arrives
    bank: str | None
    bank_account_type: str | None
    bank_account_masked: str | None
    since: datetime | None


@dataclass(frozen=True)
class DirectDebitData:
    bank: str
    account_type: str
    account_number: str
    holder: str
    holder_document: str


def _latest(session: Session, account_id: int, service: AdhesionService) -> AdhesionEvent | None:
    return session.scalars(select(AdhesionEvent)
                           .where(AdhesionEvent.account_id == account_id, AdhesionEvent.service == service)
                           .order_by(AdhesionEvent.id.desc()).limit(1)).first()


def adhesion_state(session: Session, account_id: int, service: AdhesionService) -> AdhesionState:
    event = _latest(session, account_id, service)
    adhered = event is not None and event.kind == AdhesionKind.ADHESION
    return AdhesionState(service=service.value, label=SERVICE_LABELS[service], adhered=adhered,
                         email=event.email if adhered and event else None,
                         bank=event.bank if adhered and event else None,
                         bank_account_type=event.bank_account_type if adhered and event else None,
                         bank_account_masked=event.bank_account_masked if adhered and event else None,
                         since=event.recorded_at if adhered and event else None)


def adhesions_of(session: Session, account_id: int) -> dict[str, bool]:
    """Whether the account is adhered to each service ("factura_digital", "debito_automatico")."""
    return {s.value: adhesion_state(session, account_id, s).adhered for s in AdhesionService}


def _detail(event: AdhesionEvent) -> str:
    if event.kind != AdhesionKind.ADHESION:
        return ""
    if event.service == AdhesionService.DIGITAL_INVOICE:
        return f"Correo {event.email}"
    kind = ACCOUNT_TYPE_LABELS.get(BankAccountType(event.bank_account_type), "") if event.bank_account_type else ""
    return f"{event.bank} · cuenta {kind.lower()} {event.bank_account_masked}"


def adhesion_history(session: Session, account_id: int, service: AdhesionService | None = None,
                     limit: int = 100) -> list[AdhesionChange]:
    """The account's adhesions and cancellations, newest first."""
    query = select(AdhesionEvent).where(AdhesionEvent.account_id == account_id)
    if service is not None:
        query = query.where(AdhesionEvent.service == service)
    events = session.scalars(query.order_by(AdhesionEvent.id.desc()).limit(limit))
    return [AdhesionChange(service=e.service, service_label=SERVICE_LABELS[AdhesionService(e.service)],
                           kind=e.kind, kind_label=KIND_LABELS[AdhesionKind(e.kind)], actor=e.actor,
                           at=e.recorded_at, detail=_detail(e)) for e in events]


def _adhere(session: Session, account_id: int, service: AdhesionService, terms_accepted: bool, audit: Audit,
            **columns: str) -> AdhesionState:
    """The terms accepted and the account not adhered yet: the adhesion, with the service's own ``columns``."""
    if not terms_accepted:
        raise HandlerInputError("Debe aceptar los términos y condiciones.", field="terminos")
    if adhesion_state(session, account_id, service).adhered:
        raise StateConflict(f"La cuenta ya está adherida a {SERVICE_LABELS[service]}.", field="servicio")
    session.add(AdhesionEvent(account_id=account_id, service=service, kind=AdhesionKind.ADHESION,
                              terms_accepted_at=audit.at, **columns, **audit.columns()))
    session.flush()
    return adhesion_state(session, account_id, service)


def _clean_email(value: str) -> str:
    email = (value or "").strip()
    if not email:
        raise HandlerInputError("Escriba el correo donde recibirá la factura.", field="correo")
    if len(email) > 200 or not EMAIL.match(email):
        raise HandlerInputError("El correo no es válido.", field="correo")
    return email


def adhere_digital_invoice(session: Session, account_id: int, *, email: str, terms_accepted: bool,
                           audit: Audit) -> AdhesionState:
    address = _clean_email(email)
    return _adhere(session, account_id, AdhesionService.DIGITAL_INVOICE, terms_accepted, audit, email=address)


def mask_account_number(number: str) -> str:
    return "****" + number[-4:]


def _clean_debit(data: DirectDebitData) -> DirectDebitData:
    bank = (data.bank or "").strip()
    if bank not in BANKS:
        raise HandlerInputError("Elija el banco de la lista.", field="banco")
    try:
        account_type = BankAccountType((data.account_type or "").strip())
    except ValueError as exc:
        raise HandlerInputError("Elija el tipo de cuenta: ahorros o corriente.", field="tipo_cuenta") from exc
    number = re.sub(r"[\s\-]", "", data.account_number or "")
    if not number.isdigit() or not 6 <= len(number) <= 20:
        raise HandlerInputError("El número de cuenta bancaria lleva de 6 a 20 dígitos.", field="numero_cuenta")
    holder = " ".join((data.holder or "").split())
    if not holder or len(holder) > 200:
        raise HandlerInputError("Escriba el nombre del titular de la cuenta bancaria (hasta 200 caracteres).",
                                field="titular")
    document = re.sub(r"[\s.\-]", "", data.holder_document or "").upper()
    if not document or len(document) > 32 or not document.isalnum():
        raise HandlerInputError("Escriba el documento del titular: letras y dígitos, hasta 32.",
                                field="documento_titular")
    return DirectDebitData(bank=bank, account_type=account_type.value, account_number=number, holder=holder,
                           holder_document=document)


def adhere_direct_debit(session: Session, account_id: int, *, data: DirectDebitData, terms_accepted: bool,
                        audit: Audit) -> AdhesionState:
    clean = _clean_debit(data)
    return _adhere(session, account_id, AdhesionService.DIRECT_DEBIT, terms_accepted, audit, bank=clean.bank,
                   bank_account_type=clean.account_type,
                   bank_account_masked=mask_account_number(clean.account_number), bank_holder=clean.holder,
                   bank_holder_document=clean.holder_document)


def cancel_adhesion(session: Session, account_id: int, service: AdhesionService | str, audit: Audit) -> None:
    try:
        kind = AdhesionService(service)
    except ValueError as exc:
        raise HandlerInputError(f"No existe el servicio «{service}».", field="servicio") from exc
    if not adhesion_state(session, account_id, kind).adhered:
        raise StateConflict(f"La cuenta no está adherida a {SERVICE_LABELS[kind]}.", field="servicio")
    session.add(AdhesionEvent(account_id=account_id, service=kind, kind=AdhesionKind.CANCELLATION,
                              **audit.columns()))
    session.flush()
