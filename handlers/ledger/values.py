"""Column types and small value helpers shared by the ledger's tables."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from sqlalchemy import Numeric

from handlers.errors import HandlerInputError

BOGOTA = ZoneInfo("America/Bogota")
CENT = Decimal("0.01")

#: Money column: COP with two decimals, never float.
Money = Numeric(14, 2, asdecimal=True)


def money(value: Decimal | int | str, *, field: str = "amount") -> Decimal:
    """A COP amount with exactly two decimals; floats are refused (they are not exact)."""
    if isinstance(value, float | bool):
        kind = type(value).__name__
        raise HandlerInputError(
            f"El valor debe ser un decimal exacto, un entero o un texto, no de tipo {kind}.", field=field
        )
    try:
        amount = Decimal(value)
    except (InvalidOperation, ValueError) as exc:
        raise HandlerInputError(f"«{value}» no es un valor monetario válido.", field=field) from exc
    if not amount.is_finite():
        raise HandlerInputError(f"«{value}» no es un valor monetario válido.", field=field)
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def positive_money(value: Decimal | int | str, *, field: str = "amount") -> Decimal:
    amount = money(value, field=field)
    if amount <= 0:
        raise HandlerInputError(f"El valor debe ser mayor que cero; se recibió {amount}.", field=field)
    return amount


def money_str(value: Decimal) -> str:
    """The JSON form of an amount: "150000.00"."""
    return str(value.quantize(CENT, rounding=ROUND_HALF_UP))


def bogota_date(moment: datetime) -> date:
    """The calendar date in Colombia of an aware moment (posting dates of counter-entries)."""
    if moment.tzinfo is None:
        raise ValueError("Se recibió una fecha y hora sin zona horaria; se requiere una hora UTC.")
    return moment.astimezone(BOGOTA).date()


@dataclass(frozen=True)
class Audit:
    """Who, when, why and in which process instance a ledger write happened."""

    actor: str
    at: datetime
    reason: str
    instance_ref: str | None = None

    def __post_init__(self) -> None:
        if self.at.tzinfo is None:
            raise ValueError("La fecha de la auditoría (Audit.at) debe tener zona horaria.")
        if not self.actor.strip():
            raise HandlerInputError("Se debe indicar quién realiza la operación.", field="actor")
        if not self.reason.strip():
            raise HandlerInputError("El motivo es obligatorio.", field="reason")

    def columns(self) -> dict[str, object]:
        """The audit columns of a ledger row (``AuditColumns``)."""
        return {
            "actor": self.actor,
            "recorded_at": self.at,
            "reason": self.reason,
            "instance_ref": self.instance_ref,
        }

    def because(self, reason: str) -> Audit:
        """The same actor, time and instance, another reason."""
        return Audit(actor=self.actor, at=self.at, reason=reason, instance_ref=self.instance_ref)
