"""Delivering a decision's notification to the merchant, server to server, until it answers 2xx.

After a decision commits, a daemon thread POSTs the notification; a non-2xx answer or a connection error is
retried after 1, 2, 4, 8 and 16 seconds, then left "pendiente" for ``deliver_pending`` (``cauce pasarela
reenviar``, the admin page). After MAX_ATTEMPTS the notification is "fallida" and only a person resends it, so
a merchant that keeps failing never gets a retry storm. Nothing here raises into the request that decided.
"""

from __future__ import annotations

import logging
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from gateway.models import DELIVERED, FAILED, TO_DELIVER, Notification
from gateway.signing import sign_notification
from gateway.store import utcnow

log = logging.getLogger(__name__)

BACKOFF_SECONDS = (1, 2, 4, 8, 16)
#: Attempts in all (the thread's and every later resend) before a notification is given up as "fallida".
MAX_ATTEMPTS = 12
TIMEOUT_SECONDS = 5.0

#: (url, body, headers, timeout) -> None when the merchant answered 2xx, else what went wrong.
Poster = Callable[[str, bytes, dict[str, str], float], str | None]


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None  # a redirect is not an acknowledgement: urllib then raises HTTPError for the 3xx


# No proxies: the notification goes straight to the merchant, whatever http_proxy the environment sets.
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirect())


def http_post(url: str, body: bytes, headers: dict[str, str], timeout: float) -> str | None:
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with _OPENER.open(request, timeout=timeout) as answer:
            status = answer.status
            answer.read(2048)
    except urllib.error.HTTPError as exc:
        with exc:
            detail = exc.read(200).decode("utf-8", "replace")
        return f"HTTP {exc.code}: {detail}".strip()
    except (OSError, ValueError) as exc:  # URLError, timeouts, refused connections, a malformed URL
        return f"{type(exc).__name__}: {exc}"
    return None if 200 <= status < 300 else f"HTTP {status}"


@dataclass(frozen=True)
class DeliveryReport:
    attempted: int
    delivered: int
    still_pending: int


