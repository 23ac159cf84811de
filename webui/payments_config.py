"""The merchant's data and the gateway's address and shared secret, from the app's config.

``create_app`` copies them from ``engine.config.Settings`` (the environment, with defaults) into
``app.config["CAUCE_GATEWAY_SECRET"]`` and the like, so a test or ``cauce serve`` can wire the app and the
gateway together by setting the app's config. Without
CAUCE_GATEWAY_SECRET both sides derive the secret from the app's secret key (the payments contract), so the
gateway mounted beside the app agrees with it by construction.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import dataclass

from flask import Flask

from engine.config import (
    DEFAULT_GATEWAY_URL,
    DEFAULT_MERCHANT_ID,
    DEFAULT_MERCHANT_NAME,
    DEFAULT_MERCHANT_NIT,
)

#: The checkout fields the merchant signs, joined by "|" in this order (the payments contract).
SIGNED_CHECKOUT_FIELDS = ("merchant", "reference", "amount", "currency", "vat", "vat_base", "return_url",
                          "notify_url", "expires_at")


@dataclass(frozen=True)
class PaymentsConfig:
    merchant_id: str
    merchant_name: str
    merchant_nit: str
    gateway_url: str  # absolute, or a path on this host ("/pasarela")
    secret: str

    def __repr__(self) -> str:  # never print the secret in a log or a traceback
        return (f"PaymentsConfig(merchant_id={self.merchant_id!r}, merchant_name={self.merchant_name!r}, "
                f"merchant_nit={self.merchant_nit!r}, gateway_url={self.gateway_url!r}, secret='***')")


def default_secret(app_secret_key: str) -> str:
    """hex HMAC-SHA256(key=<the app's secret key>, msg=b"cauce-pasarela"), as gateway.mount computes it."""
    return hmac.new(app_secret_key.encode(), b"cauce-pasarela", hashlib.sha256).hexdigest()


def _setting(app: Flask, name: str, default: str) -> str:
    value = app.config.get(name)
    return str(value).strip() if value and str(value).strip() else default


def payments_config(app: Flask) -> PaymentsConfig:
    secret = _setting(app, "CAUCE_GATEWAY_SECRET", "") or default_secret(str(app.secret_key or ""))
    return PaymentsConfig(
        merchant_id=_setting(app, "CAUCE_MERCHANT_ID", DEFAULT_MERCHANT_ID),
        merchant_name=_setting(app, "CAUCE_MERCHANT_NAME", DEFAULT_MERCHANT_NAME),
        merchant_nit=_setting(app, "CAUCE_MERCHANT_NIT", DEFAULT_MERCHANT_NIT),
        gateway_url=_setting(app, "CAUCE_GATEWAY_URL", DEFAULT_GATEWAY_URL).rstrip("/"),
        secret=secret,
    )


def checkout_signature(secret: str, fields: Mapping[str, str]) -> str:
    """hex HMAC-SHA256(secret, "merchant|reference|amount|currency|vat|vat_base|return_url|notify_url|expires_at")."""
    signed = "|".join(fields[name] for name in SIGNED_CHECKOUT_FIELDS)
    return hmac.new(secret.encode(), signed.encode(), hashlib.sha256).hexdigest()
