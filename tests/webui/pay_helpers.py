"""Signed gateway notifications for the paying web tests, computed as the contract says (no gateway import)."""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

from flask import Flask
from werkzeug.test import TestResponse

from engine.db import utcnow
from webui.payments_config import payments_config


def notification_body(reference: str, amount: str, **changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "notification_id": f"nid-{reference}", "merchant": "UNIV-CAUCE", "reference": reference,
        "transaction_id": "83", "status": "approved", "amount": amount, "currency": "COP", "vat": "0.00",
        "vat_base": "0.00", "instalments": 1, "bank": "Banco de Bogotá", "unique_code": "1706", "terminal": "000",
        "authorization_code": "0012AB", "response_code": "00", "error_code": "2300", "description": "Aprobada",
        "processed_at": utcnow().strftime("%Y-%m-%dT%H:%M:%SZ"), "payer_ip": "127.0.0.1",
    }
    body.update(changes)
    return body


def post_notification(app: Flask, body: dict[str, Any] | bytes, *, age: int = 0, secret: str | None = None,
                      signature: str | None = None) -> TestResponse:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    timestamp = str(int(utcnow().timestamp()) - age)
    key = secret if secret is not None else payments_config(app).secret
    signed = signature or hmac.new(key.encode(), f"{timestamp}.".encode() + raw, hashlib.sha256).hexdigest()
    return app.test_client().post("/pagos/notificacion", data=raw, content_type="application/json",
                                  headers={"X-Pasarela-Timestamp": timestamp, "X-Pasarela-Signature": signed})
