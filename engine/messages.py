"""Messages between instances and pools: stored when sent, delivered by the worker, never dropped silently.

A message has a name (the BPMN message's name) and a correlation key (say, an invoice number). An instance that
waits for a message keeps a ``message_subscription`` row per waiting event, with the key it waits for, so a
delivery finds its target by index instead of loading instances. A message is sent in the sender's own
transaction (a ``message`` row and a ``deliver_message`` job); the worker delivers it in the receiver's step.

- Sent twice (same ``message_key``): stored and delivered once.
- Nobody waits for it yet: kept as ``unmatched`` and reported; it is delivered as soon as an instance starts
  waiting for that name and key (a buffer, as a mailbox would be), or a supervisor discards it.
"""

from __future__ import annotations

import enum
import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Enum, ForeignKey, Index, String, Text, delete, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from dbtypes import UTCDateTime
from engine import jobs
from engine.db import Base, insert_unless_present

DELIVER_KIND = "deliver_message"


class MessageStatus(enum.StrEnum):
    PENDING = "pending"  # a delivery job is queued
    DELIVERED = "delivered"
    UNMATCHED = "unmatched"  # nobody waited for it when it was delivered: kept and reported
    DISCARDED = "discarded"  # a supervisor dropped an unmatched message, with a reason


class Message(Base):
    __tablename__ = "message"
    __table_args__ = (Index("ix_message_name_key_status", "name", "correlation_key", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    message_key: Mapped[str] = mapped_column(String(200), unique=True)  # the sender's id for it: dedupes resends
    name: Mapped[str] = mapped_column(String(200))
    correlation_key: Mapped[str | None] = mapped_column(String(200))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    sender: Mapped[str] = mapped_column(String(100))
    source_instance_id: Mapped[int | None] = mapped_column(ForeignKey("instance.id"), index=True)
    source_element_id: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[MessageStatus] = mapped_column(Enum(MessageStatus, name="message_status", native_enum=False,
                                                       length=20, values_callable=lambda e: [m.value for m in e]),
                                                  index=True)
    target_instance_id: Mapped[int | None] = mapped_column(ForeignKey("instance.id"), index=True)
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class MessageSubscription(Base):
    """One waiting message event of one instance: what ``deliver`` looks up by name and key."""

    __tablename__ = "message_subscription"
    __table_args__ = (Index("ix_message_subscription_name_key", "name", "correlation_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("instance.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    correlation_key: Mapped[str | None] = mapped_column(String(200))
    element_id: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


@dataclass(frozen=True)
class Outgoing:
    """A message a step sent, to be stored with the step."""

    name: str
    correlation_key: str | None
    payload: dict[str, Any]
    element_id: str | None


@dataclass(frozen=True)
class Waiting:
    """A message event an instance waits at after a step."""

    name: str
    correlation_key: str | None
    element_id: str


def send(session: Session, message_key: str, name: str, correlation_key: str | None, payload: dict[str, Any],
         sender: str, now: datetime, source_instance_id: int | None = None,
         source_element_id: str | None = None) -> int | None:
    """Store a message and queue its delivery, in the caller's transaction. Returns its id, or None when a
    message with this ``message_key`` was already sent (the resend is dropped: it is delivered once)."""
    if len(message_key) > 200:  # never cut: two long keys differing at their end must stay two messages
        message_key = "sha256:" + hashlib.sha256(message_key.encode()).hexdigest()
    values = {"message_key": message_key, "name": name, "correlation_key": correlation_key,
              "payload": payload, "sender": sender, "source_instance_id": source_instance_id,
              "source_element_id": source_element_id, "status": MessageStatus.PENDING, "created_at": now}
    message_id = insert_unless_present(session, Message, values, "message_key")
    if message_id is not None:
        queue_delivery(session, message_id, now, source_instance_id)
    return message_id


def queue_delivery(session: Session, message_id: int, now: datetime, instance_id: int | None,
                   again: str | None = None) -> None:
    """Queue the message's delivery, due now. ``again`` names a later attempt ("retry", "redeliver"): its job
    gets a key of its own, since the first delivery's job is still there."""
    key = f"message:{message_id}" if again is None else f"message:{message_id}:{again}:{now.isoformat()}"
    jobs.enqueue(session, DELIVER_KIND, now, {"message_id": message_id}, instance_id=instance_id, dedupe_key=key)


def replace_subscriptions(session: Session, instance_id: int, waiting: list[Waiting], now: datetime) -> None:
    """Make the instance's subscriptions what it waits for now; wake up unmatched messages it now waits for."""
    drop_subscriptions(session, instance_id)
    for wait in waiting:
        session.add(MessageSubscription(instance_id=instance_id, name=wait.name,
                                        correlation_key=wait.correlation_key, element_id=wait.element_id,
                                        created_at=now))
        # One conditional update: a message a supervisor discards meanwhile stays discarded.
        for message_id in session.scalars(_wake_unmatched(wait.name, wait.correlation_key)).all():
            queue_delivery(session, message_id, now, instance_id, again="retry")


def drop_subscriptions(session: Session, instance_id: int) -> None:
    session.execute(delete(MessageSubscription).where(MessageSubscription.instance_id == instance_id))


def subscriber(session: Session, name: str, correlation_key: str | None) -> MessageSubscription | None:
    """The instance waiting longest for this message and key."""
    return session.scalars(select(MessageSubscription)
                           .where(MessageSubscription.name == name,
                                  MessageSubscription.correlation_key.is_(None) if correlation_key is None
                                  else MessageSubscription.correlation_key == correlation_key)
                           .order_by(MessageSubscription.id).limit(1)).first()


def _wake_unmatched(name: str, correlation_key: str | None) -> Any:
    key = Message.correlation_key.is_(None) if correlation_key is None else Message.correlation_key == correlation_key
    return (update(Message).where(Message.name == name, key, Message.status == MessageStatus.UNMATCHED)
            .values(status=MessageStatus.PENDING).returning(Message.id))
