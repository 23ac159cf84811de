"""What the requester picked to pay, before it becomes an order: invoices of the statement, or an amount of a credit
("Monto a pagar": Valor cuota, Saldo total, Otro valor). The amounts always come from the ledger, never from the
browser, except "Otro valor", which is bounded here."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy.orm import Session

from handlers.errors import HandlerInputError
from handlers.ledger.journal import ZERO
from handlers.ledger.loans import find_loan, standing_of
from handlers.ledger.statement_render import format_money
from handlers.oficina.home import LoanRow
from handlers.oficina.orders import OrderItemRequest
from handlers.oficina.pending import PendingCharge, pending_charges

MAX_SELECTED = 50


class LoanNotFound(Exception):
    """Not a credit of this account (or none by that number): 404."""


@dataclass(frozen=True)
class ChargesChoice:
    charges: tuple[PendingCharge, ...]
    total: Decimal

    def items(self) -> list[OrderItemRequest]:
        return [OrderItemRequest(kind="charge", ref=str(c.charge_id), amount=c.outstanding,
                                 description=c.description) for c in self.charges]


def charges_choice(session: Session, account_id: int, selected: Sequence[str],
                   in_plans: dict[int, str] | None = None) -> ChargesChoice:
    """The selected pending invoices of the account; refuses an unknown id, a paid one, or one a payment plan
    already refinances (paid through the plan's instalments)."""
    if not selected:
        raise HandlerInputError("Seleccione al menos una factura para pagar.", field="charge")
    if len(selected) > MAX_SELECTED:
        raise HandlerInputError(f"Seleccione hasta {MAX_SELECTED} facturas.", field="charge")
    pending = {c.charge_id: c for c in pending_charges(session, account_id)}
    chosen: dict[int, PendingCharge] = {}
    for raw in selected:
        text = str(raw).strip()
        charge = pending.get(int(text)) if text.isdigit() and len(text) <= 18 else None
        if charge is None:
            raise HandlerInputError(f"La factura «{text[:20]}» no está pendiente en esta cuenta.", field="charge")
        if in_plans and charge.charge_id in in_plans:
            raise HandlerInputError(f"«{charge.description}» se paga con las cuotas del plan "
                                    f"{in_plans[charge.charge_id]}.", field="charge")
        chosen[charge.charge_id] = charge
    rows = tuple(sorted(chosen.values(), key=lambda c: (c.due_on, c.charge_id)))
    return ChargesChoice(charges=rows, total=sum((c.outstanding for c in rows), ZERO))


@dataclass(frozen=True)
class LoanChoice(LoanRow):
    """A credit of "Créditos" chosen to pay, with its "Monto a pagar" options."""

    def amount_for(self, option: str, other: Decimal | None) -> Decimal:
        """ "cuota" | "saldo" | "otro" (with ``other``): the amount to pay, within (0, balance]."""
        if option == "cuota":
            return self.instalment
        if option == "saldo":
            return self.balance
        if option != "otro":
            raise HandlerInputError("Elija el valor a pagar: Valor cuota, Saldo total u Otro valor.", field="opcion")
        if other is None:
            raise HandlerInputError("Escriba el otro valor a pagar.", field="otro_valor")
        if other <= ZERO or other > self.balance:
            raise HandlerInputError(f"El otro valor debe ser mayor que $ 0,00 y no superar el saldo, "
                                    f"{format_money(self.balance)}.", field="otro_valor")
        if other != other.quantize(Decimal("0.01")):
            raise HandlerInputError("El otro valor admite hasta dos decimales.", field="otro_valor")
        return other

    def item(self, amount: Decimal, option: str) -> OrderItemRequest:
        label = {"cuota": "valor cuota", "saldo": "saldo total"}.get(option, "otro valor")
        return OrderItemRequest(kind="loan", ref=self.number, amount=amount,
                                description=f"Crédito {self.number} ({self.concept}): {label}")


def loan_choice(session: Session, account_id: int, number: str) -> LoanChoice:
    loan = find_loan(session, str(number)[:32])
    if loan is None or loan.account_id != account_id:
        raise LoanNotFound(number)
    standing = standing_of(session, loan)
    if standing.balance <= ZERO:
        raise LoanNotFound(number)
    return LoanChoice.of(loan, standing)