class Deliverer:
    """Sends notifications signed with ``secret``. ``synchronous``: the first attempt happens inside the
    deciding request (before the redirect); the retries, if any, still go to a background thread."""

    def __init__(self, sessions: sessionmaker[Session], secret: str, *, synchronous: bool = False,
                 post: Poster = http_post, sleep: Callable[[float], None] = time.sleep,
                 clock: Callable[[], datetime] = utcnow, backoff: Sequence[float] = BACKOFF_SECONDS,
                 timeout: float = TIMEOUT_SECONDS) -> None:
        self.sessions, self.secret, self.synchronous = sessions, secret, synchronous
        self.post, self.sleep, self.clock = post, sleep, clock
        self.backoff, self.timeout = tuple(backoff), timeout

    def dispatch(self, notification_id: str) -> threading.Thread | None:
        """Start delivering a just-decided notification; returns at once unless synchronous. Returns the thread
        that goes on retrying, if any (tests join it)."""
        try:
            if not self.synchronous:
                return self._spawn(notification_id, (0, *self.backoff))
            if self.attempt(notification_id, retry_in=self.backoff[0] if self.backoff else 0):
                return None
            return self._spawn(notification_id, self.backoff) if self.backoff else None
        except Exception:  # the decision is committed: the notification waits for deliver_pending
            log.exception("pasarela: no se pudo iniciar la entrega de %s", notification_id)
            return None

    def _spawn(self, notification_id: str, delays: Sequence[float]) -> threading.Thread:
        thread = threading.Thread(target=self.deliver_with_retries, args=(notification_id, delays), daemon=True,
                                  name=f"pasarela-notify-{notification_id[:8]}")
        thread.start()
        return thread

    def deliver_with_retries(self, notification_id: str, delays: Sequence[float]) -> bool:
        """One attempt after each delay until one succeeds; then the notification waits for deliver_pending."""
        try:
            for index, delay in enumerate(delays):
                if delay:
                    self.sleep(delay)
                # Until the thread's next try deliver_pending leaves the notification alone; after the
                # thread's last try it is due for deliver_pending a few seconds later.
                next_delay = delays[index + 1] if index + 1 < len(delays) else 0
                if self.attempt(notification_id, retry_in=next_delay):
                    return True
        except Exception:  # a thread's exception would only be lost: log it, the notification stays pending
            log.exception("pasarela: la entrega de la notificación %s falló", notification_id)
        return False

    def attempt(self, notification_id: str, retry_in: float = 0) -> bool:
        """One POST of the stored body with a fresh timestamp and signature; the outcome is recorded.
        ``retry_in``: when a failed notification becomes due for deliver_pending (the thread retries sooner)."""
        try:
            with self.sessions.begin() as session:
                notification = session.scalars(
                    select(Notification).where(Notification.notification_id == notification_id)).one()
                if notification.status == DELIVERED:
                    return True
                body, url = notification.body.encode(), notification.transaction.notify_url
            timestamp = str(int(self.clock().timestamp()))
            headers = {"Content-Type": "application/json; charset=utf-8", "X-Pasarela-Timestamp": timestamp,
                       "X-Pasarela-Signature": sign_notification(self.secret, timestamp, body),
                       "User-Agent": "cauce-pasarela/1"}
            try:
                error = self.post(url, body, headers, self.timeout)
            except Exception as exc:  # a poster that breaks is one more failed attempt, recorded as such
                error = f"{type(exc).__name__}: {exc}"
            self._record(notification_id, error, retry_in)
            return error is None
        except Exception:
            log.exception("pasarela: no se pudo intentar la notificación %s", notification_id)
            return False

    def _record(self, notification_id: str, error: str | None, retry_in: float) -> None:
        now = self.clock()
        with self.sessions.begin() as session:
            notification = session.scalars(
                select(Notification).where(Notification.notification_id == notification_id)).one()
            notification.attempts += 1
            if error is None:
                notification.status, notification.delivered_at, notification.last_error = DELIVERED, now, ""
                notification.next_attempt_at = None
                return
            notification.last_error = error[:300]
            if notification.attempts >= MAX_ATTEMPTS:
                notification.status, notification.next_attempt_at = FAILED, None
            else:
                notification.next_attempt_at = now + timedelta(seconds=retry_in + self.timeout)
            log.warning("pasarela: notificación %s no entregada (intento %d): %s", notification_id,
                        notification.attempts, error)

    def deliver_pending(self, now: datetime | None = None) -> DeliveryReport:
        """Resend, once each, the pending notifications that are due. Two callers at once do not both send one:
        each claims a notification by moving its next attempt forward first."""
        now = now or self.clock()
        with self.sessions.begin() as session:
            due = session.execute(select(Notification.notification_id, Notification.next_attempt_at).where(
                Notification.status == TO_DELIVER, Notification.next_attempt_at <= now)
                .order_by(Notification.id)).all()
        attempted = delivered = 0
        for notification_id, seen in due:
            with self.sessions.begin() as session:
                claimed = session.execute(
                    update(Notification).where(Notification.notification_id == notification_id,
                                               Notification.status == TO_DELIVER,
                                               Notification.next_attempt_at == seen)
                    .values(next_attempt_at=now + timedelta(seconds=self.timeout + 1))
                    .execution_options(synchronize_session=False))
            if claimed.rowcount == 0:  # type: ignore[attr-defined]
                continue
            attempted += 1
            delivered += self.attempt(notification_id)
        with self.sessions.begin() as session:
            left = len(session.scalars(select(Notification.id).where(Notification.status == TO_DELIVER)).all())
        return DeliveryReport(attempted=attempted, delivered=delivered, still_pending=left)

    def resend(self, notification_id: str) -> bool:
        """A person's explicit resend, also of a "fallida" notification: one attempt, counted afresh."""
        with self.sessions.begin() as session:
            session.execute(update(Notification).where(Notification.notification_id == notification_id,
                                                       Notification.status == FAILED)
                            .values(status=TO_DELIVER, attempts=0))
        return self.attempt(notification_id)
