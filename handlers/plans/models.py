"""Tables of payment plans and their instalments.

Append-only like the rest of the ledger: a plan's status is the latest of its event rows (generado, activado,
caducado; each at most once), and an instalment is paid when a row in ``ledger_plan_instalment_payment`` says so.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import CheckConstraint, Date, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from dbtypes import UTCDateTime
from handlers.ledger.models import AuditColumns, LedgerBase
from handlers.ledger.values import Money


class PlanEventKind(StrEnum):
    GENERATED = "generado"
    ACTIVATED = "activado"
    LAPSED = "caducado"


class PaymentPlan(AuditColumns, LedgerBase):
    """A plan that refinances an account's overdue charges in instalments, with the holder's contact data as
    given when it was generated."""

    __tablename__ = "ledger_payment_plan"
    __table_args__ = (CheckConstraint("instalments > 0", name="instalments"),
                      CheckConstraint("total > 0", name="total"))
    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(16), unique=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("ledger_account.id"), index=True)
    total: Mapped[Decimal] = mapped_column(Money)
    instalments: Mapped[int] = mapped_column(Integer)
    holder: Mapped[str] = mapped_column(String(200))
    holder_document: Mapped[str] = mapped_column(String(32))
    phone: Mapped[str] = mapped_column(String(32))
    email: Mapped[str] = mapped_column(String(200))
    address: Mapped[str] = mapped_column(String(200))
    terms_accepted_at: Mapped[datetime] = mapped_column(UTCDateTime())
    instance_id: Mapped[int | None] = mapped_column(Integer)  # the engine's instance running the plan


class PaymentPlanEvent(AuditColumns, LedgerBase):
    """The plan was generated, activated (its first instalment paid) or lapsed (unpaid when due)."""

    __tablename__ = "ledger_payment_plan_event"
    __table_args__ = (
        CheckConstraint(f"kind IN ({', '.join(repr(k.value) for k in PlanEventKind)})", name="kind"),
        UniqueConstraint("plan_id", "kind", name="uq_ledger_payment_plan_event_plan_kind"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("ledger_payment_plan.id"))
    kind: Mapped[str] = mapped_column(String(16))


class PlanInstalment(AuditColumns, LedgerBase):
    __tablename__ = "ledger_plan_instalment"
    __table_args__ = (UniqueConstraint("plan_id", "seq", name="uq_ledger_plan_instalment_plan_seq"),
                      CheckConstraint("amount > 0", name="amount"))
    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("ledger_payment_plan.id"))
    seq: Mapped[int] = mapped_column(Integer)
    amount: Mapped[Decimal] = mapped_column(Money)
    due_on: Mapped[date] = mapped_column(Date)


class PlanCharge(AuditColumns, LedgerBase):
    """An overdue charge the plan refinances, with what it owed when the plan was generated."""

    __tablename__ = "ledger_plan_charge"
    __table_args__ = (UniqueConstraint("plan_id", "charge_id", name="uq_ledger_plan_charge_plan_charge"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("ledger_payment_plan.id"))
    charge_id: Mapped[int] = mapped_column(ForeignKey("ledger_charge.id"), index=True)
    amount: Mapped[Decimal] = mapped_column(Money)


class PlanInstalmentPayment(AuditColumns, LedgerBase):
    """The payment that paid an instalment; one per instalment (the unique key is the last guard)."""

    __tablename__ = "ledger_plan_instalment_payment"
    id: Mapped[int] = mapped_column(primary_key=True)
    instalment_id: Mapped[int] = mapped_column(ForeignKey("ledger_plan_instalment.id"), unique=True)
    payment_id: Mapped[int] = mapped_column(ForeignKey("ledger_payment.id"), index=True)
    amount: Mapped[Decimal] = mapped_column(Money)
