"""A tiny real SMTP server on 127.0.0.1 for the tests: speaks enough ESMTP for smtplib (EHLO, AUTH PLAIN, MAIL,
RCPT, DATA, RSET, NOOP, QUIT), keeps what it receives, and can be told to refuse recipients or be down."""

from __future__ import annotations

import base64
import socketserver
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage


@dataclass
class Received:
    sender: str
    recipients: list[str]
    data: bytes

    @property
    def message(self) -> EmailMessage:
        parsed = message_from_bytes(self.data, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        return parsed


@dataclass
class Behaviour:
    rcpt_reply: str = "250 OK"  # e.g. "550 5.1.1 No such user" or "451 4.3.0 Try later"
    credentials: tuple[str, str] | None = None  # demand AUTH PLAIN with these
    received: list[Received] = field(default_factory=list)
    auth_seen: list[str] = field(default_factory=list)


class _Handler(socketserver.StreamRequestHandler):
    server: _Server

    def reply(self, line: str) -> None:
        self.wfile.write(line.encode("ascii") + b"\r\n")

    def handle(self) -> None:
        how = self.server.behaviour
        sender, authed = "", how.credentials is None
        recipients: list[str] = []
        self.reply("220 prueba ESMTP")
        while True:
            raw = self.rfile.readline()
            if not raw:
                return
            line = raw.decode("utf-8", "replace").rstrip("\r\n")
            verb = line.split(" ", 1)[0].upper()
            arg = line[len(verb):].strip()
            if verb in ("EHLO", "HELO"):
                extras = ["AUTH PLAIN"] if how.credentials else []
                lines = ["prueba", "8BITMIME", "SMTPUTF8", *extras]
                for n, text in enumerate(lines):
                    self.reply(f"250{'-' if n < len(lines) - 1 else ' '}{text}")
            elif verb == "AUTH":
                decoded = base64.b64decode(arg.split(" ", 1)[1]).split(b"\0")
                user, password = decoded[1].decode(), decoded[2].decode()
                how.auth_seen.append(user)
                if how.credentials == (user, password):
                    authed = True
                    self.reply("235 2.7.0 Authentication successful")
                else:
                    self.reply("535 5.7.8 Authentication credentials invalid")
            elif verb == "MAIL":
                if not authed:
                    self.reply("530 5.7.0 Authentication required")
                    continue
                sender, recipients = arg.split(":", 1)[1].split()[0].strip("<>"), []
                self.reply("250 OK")
            elif verb == "RCPT":
                if how.rcpt_reply.startswith("250"):
                    recipients.append(arg.split(":", 1)[1].split()[0].strip("<>"))
                self.reply(how.rcpt_reply)
            elif verb == "DATA":
                if not recipients:
                    self.reply("554 5.5.1 No valid recipients")
                    continue
                self.reply("354 End data with <CR><LF>.<CR><LF>")
                chunks = []
                while (chunk := self.rfile.readline()) not in (b".\r\n", b""):
                    chunks.append(chunk[1:] if chunk.startswith(b"..") else chunk)
                how.received.append(Received(sender, recipients, b"".join(chunks)))
                self.reply("250 OK queued")
            elif verb in ("RSET", "NOOP"):
                self.reply("250 OK")
            elif verb == "QUIT":
                self.reply("221 Bye")
                return
            else:
                self.reply("502 5.5.2 Command not recognized")


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True
    behaviour: Behaviour


@contextmanager
def smtp_server(behaviour: Behaviour | None = None) -> Iterator[tuple[int, Behaviour]]:
    """A server on a free port of 127.0.0.1 for the block's duration; yields (port, behaviour)."""
    server = _Server(("127.0.0.1", 0), _Handler)
    server.behaviour = behaviour or Behaviour()
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield server.server_address[1], server.behaviour
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def closed_port() -> int:
    """A port on 127.0.0.1 where nothing listens (bound, then released)."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
