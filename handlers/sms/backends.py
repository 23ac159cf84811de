"""Where text messages go: nowhere (they stay in the outbox for the Buzón de SMS) or an HTTP SMS gateway.

The HTTP backend speaks the smallest common dialect of SMS providers: ``POST <CAUCE_SMS_URL>`` with a JSON body
``{"to": "+573001230434", "body": "..."}`` and ``Authorization: Bearer <CAUCE_SMS_KEY>``; any 2xx is accepted.
A provider with another dialect needs a small adapter in front, or another backend here.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from typing import Protocol
from urllib.parse import urlsplit

from handlers.mail.transport import PermanentFailure, TransientFailure

DEFAULT_TIMEOUT = 10.0
# Busy or rate-limiting answers: worth another attempt later. Any other 4xx would be refused again.
_RETRY_STATUSES = {408, 425, 429}


@dataclass(frozen=True)
class OutgoingSms:
    """What the outbox hands a backend: plain data, no ORM row."""

    outbox_id: int
    to: str
    body: str


class SmsBackend(Protocol):
    @property
    def delivers(self) -> bool:
        """False: nothing leaves the machine; the delivery chore marks messages "kept" for the Buzón de SMS."""
        ...

    def send(self, sms: OutgoingSms) -> None: ...

    def close(self) -> None: ...


class OutboxOnlyBackend:
    """The default (no CAUCE_SMS_URL): messages stay in the outbox, readable in the Buzón de SMS."""

    delivers = False

    def send(self, sms: OutgoingSms) -> None:
        raise PermanentFailure("No hay una pasarela de SMS configurada (CAUCE_SMS_URL).")

    def close(self) -> None:
        return None


@dataclass(frozen=True)
class HttpSmsBackend:
    url: str
    key: str = field(repr=False)
    timeout: float = DEFAULT_TIMEOUT
    delivers: bool = True

    def __post_init__(self) -> None:
        parts = urlsplit(self.url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError("CAUCE_SMS_URL debe ser una URL http:// o https://")

    def send(self, sms: OutgoingSms) -> None:
        request = urllib.request.Request(
            self.url, method="POST", data=json.dumps({"to": sms.to, "body": sms.body}).encode("utf-8"),
            headers={"Content-Type": "application/json", "Authorization": f"Bearer {self.key}",
                     # The same message resent after a crash carries the same key: a provider may drop the copy.
                     "Idempotency-Key": f"cauce-sms-{sms.outbox_id}"})
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as answer:
                answer.read()
        except urllib.error.HTTPError as exc:
            reason = f"la pasarela de SMS respondió {exc.code}"
            if exc.code >= 500 or exc.code in _RETRY_STATUSES:
                raise TransientFailure(reason) from exc
            raise PermanentFailure(reason) from exc
        except (urllib.error.URLError, TimeoutError, ConnectionError) as exc:
            raise TransientFailure(f"no se pudo contactar la pasarela de SMS: {exc}") from exc

    def close(self) -> None:
        return None

    @property
    def safe_description(self) -> str:
        """For logs: the address without the key or any query string."""
        parts = urlsplit(self.url)
        return f"{parts.scheme}://{parts.hostname}{f':{parts.port}' if parts.port else ''}{parts.path}"


def sms_backend(url: str | None, key: str | None) -> SmsBackend:
    """Settings.sms_url (CAUCE_SMS_URL) set: the HTTP gateway with CAUCE_SMS_KEY; otherwise the outbox only."""
    if not url:
        return OutboxOnlyBackend()
    return HttpSmsBackend(url, key or "")
