"""A real SMS gateway stand-in on 127.0.0.1: records each POST and answers with the status it is told to."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


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

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            gateway.received.append({"path": self.path, "authorization": self.headers.get("Authorization"),
                                     "content_type": self.headers.get("Content-Type"),
                                     "idempotency_key": self.headers.get("Idempotency-Key"),
                                     "body": json.loads(raw)})
            status = gateway.statuses.pop(0) if gateway.statuses else 200
            payload = json.dumps({"ok": status < 300}).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, format: str, *args: Any) -> None:
            return None

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    gateway.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield gateway
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
