"""Reading the merchant's checkout form: every field checked, each refusal naming its field.

The signature is checked on the fields exactly as posted (before any parsing), so what the merchant signed is
what the gateway charges: an amount changed in the browser fails the signature.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from urllib.parse import urlsplit

from gateway.signing import SIGNED_CHECKOUT_FIELDS, verify_checkout

MONEY = re.compile(r"(0|[1-9]\d{0,12})\.\d{2}")  # one spelling per value: what is signed is what is notified
REFERENCE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
EXPIRES = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z")
SIGNATURE = re.compile(r"[0-9a-fA-F]{64}")
CURRENCIES = ("COP",)
#: Longest accepted value of each free-text field (the columns' sizes).
LIMITS = {"description": 200, "payer_email": 254, "payer_document": 20, "return_url": 2000, "notify_url": 2000,
          "merchant": 40}


class GatewayInputError(Exception):
    """Bad input from a browser or a merchant: a 400 page naming ``field``."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass(frozen=True)
class Charge:
    """What the merchant asks the payer to pay, as the checkout posts it and the transaction keeps it."""

    merchant: str
    reference: str
    amount: Decimal
    currency: str
    vat: Decimal
    vat_base: Decimal
    description: str
    payer_email: str
    payer_document: str


@dataclass(frozen=True)
class CheckoutRequest(Charge):
    return_url: str
    notify_url: str
    expires_at: datetime


def _text(form: Mapping[str, str], name: str) -> str:
    value = (form.get(name) or "").strip()
    if not value:
        raise GatewayInputError(name, f"Falta el campo «{name}» en la solicitud de pago.")
    if any(ord(c) < 32 or ord(c) == 127 for c in value):
        raise GatewayInputError(name, f"El campo «{name}» contiene caracteres no permitidos.")
    if len(value) > LIMITS.get(name, 64):
        raise GatewayInputError(name, f"El campo «{name}» es demasiado largo.")
    return value


def _optional(form: Mapping[str, str], name: str) -> str:
    """A field outside the signature that only informs the payer: too long is cut (description) or left out
    (payer data the payer types again), never a reason to refuse the payment."""
    value = (form.get(name) or "").strip()
    if any(ord(c) < 32 or ord(c) == 127 for c in value):
        raise GatewayInputError(name, f"El campo «{name}» contiene caracteres no permitidos.")
    limit = LIMITS[name]
    if len(value) <= limit:
        return value
    return value[:limit - 1] + "…" if name == "description" else ""


def _money(form: Mapping[str, str], name: str) -> Decimal:
    value = _text(form, name)
    if not MONEY.fullmatch(value):
        raise GatewayInputError(name, f"El campo «{name}» debe ser un valor con dos decimales y punto, "
                                      f"como 175277.00 (se recibió «{value}»).")
    return Decimal(value)


def _url(form: Mapping[str, str], name: str) -> str:
    value = _text(form, name)
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise GatewayInputError(name, f"El campo «{name}» debe ser una dirección absoluta http(s).")
    return value


def parse_checkout(form: Mapping[str, str], *, secret: str, merchant_id: str, now: datetime) -> CheckoutRequest:
    """The checkout, or GatewayInputError: missing or malformed field, bad signature, expired, other merchant."""
    raw = {name: _text(form, name) for name in SIGNED_CHECKOUT_FIELDS}
    signature = _text(form, "signature")
    if not SIGNATURE.fullmatch(signature) or not verify_checkout(secret, raw, signature):
        raise GatewayInputError("signature", "La firma de la solicitud no es válida: el comercio debe firmar "
                                             "de nuevo el pago (campo «signature»).")
    if raw["merchant"] != merchant_id:
        raise GatewayInputError("merchant", f"El comercio «{raw['merchant']}» no está afiliado a esta pasarela.")
    if not REFERENCE.fullmatch(raw["reference"]):
        raise GatewayInputError("reference", "La referencia solo admite letras, números, punto, guion y guion bajo.")
    amount, vat, vat_base = _money(form, "amount"), _money(form, "vat"), _money(form, "vat_base")
    if amount <= 0:
        raise GatewayInputError("amount", "El valor a pagar debe ser mayor que cero.")
    if vat > amount:
        raise GatewayInputError("vat", "El IVA no puede superar el valor a pagar.")
    if vat_base > amount:
        raise GatewayInputError("vat_base", "La base de devolución del IVA no puede superar el valor a pagar.")
    if raw["currency"] not in CURRENCIES:
        raise GatewayInputError("currency", f"La moneda «{raw['currency']}» no se admite (solo COP).")
    if not EXPIRES.fullmatch(raw["expires_at"]):
        raise GatewayInputError("expires_at", "El campo «expires_at» debe ser una hora UTC como 2026-11-23T17:00:00Z.")
    try:
        expires_at = datetime.strptime(raw["expires_at"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    except ValueError as exc:
        raise GatewayInputError("expires_at", "El campo «expires_at» no es una fecha válida.") from exc
    if expires_at <= now:
        raise GatewayInputError("expires_at", "La solicitud de pago venció: regrese al comercio e inicie el pago "
                                              "de nuevo (campo «expires_at»).")
    return CheckoutRequest(
        merchant=raw["merchant"], reference=raw["reference"], amount=amount, currency=raw["currency"], vat=vat,
        vat_base=vat_base, description=_optional(form, "description") or raw["reference"],
        payer_email=_optional(form, "payer_email"), payer_document=_optional(form, "payer_document"),
        return_url=_url(form, "return_url"), notify_url=_url(form, "notify_url"), expires_at=expires_at)
