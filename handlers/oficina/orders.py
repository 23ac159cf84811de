"""Online payment orders: what a requester chose to pay, checked item by item, handed to the gateway.

An order lives 30 minutes as "pendiente"; the bank's notification decides it ("aprobada", "rechazada"), or it
lapses ("vencida"). Asking again for exactly the same items while an order for them is pending returns that order
(the same reference, so the gateway resumes its transaction); asking for an item already in another pending order
is refused, so an invoice is not paid twice by two tabs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import NamedTuple
from uuid import uuid4

from sqlalchemy import select
from sqlalchemy.orm import Session

from handlers.errors import HandlerInputError
from handlers.ledger.journal import ZERO
from handlers.ledger.models import Account, Payment
from handlers.ledger.values import money
from handlers.oficina.appliers import CHECKERS
from handlers.oficina.order_models import OrderStatus, PaymentOrder, PaymentOrderItem

ORDER_PREFIX = "OP-"
ORDER_LIFETIME = timedelta(minutes=30)
CURRENCY = "COP"
MAX_ITEMS = 50
MAX_DESCRIPTION = 200
MAX_REF = 64


class OrderNotFound(Exception):
    """No such order, or not the user's: the web answers 404 (it reveals neither)."""


@dataclass(frozen=True)
class OrderItemRequest:
    kind: str  # "charge" | "loan" | "plan_instalment"
    ref: str
    amount: Decimal
    description: str


class OrderItemView(NamedTuple):
    kind: str
    ref: str
    description: str
    amount: Decimal


@dataclass(frozen=True)
class OrderView:
    reference: str
    status: str  # OrderStatus value
    username: str
    account_id: int
    account_code: str
    amount: Decimal
    currency: str
    vat: Decimal
    vat_base: Decimal
    description: str
    created_at: datetime
    expires_at: datetime
    decided_at: datetime | None
    transaction_id: str | None
    payment_id: int | None
    payment_number: str | None
    items: tuple[OrderItemView, ...]

    @property
    def pending(self) -> bool:
        return self.status == OrderStatus.PENDING


def _items_of(session: Session, order_ids: Sequence[int]) -> dict[int, list[PaymentOrderItem]]:
    found: dict[int, list[PaymentOrderItem]] = {i: [] for i in order_ids}
    if order_ids:
        for item in session.scalars(select(PaymentOrderItem).where(PaymentOrderItem.order_id.in_(order_ids))
                                    .order_by(PaymentOrderItem.order_id, PaymentOrderItem.seq)):
            found[item.order_id].append(item)
    return found


def _views(session: Session, orders: Sequence[PaymentOrder]) -> list[OrderView]:
    items = _items_of(session, [o.id for o in orders])
    codes: dict[int, str] = {row.id: row.code for row in session.execute(
        select(Account.id, Account.code).where(Account.id.in_({o.account_id for o in orders})))}
    payment_ids = {o.payment_id for o in orders if o.payment_id is not None}
    numbers: dict[int, str] = {row.id: row.number for row in session.execute(
        select(Payment.id, Payment.number).where(Payment.id.in_(payment_ids)))} if payment_ids else {}
    return [OrderView(reference=o.reference, status=o.status, username=o.username, account_id=o.account_id,
                      account_code=codes.get(o.account_id, ""), amount=o.amount, currency=o.currency, vat=o.vat,
                      vat_base=o.vat_base, description=o.description, created_at=o.created_at,
                      expires_at=o.expires_at, decided_at=o.decided_at, transaction_id=o.transaction_id,
                      payment_id=o.payment_id,
                      payment_number=numbers.get(o.payment_id) if o.payment_id is not None else None,
                      items=tuple(OrderItemView(i.kind, i.ref, i.description, i.amount) for i in items[o.id]))
            for o in orders]


def order_view(session: Session, order: PaymentOrder) -> OrderView:
    return _views(session, [order])[0]


def find_order(session: Session, reference: str, *, lock: bool = False) -> PaymentOrder | None:
    query = select(PaymentOrder).where(PaymentOrder.reference == str(reference)[:32])
    if lock:  # FOR UPDATE on PostgreSQL; SQLite omits it, its writers already hold the database lock
        query = query.with_for_update()
    return session.scalars(query).one_or_none()


def order_of(session: Session, username: str, reference: str) -> OrderView:
    """The user's order by reference; OrderNotFound when unknown or someone else's."""
    order = find_order(session, reference)
    if order is None or order.username != username:
        raise OrderNotFound(reference)
    return order_view(session, order)


def _clean(items: Sequence[OrderItemRequest]) -> list[OrderItemRequest]:
    if not items:
        raise HandlerInputError("Seleccione al menos una factura o un valor a pagar.", field="charge")
    if len(items) > MAX_ITEMS:
        raise HandlerInputError(f"Un pago admite hasta {MAX_ITEMS} conceptos.", field="charge")
    cleaned, seen = [], set()
    for item in items:
        if item.kind not in CHECKERS:
            raise HandlerInputError(f"No se puede pagar en línea un concepto de tipo «{item.kind}».", field="kind")
        ref = str(item.ref).strip()
        if not ref or len(ref) > MAX_REF:
            raise HandlerInputError("Falta la referencia de un concepto.", field=item.kind)
        if (item.kind, ref) in seen:
            raise HandlerInputError("Un concepto está repetido en el pago.", field=item.kind)
        seen.add((item.kind, ref))
        amount = money(item.amount, field="valor")
        description = " ".join(str(item.description).split())[:MAX_DESCRIPTION] or ref
        cleaned.append(OrderItemRequest(kind=item.kind, ref=ref, amount=amount, description=description))
    return cleaned


