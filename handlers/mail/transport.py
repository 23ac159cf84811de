"""Sending one message by SMTP: the URL's parts, the message itself, and which failures are worth a retry."""

from __future__ import annotations

import contextlib
import smtplib
import ssl
from dataclasses import dataclass, field
from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr
from urllib.parse import parse_qs, unquote, urlsplit

DEFAULT_TIMEOUT = 20.0


class PermanentFailure(Exception):
    """The server refused for good (a 5xx answer): retrying would only be refused again."""


class TransientFailure(Exception):
    """The server was down, slow or answered 4xx: worth another attempt later."""


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    implicit_tls: bool
    starttls: bool
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    timeout: float = DEFAULT_TIMEOUT

    @classmethod
    def parse(cls, url: str) -> SmtpSettings:
        parts = urlsplit(url)
        if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
            raise ValueError("SMTP_URL debe tener la forma smtp://usuario:clave@host:puerto o smtps://...")
        query = parse_qs(parts.query)
        implicit = parts.scheme == "smtps"
        try:
            port = parts.port or (465 if implicit else 25)
            timeout = float(query.get("timeout", [DEFAULT_TIMEOUT])[0])
        except ValueError as exc:
            raise ValueError("SMTP_URL tiene un puerto o un timeout que no es un número") from exc
        starttls = query.get("starttls", ["0"])[0].lower() in ("1", "true", "yes", "on")
        return cls(host=parts.hostname, port=port, implicit_tls=implicit, starttls=starttls and not implicit,
                   username=unquote(parts.username) if parts.username else None,
                   password=unquote(parts.password) if parts.password else None, timeout=timeout)

    @property
    def safe_description(self) -> str:
        """For logs and pages: never the password."""
        scheme = "smtps" if self.implicit_tls else "smtp"
        who = f"{self.username}@" if self.username else ""
        return f"{scheme}://{who}{self.host}:{self.port}" + ("?starttls=1" if self.starttls else "")


@dataclass(frozen=True)
class Outgoing:
    """What the outbox hands the transport: plain data, no ORM row."""

    outbox_id: int
    recipient: str
    subject: str
    body: str
    created_at: datetime


def build_message(mail: Outgoing, sender: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = mail.recipient
    message["Subject"] = mail.subject
    message["Date"] = format_datetime(mail.created_at)
    # Stable per outbox row: a message sent again after a crash carries the same id, so mail clients merge them.
    domain = _domain_of(sender)
    message["Message-ID"] = f"<outbox.{mail.outbox_id}.{int(mail.created_at.timestamp())}@{domain}>"
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(mail.body, charset="utf-8")
    return message


def _domain_of(sender: str) -> str:
    address = parseaddr(sender)[1]
    try:
        return Address(addr_spec=address).domain or "cauce.local"
    except (ValueError, IndexError):
        return "cauce.local"


class SmtpTransport:
    """One connection per delivery pass; the caller sends a batch through it, then closes it."""

    def __init__(self, settings: SmtpSettings, sender: str) -> None:
        self.settings = settings
        self.sender = sender
        self._client: smtplib.SMTP | None = None

    def send(self, mail: Outgoing) -> None:
        message = build_message(mail, self.sender)
        try:
            client = self._connect()
            refused = client.send_message(message)
        except smtplib.SMTPRecipientsRefused as exc:
            self._drop()
            raise _classify(exc.recipients.get(mail.recipient, (450, b""))) from None
        except smtplib.SMTPDataError as exc:  # the message itself refused (too big, spam): 5xx is final
            self._drop()
            raise _classify((exc.smtp_code, exc.smtp_error)) from None
        except (smtplib.SMTPException, OSError) as exc:
            # Down, refused sign-in or sender: the server's or our settings' fault, not this message's. Retried.
            self._drop()
            raise TransientFailure(_describe(exc)) from None
        if refused:  # several recipients, some refused: ours is one of them
            raise _classify(next(iter(refused.values())))

    def close(self) -> None:
        if self._client is not None:
            with contextlib.suppress(smtplib.SMTPException, OSError):
                self._client.quit()
            self._client = None

    def _connect(self) -> smtplib.SMTP:
        if self._client is not None:
            return self._client
        s = self.settings
        client: smtplib.SMTP
        if s.implicit_tls:
            client = smtplib.SMTP_SSL(s.host, s.port, timeout=s.timeout, context=ssl.create_default_context())
        else:
            client = smtplib.SMTP(s.host, s.port, timeout=s.timeout)
        self._client = client  # from here on a failure closes it (_drop)
        if s.starttls and not s.implicit_tls:
            client.starttls(context=ssl.create_default_context())
        if s.username:
            client.login(s.username, s.password or "")
        return client

    def _drop(self) -> None:
        # After an error the session's state is unknown: start the next message on a fresh connection.
        client, self._client = self._client, None
        if client is not None:
            with contextlib.suppress(OSError):
                client.close()


def _describe(exc: Exception) -> str:
    if isinstance(exc, smtplib.SMTPResponseException):
        text = exc.smtp_error.decode("utf-8", "replace") if isinstance(exc.smtp_error, bytes) else str(exc.smtp_error)
        return f"{type(exc).__name__}: SMTP {exc.smtp_code}: {text}"
    return f"{type(exc).__name__}: {exc}"


def _classify(answer: tuple[int, bytes | str]) -> Exception:
    code, text = answer
    reason = text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)
    described = f"SMTP {code}: {reason}".strip()
    return PermanentFailure(described) if 500 <= code < 600 else TransientFailure(described)
