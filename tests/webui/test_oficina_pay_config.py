"""payments_config.py: the merchant and the gateway from the app's config, the environment, or the defaults; the
default secret is the one the gateway derives from the same key, and the checkout signature is the contract's."""

from __future__ import annotations

import hashlib
import hmac

import pytest
from flask import Flask

from engine.config import Settings
from gateway.mount import default_gateway_secret
from gateway.signing import sign_checkout
from webui.payments_config import checkout_signature, default_secret, payments_config


def _app(**config: str) -> Flask:
    app = Flask(__name__)
    app.secret_key = "clave-de-la-app"
    app.config.update(config)
    return app


def test_defaults_and_the_shared_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("CAUCE_GATEWAY_SECRET", "CAUCE_MERCHANT_ID", "CAUCE_MERCHANT_NAME", "CAUCE_MERCHANT_NIT",
                 "CAUCE_GATEWAY_URL"):
        monkeypatch.delenv(name, raising=False)
    config = payments_config(_app())
    assert (config.merchant_id, config.merchant_name, config.merchant_nit, config.gateway_url) == (
        "UNIV-CAUCE", "Universidad — Servicios Financieros", "860.000.123-4", "/pasarela")
    assert config.secret == default_secret("clave-de-la-app") == default_gateway_secret("clave-de-la-app")
    assert config.secret == hmac.new(b"clave-de-la-app", b"cauce-pasarela", hashlib.sha256).hexdigest()
    assert config.secret not in repr(config)


def test_the_settings_reach_the_app_and_its_config_wins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CAUCE_GATEWAY_SECRET", "del-entorno")
    monkeypatch.setenv("CAUCE_MERCHANT_NIT", "900.111.222-3")
    monkeypatch.setenv("CAUCE_GATEWAY_URL", "https://pse.example.com/pagos/")
    settings = Settings.from_env()
    config = payments_config(_app(CAUCE_GATEWAY_SECRET=settings.gateway_secret or "",
                                  CAUCE_MERCHANT_NIT=settings.merchant_nit, CAUCE_GATEWAY_URL=settings.gateway_url))
    assert (config.secret, config.merchant_nit, config.gateway_url) == (
        "del-entorno", "900.111.222-3", "https://pse.example.com/pagos")
    assert "del-entorno" not in repr(settings)
    assert payments_config(_app(CAUCE_GATEWAY_SECRET="de-la-app")).secret == "de-la-app"


def test_the_checkout_signature_is_the_gateways() -> None:
    fields = {"merchant": "UNIV-CAUCE", "reference": "OP-000001", "amount": "175277.00", "currency": "COP",
              "vat": "0.00", "vat_base": "0.00", "return_url": "http://127.0.0.1/oficina/pagos/OP-000001",
              "notify_url": "http://127.0.0.1/pagos/notificacion", "expires_at": "2026-11-23T17:00:00Z",
              "description": "no firmado"}
    assert checkout_signature("s3creto", fields) == sign_checkout("s3creto", fields)
    assert checkout_signature("s3creto", fields) == hmac.new(
        b"s3creto", "|".join(list(fields.values())[:9]).encode(), hashlib.sha256).hexdigest()
