"""What each kind of order item is checked against when ordered, and what it writes when the bank approves.

``CHECKERS[kind](session, account_id, ref, amount)`` validates an item at order time (raises HandlerInputError
naming the field). ``APPLIERS[kind](session, payment, item, audit)`` applies an approved item to the ledger, in
the same transaction as the payment, and returns the process messages to send once that transaction commits.
The plans helper adds "plan_instalment" to both dicts (handlers/plans).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from handlers.errors import HandlerInputError
from handlers.ledger.journal import ZERO, post_entry
from handlers.ledger.kinds import EntryKind
from handlers.ledger.loans import MovementKind, find_loan, record_loan_movement, standing_of
from handlers.ledger.models import Charge, Payment
from handlers.ledger.payments import apply_credit
from handlers.ledger.statement_render import format_money
from handlers.ledger.values import Audit
from handlers.oficina.order_models import PaymentOrderItem
from handlers.oficina.pending import owed_by_charge
from handlers.plans.instalments import apply_plan_instalment, check_plan_instalment


@dataclass(frozen=True)
class LedgerMessage:
    """A BPMN message to send after the payment commits (``engine.send_message``), idempotent by message_key."""

    name: str
    correlation_key: str
    message_key: str
    payload: dict[str, Any]

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "correlation_key": self.correlation_key, "message_key": self.message_key,
                "payload": self.payload}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> LedgerMessage:
        return cls(name=data["name"], correlation_key=data["correlation_key"], message_key=data["message_key"],
                   payload=dict(data["payload"]))


OrderItemRow = PaymentOrderItem
Applier = Callable[[Session, Payment, OrderItemRow, Audit], list[LedgerMessage]]
Checker = Callable[[Session, int, str, Decimal], None]


def _charge_of(session: Session, account_id: int, ref: str) -> Charge:
    charge = session.get(Charge, int(ref)) if ref.isdigit() and len(ref) <= 18 else None
    if charge is None or charge.account_id != account_id:
        raise HandlerInputError("La factura seleccionada no es de esta cuenta.", field="charge")
    return charge


def check_charge(session: Session, account_id: int, ref: str, amount: Decimal) -> None:
    """A pending invoice of the account, paid in full: the amount is exactly what it still owes."""
    charge = _charge_of(session, account_id, ref)
    owed = owed_by_charge(session, account_id).get(charge.id, charge.amount)
    if owed <= ZERO:
        raise HandlerInputError(f"La factura «{charge.description}» ya está pagada.", field="charge")
    if amount != owed:
        raise HandlerInputError(f"El valor de «{charge.description}» debe ser su saldo, {format_money(owed)}.",
                                field="charge")


def check_loan(session: Session, account_id: int, ref: str, amount: Decimal) -> None:
    """A credit of the account with a balance; more than zero and no more than that balance."""
    loan = find_loan(session, ref)
    if loan is None or loan.account_id != account_id:
        raise HandlerInputError("El crédito seleccionado no es de esta cuenta.", field="loan")
    balance = standing_of(session, loan).balance
    if balance <= ZERO:
        raise HandlerInputError(f"El crédito {loan.number} no tiene saldo por pagar.", field="loan")
    if amount <= ZERO or amount > balance:
        raise HandlerInputError(f"El valor debe ser mayor que cero y no superar el saldo del crédito, "
                                f"{format_money(balance)}.", field="valor")


def apply_charge(session: Session, payment: Payment, item: OrderItemRow, audit: Audit) -> list[LedgerMessage]:
    """An abono for the item's amount. A charge settled meanwhile by another channel is credited anyway: the
    money was received, and the excess shows as the account's saldo a favor."""
    assert payment.account_id is not None
    charge = _charge_of(session, payment.account_id, item.ref)
    apply_credit(session, payment=payment, charge=charge, amount=item.amount, audit=audit)
    return []


def apply_loan(session: Session, payment: Payment, item: OrderItemRow, audit: Audit) -> list[LedgerMessage]:
    """A payment movement on the loan; what exceeds its balance (paid meanwhile elsewhere) stays on the account
    as saldo a favor rather than overpaying the loan."""
    assert payment.account_id is not None
    loan = find_loan(session, item.ref)
    if loan is None or loan.account_id != payment.account_id:
        raise HandlerInputError("El crédito del pago no es de esta cuenta.", field="loan")
    balance = standing_of(session, loan).balance
    to_loan = min(item.amount, max(balance, ZERO))
    if to_loan > ZERO:
        record_loan_movement(session, loan, kind=MovementKind.PAYMENT, amount=to_loan, moved_on=payment.paid_on,
                             audit=audit)
    excess = item.amount - to_loan
    if excess > ZERO:
        post_entry(session, account_id=payment.account_id, kind=EntryKind.UNAPPLIED_PAYMENT,
                   entry_on=payment.paid_on, amount=-excess,
                   description=f"Excedente del pago al crédito {loan.number} (saldo a favor)",
                   reference=payment.number, payment_id=payment.id, audit=audit)
    return []


APPLIERS: dict[str, Applier] = {
    "charge": apply_charge,
    "loan": apply_loan,
    "plan_instalment": apply_plan_instalment,  # handlers/plans
}

CHECKERS: dict[str, Checker] = {
    "charge": check_charge,
    "loan": check_loan,
    "plan_instalment": check_plan_instalment,  # handlers/plans
}
