"""Messages for people: the supervisors' "Mensajes sin destinatario" (discard or redeliver an unmatched message),
the API's list by status, and what one instance waits for (timers, messages) and the messages it sent or got.

Read models are frozen dataclasses; operations take the database and run in one transaction each. A message is
discarded or redelivered only while it is ``unmatched``; the row is locked on PostgreSQL and the change is a
conditional update, so a delivery that wakes the message at the same moment cannot be overwritten.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, or_, select, update
from sqlalchemy.orm import Session, aliased

from engine.db import Database
from engine.errors import Conflict, FieldError, InvalidData, NotFound
from engine.jobs import Job, JobStatus
from engine.messages import DELIVER_KIND, Message, MessageStatus, MessageSubscription, queue_delivery
from engine.models import FINAL_STATUSES, Event, Instance
from engine.views import _Plain
from engine.waits import TIMER_KIND

BOARD_LIMIT = 500
INSTANCE_LIMIT = 200  # messages sent (or received) shown per instance
MAX_REASON = 500
PREVIEW_CHARS = 160
STATUS_LABELS = {MessageStatus.PENDING: "Por entregar", MessageStatus.DELIVERED: "Entregado",
                 MessageStatus.UNMATCHED: "Sin destinatario", MessageStatus.DISCARDED: "Descartado"}


@dataclass(frozen=True)
class MessageItem(_Plain):
    """One stored message with both ends: the instance that sent it (None: an API client or another system,
    named by ``sender``) and the instance that got it."""

    id: int
    name: str
    correlation_key: str | None
    status: str
    sender: str
    source_instance_id: int | None
    source_business_key: str | None
    target_instance_id: int | None
    target_business_key: str | None
    note: str | None
    payload: Any
    created_at: datetime
    delivered_at: datetime | None

    @property
    def status_label(self) -> str:
        return STATUS_LABELS.get(MessageStatus(self.status), self.status)

    @property
    def payload_preview(self) -> str:
        """The content as compact JSON, cut to a line."""
        text = json.dumps(self.payload, ensure_ascii=False, separators=(", ", ": "), sort_keys=True)
        return text if len(text) <= PREVIEW_CHARS else text[:PREVIEW_CHARS - 1] + "…"


@dataclass(frozen=True)
class MessageBoard(_Plain):
    unmatched: list[MessageItem] = field(default_factory=list)  # oldest first: they have waited longest
    pending: int = 0  # messages whose delivery job is queued
    dead: int = 0  # delivery jobs that used up their attempts (each has an incident, or is listed without one)


@dataclass(frozen=True)
class TimerWait(_Plain):
    job_id: int
    due_at: datetime


@dataclass(frozen=True)
class AwaitedMessage(_Plain):
    name: str
    correlation_key: str | None
    element_id: str
    since: datetime


@dataclass(frozen=True)
class InstanceWaits(_Plain):
    timers: list[TimerWait] = field(default_factory=list)  # soonest first
    awaited: list[AwaitedMessage] = field(default_factory=list)
    sent: list[MessageItem] = field(default_factory=list)  # oldest first
    received: list[MessageItem] = field(default_factory=list)  # oldest first

    @property
    def waits_for_anything(self) -> bool:
        return bool(self.timers or self.awaited)

    @property
    def has_messages(self) -> bool:
        return bool(self.sent or self.received)


_SOURCE = aliased(Instance)
_TARGET = aliased(Instance)


_ItemsQuery = Select[Message, str | None, str | None]


def _items_query() -> _ItemsQuery:
    return (select(Message, _SOURCE.business_key, _TARGET.business_key)
            .outerjoin(_SOURCE, _SOURCE.id == Message.source_instance_id)
            .outerjoin(_TARGET, _TARGET.id == Message.target_instance_id))


def _items(session: Session, query: _ItemsQuery) -> list[MessageItem]:
    return [MessageItem(m.id, m.name, m.correlation_key, m.status.value, m.sender, m.source_instance_id, source,
                        m.target_instance_id, target, m.note, m.payload, m.created_at, m.delivered_at)
            for m, source, target in session.execute(query)]


def messages_with_status(db: Database, status: MessageStatus, limit: int = BOARD_LIMIT) -> list[MessageItem]:
    """Messages in ``status``, oldest first."""
    with db.read() as session:
        return _items(session, _items_query().where(Message.status == status)
                      .order_by(Message.created_at, Message.id).limit(limit))


def message_board(db: Database, limit: int = BOARD_LIMIT) -> MessageBoard:
    """Unmatched messages (oldest first) and how many deliveries are queued or dead."""
    with db.read() as session:
        unmatched = _items(session, _items_query().where(Message.status == MessageStatus.UNMATCHED)
                           .order_by(Message.created_at, Message.id).limit(limit))
        pending = session.scalar(select(func.count()).select_from(Message)
                                 .where(Message.status == MessageStatus.PENDING)) or 0
        dead = session.scalar(select(func.count()).select_from(Job)
                              .where(Job.kind == DELIVER_KIND, Job.status == JobStatus.DEAD)) or 0
    return MessageBoard(unmatched, int(pending), int(dead))


def _locked_message(db: Database, session: Session, message_id: int) -> Message:
    query = select(Message).where(Message.id == message_id)
    message = session.scalars(query.with_for_update() if db.dialect == "postgresql" else query).first()
    if message is None:
        raise NotFound(f"No existe el mensaje {message_id}.")
    if message.status != MessageStatus.UNMATCHED:
        raise Conflict(f"El mensaje {message_id} ya no está sin destinatario: quedó "
                       f"«{STATUS_LABELS[message.status].lower()}».")
    return message


def _set_status(session: Session, message: Message, status: MessageStatus, note: str | None) -> None:
    """Change the status only if it is still unmatched (the row lock already holds this on PostgreSQL)."""
    result = session.execute(update(Message).where(Message.id == message.id,
                                                   Message.status == MessageStatus.UNMATCHED)
                             .values(status=status, note=note))
    if not getattr(result, "rowcount", 0):
        raise Conflict(f"El mensaje {message.id} cambió mientras se atendía; recargue la página.")


def _audit(session: Session, message: Message, kind: str, actor: str, now: datetime, **detail: Any) -> None:
    if message.source_instance_id is None:
        return
    session.add(Event(instance_id=message.source_instance_id, at=now, actor=actor, kind=kind,
                      element_id=message.source_element_id, element_name=message.name,
                      detail={"message_id": message.id, "correlation_key": message.correlation_key, **detail}))


def _reason(reason: str | None) -> str:
    text = (reason or "").strip()
    if not text:
        raise InvalidData([FieldError("motivo", "Escriba por qué se descarta el mensaje.")],
                          "Falta el motivo.")
    if len(text) > MAX_REASON or "\x00" in text:
        raise InvalidData([FieldError("motivo", f"El motivo admite hasta {MAX_REASON} caracteres de texto.")],
                          "El motivo no es válido.")
    return text


def discard_message(db: Database, message_id: int, actor: str, reason: str | None, now: datetime) -> MessageItem:
    """Drop an unmatched message for good, saying who and why (on the message and on its sender's history)."""
    with db.write() as session:
        message = _locked_message(db, session, message_id)  # unknown (404) or no longer unmatched (409) first
        text = _reason(reason)
        _set_status(session, message, MessageStatus.DISCARDED, f"Descartado por {actor}: {text}")
        _audit(session, message, "message_discarded", actor, now, reason=text)
        return _items(session, _items_query().where(Message.id == message_id))[0]


def redeliver_message(db: Database, message_id: int, now: datetime, actor: str | None = None) -> MessageItem:
    """"Reintentar entrega": an unmatched message goes back to pending with a new delivery job, due now (say,
    after the process that starts on it was deployed). Nobody waiting yet: it comes back unmatched."""
    with db.write() as session:
        message = _locked_message(db, session, message_id)
        _set_status(session, message, MessageStatus.PENDING, None)
        queue_delivery(session, message.id, now, message.source_instance_id, again="redeliver")
        if actor is not None:
            _audit(session, message, "message_redelivered", actor, now)
        return _items(session, _items_query().where(Message.id == message_id))[0]


def instance_waits(db: Database, instance_id: int) -> InstanceWaits:
    """What the instance waits for (its pending timer wake-ups, soonest first, and its message subscriptions),
    and the messages it sent and received. An ended instance waits for nothing."""
    with db.read() as session:
        status = session.scalar(select(Instance.status).where(Instance.id == instance_id))
        if status is None:
            raise NotFound(f"No existe la instancia {instance_id}.")
        timers: list[TimerWait] = []
        awaited: list[AwaitedMessage] = []
        if status not in FINAL_STATUSES:
            timers = [TimerWait(j.id, j.due_at) for j in session.scalars(
                select(Job).where(Job.instance_id == instance_id, Job.kind == TIMER_KIND,
                                  Job.status.in_((JobStatus.PENDING, JobStatus.RUNNING)))
                .order_by(Job.due_at, Job.id))]
            awaited = [AwaitedMessage(s.name, s.correlation_key, s.element_id, s.created_at)
                       for s in session.scalars(select(MessageSubscription)
                                                .where(MessageSubscription.instance_id == instance_id)
                                                .order_by(MessageSubscription.id))]
        items = _items(session, _items_query()
                       .where(or_(Message.source_instance_id == instance_id, Message.target_instance_id == instance_id))
                       .order_by(Message.created_at, Message.id).limit(2 * INSTANCE_LIMIT))
    sent = [m for m in items if m.source_instance_id == instance_id][:INSTANCE_LIMIT]
    received = [m for m in items if m.target_instance_id == instance_id][:INSTANCE_LIMIT]
    return InstanceWaits(timers, awaited, sent, received)
