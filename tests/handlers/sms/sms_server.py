"""A real SMS gateway stand-in on 127.0.0.1: records each POST and answers with the status it is told to."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import Message
from typing import Any

from tests.http_stub import post_server


@dataclass
class Gateway:
    port: int
    received: list[dict[str, Any]] = field(default_factory=list)
    statuses: list[int] = field(default_factory=list)  # answers to give, in order; then 200

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1/sms"


@contextmanager
def sms_gateway() -> Iterator[Gateway]:
    gateway = Gateway(port=0)

    def answer(path: str, headers: Message, raw: bytes) -> tuple[int, bytes]:
        gateway.received.append({"path": path, "authorization": headers.get("Authorization"),
                                 "content_type": headers.get("Content-Type"),
                                 "idempotency_key": headers.get("Idempotency-Key"), "body": json.loads(raw)})
        status = gateway.statuses.pop(0) if gateway.statuses else 200
        return status, json.dumps({"ok": status < 300}).encode()

    with post_server(answer) as port:
        gateway.port = port
        yield gateway
