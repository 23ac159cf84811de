"""The gateway's server-to-server notification: signature, freshness, strict parsing, then the ledger, once.

The answer is 2xx only when the payment is applied AND the process messages its items produced are sent, so the
gateway's retry finishes a delivery that failed half-way (the ledger part is then "already applied" and the
messages, idempotent by their keys, are sent again). Every refusal is recorded in ``ledger_gateway_notice``.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy.exc import IntegrityError

from engine.runtime import Engine
from handlers.errors import HandlerInputError
from handlers.oficina.apply import (
    APPROVED,
    REJECTED,
    UNAUTHENTICATED_REFUSALS,
    ApplyResult,
    GatewayNotification,
    apply_notification,
    recent_refusals,
    record_notice,
)
from handlers.oficina.order_models import NoticeOutcome
from webui.payments_config import PaymentsConfig

log = logging.getLogger(__name__)

MAX_AGE_SECONDS = 300
REFUSALS_WINDOW = timedelta(minutes=1)
MAX_REFUSALS_RECORDED = 30  # unsigned or stale deliveries recorded per address in the window
MAX_AHEAD_SECONDS = 60
MONEY = re.compile(r"\d{1,12}\.\d{2}")
MOMENT = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z")
SIGNATURE = re.compile(r"[0-9a-f]{64}")
#: Text fields: (longest accepted, may be empty).
TEXT_FIELDS: dict[str, tuple[int, bool]] = {
    "notification_id": (64, False), "merchant": (40, False), "reference": (32, False),
    "transaction_id": (64, False), "currency": (3, False), "bank": (120, False), "unique_code": (32, False),
    "terminal": (32, True), "authorization_code": (32, True), "response_code": (8, True), "error_code": (16, True),
    "description": (200, False), "payer_ip": (64, True),
}
ANSWERS: dict[NoticeOutcome, tuple[int, dict[str, str]]] = {
    NoticeOutcome.APPLIED: (200, {"status": "applied"}),
    NoticeOutcome.ALREADY_APPLIED: (200, {"status": "already_applied"}),
    NoticeOutcome.REJECTED: (200, {"status": "rejected"}),
    NoticeOutcome.REFUSED_UNKNOWN: (404, {"error": "referencia desconocida"}),
    NoticeOutcome.REFUSED_AMOUNT: (409, {"error": "el valor no coincide con la orden"}),
    NoticeOutcome.REFUSED_CONFLICT: (409, {"error": "la notificación contradice la decisión ya tomada sobre la orden"}),
}
Answer = tuple[int, dict[str, Any]]


class Malformed(Exception):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def signature_of(secret: str, timestamp: str, body: bytes) -> str:
    return hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()


def _signed(secret: str, timestamp: str | None, signature: str | None, body: bytes) -> bool:
    if not timestamp or not signature or not timestamp.isascii() or not timestamp.isdigit() or len(timestamp) > 12:
        return False
    given = signature.strip().lower()
    return bool(SIGNATURE.fullmatch(given)) and hmac.compare_digest(signature_of(secret, timestamp, body), given)


def _text(data: dict[str, Any], name: str) -> str:
    longest, may_be_empty = TEXT_FIELDS[name]
    if name not in data:
        raise Malformed(name, f"falta el campo {name}")
    value = data[name]
    if name == "transaction_id" and isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        raise Malformed(name, f"el campo {name} debe ser un texto")
    if len(value) > longest or (not value and not may_be_empty) or any(ord(c) < 32 for c in value):
        raise Malformed(name, f"el campo {name} no es válido")
    return value


def _money(data: dict[str, Any], name: str) -> Decimal:
    value = data.get(name)
    if not isinstance(value, str) or not MONEY.fullmatch(value):
        raise Malformed(name, f"el campo {name} debe ser un valor como 175277.00")
    return Decimal(value)


def parse_notification(body: bytes) -> GatewayNotification:
    """The notification's JSON, every field checked; Malformed names the first bad one."""
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise Malformed("body", "el cuerpo no es JSON UTF-8 válido") from exc
    if not isinstance(data, dict):
        raise Malformed("body", "el cuerpo debe ser un objeto JSON")
    text = {name: _text(data, name) for name in TEXT_FIELDS}
    status = data.get("status")
    if status not in (APPROVED, REJECTED):
        raise Malformed("status", "el campo status debe ser approved o rejected")
    instalments = data.get("instalments")
    if not isinstance(instalments, int) or isinstance(instalments, bool) or not 1 <= instalments <= 99:
        raise Malformed("instalments", "el campo instalments debe ser un entero de 1 a 99")
    processed = data.get("processed_at")
    if not isinstance(processed, str) or not MOMENT.fullmatch(processed):
        raise Malformed("processed_at", "el campo processed_at debe ser una hora UTC como 2026-11-23T16:03:33Z")
    try:
        processed_at = datetime.strptime(processed, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    except ValueError as exc:
        raise Malformed("processed_at", "el campo processed_at no es una fecha válida") from exc
    return GatewayNotification(status=str(status), amount=_money(data, "amount"), vat=_money(data, "vat"),
                               vat_base=_money(data, "vat_base"), instalments=instalments,
                               processed_at=processed_at, **text)


def _peek(body: bytes) -> dict[str, str | None]:
    """What an unauthenticated body claims to be, for the audit row of its refusal (truncated, never trusted)."""
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return {}
    if not isinstance(data, dict):
        return {}
    return {key: str(data[key])[:64] if data.get(key) is not None else None
            for key in ("notification_id", "reference", "transaction_id")}


def handle_notification(*, engine: Engine, config: PaymentsConfig, body: bytes, timestamp: str | None,
                        signature: str | None, now: datetime, remote_addr: str | None,
                        send: Callable[..., Any] | None = None) -> Answer:
    """(HTTP status, JSON body) for one delivery of a notification."""

    def refuse(outcome: NoticeOutcome, detail: str, status: int, answer: dict[str, Any]) -> Answer:
        with engine.db.write() as session:
            if outcome in UNAUTHENTICATED_REFUSALS and recent_refusals(
                    session, remote_addr, now - REFUSALS_WINDOW) >= MAX_REFUSALS_RECORDED:
                # Anyone may post here: past the budget, unsigned deliveries are refused without a row each,
                # so a flood cannot fill the table.
                return 429, {"error": "demasiadas notificaciones rechazadas desde esta dirección"}
            record_notice(session, outcome=outcome, detail=detail, now=now, remote_addr=remote_addr, **_peek(body))
        return status, answer

    if not _signed(config.secret, timestamp, signature, body):
        return refuse(NoticeOutcome.REFUSED_SIGNATURE, "Firma ausente o inválida.", 401, {"error": "firma inválida"})
    age = now.timestamp() - int(str(timestamp))
    if age > MAX_AGE_SECONDS or age < -MAX_AHEAD_SECONDS:
        return refuse(NoticeOutcome.REFUSED_REPLAY, f"Marca de tiempo fuera de la ventana ({int(age)} s).", 401,
                      {"error": "notificación vencida"})
    try:
        notice = parse_notification(body)
    except Malformed as exc:
        return refuse(NoticeOutcome.REFUSED_MALFORMED, f"{exc.field}: {exc.message}", 400,
                      {"error": exc.message, "field": exc.field})
    if notice.merchant != config.merchant_id:
        return refuse(NoticeOutcome.REFUSED_UNKNOWN, f"Comercio {notice.merchant} distinto de {config.merchant_id}.",
                      400, {"error": "el comercio no es este", "field": "merchant"})
    result = _apply(engine, notice, now, remote_addr)
    if isinstance(result, HandlerInputError):  # rolled back whole; kept for the staff to settle by hand
        return refuse(NoticeOutcome.REFUSED_CONFLICT, f"El pago no se pudo aplicar a la cuenta: {result}", 409,
                      {"error": "el pago no se pudo aplicar a la cuenta"})
    status, answer = ANSWERS[result.outcome]
    deliver = send or engine.send_message
    try:
        for message in result.messages:
            deliver(message.name, message.correlation_key, message.payload, sender="pasarela",
                    message_key=message.message_key)
    except Exception:  # the gateway retries; the ledger part is then "already applied" and the sends repeat
        log.exception("process messages of order %s not sent", notice.reference)
        return 503, {"error": "el pago quedó aplicado pero falta avisar a los procesos; reintente"}
    return status, answer


def _apply(engine: Engine, notice: GatewayNotification, now: datetime,
           remote_addr: str | None) -> ApplyResult | HandlerInputError:
    """Applies in one transaction; a concurrent delivery that won the unique keys first makes this one read the
    order again (and find it applied). The error when an item cannot be applied to the ledger any more."""
    for attempt in (1, 2):
        try:
            with engine.db.write() as session:
                return apply_notification(session, notice, now=now, remote_addr=remote_addr)
        except IntegrityError as exc:
            if attempt == 2:  # not a race: the transaction is already another order's (a gateway fault)
                log.error("order %s: %s", notice.reference, exc)
                return HandlerInputError(f"La transacción {notice.transaction_id} ya está registrada en otra orden.")
        except HandlerInputError as exc:
            log.error("order %s could not be applied: %s", notice.reference, exc)
            return exc
    raise AssertionError("unreachable")
