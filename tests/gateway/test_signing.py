"""The protocol's signatures: a round trip verifies, any changed field or byte does not."""

from __future__ import annotations

import hashlib
import hmac

from gateway.signing import (
    SIGNED_CHECKOUT_FIELDS,
    checkout_string,
    default_gateway_secret,
    sign_checkout,
    sign_notification,
    verify_checkout,
    verify_notification,
)
from tests.gateway.conftest import SECRET, checkout_form


def test_checkout_string_joins_the_contract_fields_in_order() -> None:
    form = checkout_form()
    assert checkout_string(form) == "|".join(form[name] for name in SIGNED_CHECKOUT_FIELDS)
    assert checkout_string(form).startswith("UNIV-CAUCE|OV-000123|175277.00|COP|0.00|0.00|http://")


def test_checkout_round_trip_and_tampering() -> None:
    form = checkout_form()
    signature = sign_checkout(SECRET, form)
    assert len(signature) == 64 and verify_checkout(SECRET, form, signature)
    assert verify_checkout(SECRET, form, signature.upper())  # hex is hex, whatever its case
    assert not verify_checkout(SECRET, {**form, "amount": "1.00"}, signature)
    assert not verify_checkout(SECRET, {**form, "notify_url": "http://evil.example/n"}, signature)
    assert not verify_checkout("otro-secreto", form, signature)
    assert not verify_checkout(SECRET, form, "ñ" * 64)  # non-ASCII is simply not a signature


def test_notification_signature_covers_timestamp_and_body() -> None:
    body = b'{"reference": "OV-1", "amount": "10.00"}'
    signature = sign_notification(SECRET, 1_790_000_000, body)
    expected = hmac.new(SECRET.encode(), b"1790000000." + body, hashlib.sha256).hexdigest()
    assert signature == expected
    assert verify_notification(SECRET, "1790000000", body, signature)
    assert not verify_notification(SECRET, 1_790_000_001, body, signature)  # a replay with a new timestamp
    assert not verify_notification(SECRET, 1_790_000_000, body.replace(b"10.00", b"99.00"), signature)


def test_default_secret_is_the_contract_s_derivation() -> None:
    expected = hmac.new(b"clave-de-la-app", b"cauce-pasarela", hashlib.sha256).hexdigest()
    assert default_gateway_secret("clave-de-la-app") == expected
