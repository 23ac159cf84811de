"""The two signatures of the gateway protocol: the merchant's on a checkout, the gateway's on a notification.

Both are hex HMAC-SHA256 with the secret the merchant and the gateway share; both are compared in constant time.
The strings signed are fixed by the shared contract (payments-contract.md), so the app computes them itself.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping

#: The checkout fields covered by the merchant's signature, in the order they are joined.
SIGNED_CHECKOUT_FIELDS = ("merchant", "reference", "amount", "currency", "vat", "vat_base",
                          "return_url", "notify_url", "expires_at")


def _hex_hmac(secret: str, message: bytes) -> str:
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def checkout_string(fields: Mapping[str, str]) -> str:
    """``merchant|reference|amount|...``; a missing field raises KeyError (the caller checks presence first)."""
    return "|".join(fields[name] for name in SIGNED_CHECKOUT_FIELDS)


def sign_checkout(secret: str, fields: Mapping[str, str]) -> str:
    return _hex_hmac(secret, checkout_string(fields).encode())


def _same(expected: str, given: str) -> bool:
    given = given.strip().lower()
    # compare_digest refuses non-ASCII text with TypeError; such a value is simply not a signature.
    return given.isascii() and hmac.compare_digest(expected, given)


def verify_checkout(secret: str, fields: Mapping[str, str], signature: str) -> bool:
    return _same(sign_checkout(secret, fields), signature)


def sign_notification(secret: str, timestamp: int | str, body: bytes) -> str:
    """The timestamp is inside what is signed, so an old notification cannot be replayed with a new timestamp."""
    return _hex_hmac(secret, f"{timestamp}.".encode() + body)


def verify_notification(secret: str, timestamp: int | str, body: bytes, signature: str) -> bool:
    return _same(sign_notification(secret, timestamp, body), signature)


def default_gateway_secret(app_secret_key: str) -> str:
    """The secret both sides derive from the app's secret key when CAUCE_GATEWAY_SECRET is unset."""
    return _hex_hmac(app_secret_key, b"cauce-pasarela")