def _same_items(found: list[PaymentOrderItem], wanted: list[OrderItemRequest]) -> bool:
    return sorted((i.kind, i.ref, i.amount) for i in found) == sorted((i.kind, i.ref, i.amount) for i in wanted)


def _pending_match(session: Session, account_id: int, username: str, wanted: list[OrderItemRequest],
                   now: datetime) -> PaymentOrder | None:
    """A live pending order with exactly these items (reused), or None; refuses a partial overlap."""
    live = session.scalars(select(PaymentOrder).where(PaymentOrder.account_id == account_id,
                                                      PaymentOrder.status == OrderStatus.PENDING,
                                                      PaymentOrder.expires_at > now)
                           .order_by(PaymentOrder.id)).all()
    items = _items_of(session, [o.id for o in live])
    keys = {(i.kind, i.ref) for i in wanted}
    for order in live:
        overlap = [i for i in items[order.id] if (i.kind, i.ref) in keys]
        if not overlap:
            continue
        if order.username == username and _same_items(items[order.id], wanted):
            return order
        raise HandlerInputError(
            f"«{overlap[0].description}» ya está en un pago en curso ({order.reference}); espere su resultado "
            f"o a que venza, a los 30 minutos de iniciado.", field=overlap[0].kind)
    return None


def _reference(order_id: int) -> str:
    """ "OP-000123" from the row's id: unique by construction, so two orders created at once never collide (a
    "highest number + 1" would give both the same)."""
    return f"{ORDER_PREFIX}{order_id:06d}"


def _description(account: Account, items: list[OrderItemRequest]) -> str:
    text = f"Cuenta {account.code}: " + "; ".join(i.description for i in items)
    return text if len(text) <= MAX_DESCRIPTION else text[:MAX_DESCRIPTION - 1] + "…"


def create_order(session: Session, *, username: str, account_id: int, items: Sequence[OrderItemRequest],
                 now: datetime, client_ip: str | None) -> OrderView:
    """A pending order for ``items`` of a (linked) account, each checked by its kind's checker."""
    # One order at a time per account, so the overlap check holds (SQLite omits FOR UPDATE: its writers are
    # serialized already).
    account = session.scalars(select(Account).where(Account.id == account_id).with_for_update()).one_or_none()
    if account is None:
        raise HandlerInputError("No existe la cuenta.", field="account")
    wanted = _clean(items)
    for item in wanted:
        CHECKERS[item.kind](session, account_id, item.ref, item.amount)
    total = sum((i.amount for i in wanted), ZERO)
    if total <= ZERO:
        raise HandlerInputError("El total a pagar debe ser mayor que cero.", field="valor")
    reused = _pending_match(session, account_id, username, wanted, now)
    if reused is not None:
        return order_view(session, reused)
    order = PaymentOrder(reference=f"tmp-{uuid4().hex[:28]}", username=username, account_id=account_id,
                         amount=total, currency=CURRENCY, vat=ZERO, vat_base=ZERO,
                         description=_description(account, wanted), created_at=now,
                         expires_at=now + ORDER_LIFETIME, status=OrderStatus.PENDING,
                         client_ip=(client_ip or None) and str(client_ip)[:64])
    session.add(order)
    session.flush()
    order.reference = _reference(order.id)
    for seq, item in enumerate(wanted, start=1):
        session.add(PaymentOrderItem(order_id=order.id, seq=seq, kind=item.kind, ref=item.ref,
                                     description=item.description, amount=item.amount))
    session.flush()
    return order_view(session, order)


def expire_if_due(session: Session, order: PaymentOrder, now: datetime) -> bool:
    """Marks a pending order past its lifetime as "vencida"; True when it did. A bank approval arriving later
    still applies (the money was taken), see apply.py."""
    if order.status == OrderStatus.PENDING and now >= order.expires_at:
        order.status = OrderStatus.EXPIRED
        order.decided_at = now
        session.flush()
        return True
    return False


def expire_order(session: Session, reference: str, now: datetime) -> OrderView:
    order = find_order(session, reference, lock=True)
    if order is None:
        raise OrderNotFound(reference)
    expire_if_due(session, order, now)
    return order_view(session, order)


def online_orders_of(session: Session, account_id: int) -> dict[int, OrderView]:
    """The account's approved online orders by the ledger payment they became (Mis pagos marks them)."""
    orders = session.scalars(select(PaymentOrder).where(PaymentOrder.account_id == account_id,
                                                        PaymentOrder.status == OrderStatus.APPROVED,
                                                        PaymentOrder.payment_id.is_not(None))
                             .order_by(PaymentOrder.id)).all()
    return {v.payment_id: v for v in _views(session, orders) if v.payment_id is not None}

