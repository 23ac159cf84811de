"""The ledger's tables: one declarative base, append-only rows, statuses derived from event rows.

Nothing here is updated in place or deleted. An annulment or reversal is a new row whose ``reverses_id``
points at the original; unique constraints on those pointers make a second annulment impossible.
Every row carries who wrote it, when, why and from which process instance (``AuditColumns``).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import Boolean, CheckConstraint, Date, ForeignKey, MetaData, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from dbtypes import NAMING_CONVENTION, UTCDateTime
from handlers.ledger.kinds import (
    AccountKind,
    Adjustment,
    ChargeKind,
    CustomerKind,
    EntryKind,
    ExportKind,
    InvoiceEventKind,
    PermissionEventKind,
    PermissionUnit,
    ReceiptKind,
)
from handlers.ledger.values import Money


class LedgerBase(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def _in(column: str, values: type[StrEnum]) -> str:
    return f"{column} IN ({', '.join(repr(v.value) for v in values)})"


class AuditColumns:
    """Who wrote the row, when (UTC), why, and from which process instance."""

    actor: Mapped[str] = mapped_column(String(64))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())
    reason: Mapped[str] = mapped_column(Text)
    instance_ref: Mapped[str | None] = mapped_column(String(64))


class Campus(AuditColumns, LedgerBase):
    __tablename__ = "ledger_campus"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    name: Mapped[str] = mapped_column(String(120))


class Account(AuditColumns, LedgerBase):
    __tablename__ = "ledger_account"
    __table_args__ = (CheckConstraint(_in("kind", AccountKind), name="kind"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16))
    document_id: Mapped[str | None] = mapped_column(String(32))
    program: Mapped[str | None] = mapped_column(String(120))
    campus_id: Mapped[int | None] = mapped_column(ForeignKey("ledger_campus.id"), index=True)


class Charge(AuditColumns, LedgerBase):
    __tablename__ = "ledger_charge"
    __table_args__ = (
        CheckConstraint(_in("kind", ChargeKind), name="kind"),
        CheckConstraint("amount > 0", name="amount_positive"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("ledger_account.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    description: Mapped[str] = mapped_column(String(200))
    amount: Mapped[Decimal] = mapped_column(Money)
    charged_on: Mapped[date] = mapped_column(Date)
    due_on: Mapped[date] = mapped_column(Date)


class Payment(AuditColumns, LedgerBase):
    __tablename__ = "ledger_payment"
    __table_args__ = (CheckConstraint("amount > 0", name="amount_positive"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    amount: Mapped[Decimal] = mapped_column(Money)
    paid_on: Mapped[date] = mapped_column(Date)
    campus_id: Mapped[int | None] = mapped_column(ForeignKey("ledger_campus.id"), index=True)
    identified: Mapped[bool] = mapped_column(Boolean)  # payer and concept known
    account_id: Mapped[int | None] = mapped_column(ForeignKey("ledger_account.id"), index=True)


class Credit(AuditColumns, LedgerBase):
    """An abono: part of a payment applied to a charge."""

    __tablename__ = "ledger_credit"
    __table_args__ = (CheckConstraint("amount > 0", name="amount_positive"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    payment_id: Mapped[int] = mapped_column(ForeignKey("ledger_payment.id"), index=True)
    charge_id: Mapped[int] = mapped_column(ForeignKey("ledger_charge.id"), index=True)
    amount: Mapped[Decimal] = mapped_column(Money)


class ScholarshipCredit(AuditColumns, LedgerBase):
    """A scholarship or discount (beca o descuento) credited on a charge."""

    __tablename__ = "ledger_scholarship_credit"
    __table_args__ = (CheckConstraint("amount > 0", name="amount_positive"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    charge_id: Mapped[int] = mapped_column(ForeignKey("ledger_charge.id"), index=True)
    scholarship: Mapped[str] = mapped_column(String(120))
    amount: Mapped[Decimal] = mapped_column(Money)
    granted_on: Mapped[date] = mapped_column(Date)


class PaymentRelease(AuditColumns, LedgerBase):
    """TIC released the payment for an annulment or a reversal (step 5)."""

    __tablename__ = "ledger_payment_release"
    __table_args__ = (CheckConstraint(_in("adjustment", Adjustment), name="adjustment"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    payment_id: Mapped[int] = mapped_column(ForeignKey("ledger_payment.id"), unique=True)
    adjustment: Mapped[str] = mapped_column(String(16))


class Batch(AuditColumns, LedgerBase):
    """A batch (lote) of cash receipts."""

    __tablename__ = "ledger_batch"
    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    campus_id: Mapped[int | None] = mapped_column(ForeignKey("ledger_campus.id"), index=True)
    opened_on: Mapped[date] = mapped_column(Date)


class Receipt(AuditColumns, LedgerBase):
    """A cash receipt (recibo de caja) of a payment; a payment has one of each kind at most."""

    __tablename__ = "ledger_receipt"
    __table_args__ = (
        UniqueConstraint("payment_id", "kind"),
        CheckConstraint(_in("kind", ReceiptKind), name="kind"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("ledger_batch.id"), index=True)
    payment_id: Mapped[int] = mapped_column(ForeignKey("ledger_payment.id"), index=True)
    account_id: Mapped[int | None] = mapped_column(ForeignKey("ledger_account.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    issued_on: Mapped[date] = mapped_column(Date)


class ReceiptLine(AuditColumns, LedgerBase):
    """A line of a receipt's transaction detail; a counter-line reverses exactly one line."""

    __tablename__ = "ledger_receipt_line"
    id: Mapped[int] = mapped_column(primary_key=True)
    receipt_id: Mapped[int] = mapped_column(ForeignKey("ledger_receipt.id"), index=True)
    description: Mapped[str] = mapped_column(String(200))
    amount: Mapped[Decimal] = mapped_column(Money)
    charge_id: Mapped[int | None] = mapped_column(ForeignKey("ledger_charge.id"))
    reverses_id: Mapped[int | None] = mapped_column(ForeignKey("ledger_receipt_line.id"), unique=True)


class ReceiptAnnulment(AuditColumns, LedgerBase):
    __tablename__ = "ledger_receipt_annulment"
    id: Mapped[int] = mapped_column(primary_key=True)
    receipt_id: Mapped[int] = mapped_column(ForeignKey("ledger_receipt.id"), unique=True)


class Invoice(AuditColumns, LedgerBase):
    """An electronic invoice (factura electrónica); its status comes from ``InvoiceEvent`` rows."""

    __tablename__ = "ledger_invoice"
    __table_args__ = (
        CheckConstraint(_in("customer_kind", CustomerKind), name="customer_kind"),
        CheckConstraint("amount > 0", name="amount_positive"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    customer_kind: Mapped[str] = mapped_column(String(16))
    customer_id: Mapped[str] = mapped_column(String(32))  # document id or NIT
    customer_name: Mapped[str] = mapped_column(String(200))
    amount: Mapped[Decimal] = mapped_column(Money)
    issued_on: Mapped[date] = mapped_column(Date)
    payment_id: Mapped[int | None] = mapped_column(ForeignKey("ledger_payment.id"), index=True)
    replaces_id: Mapped[int | None] = mapped_column(ForeignKey("ledger_invoice.id"), unique=True)


class InvoiceEvent(AuditColumns, LedgerBase):
    __tablename__ = "ledger_invoice_event"
    __table_args__ = (
        UniqueConstraint("invoice_id", "kind"),
        CheckConstraint(_in("kind", InvoiceEventKind), name="kind"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("ledger_invoice.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))


class AccountingExport(AuditColumns, LedgerBase):
    """A send of a payment to the general ledger (GP), its reversal, or its resend after reclassification."""

    __tablename__ = "ledger_accounting_export"
    __table_args__ = (CheckConstraint(_in("kind", ExportKind), name="kind"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    payment_id: Mapped[int] = mapped_column(ForeignKey("ledger_payment.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    summary_type: Mapped[str] = mapped_column(String(64))
    analytic_dimension: Mapped[str] = mapped_column(String(64))  # Nivel-Sesión-Departamento
    application_date: Mapped[date] = mapped_column(Date)
    income_account: Mapped[str] = mapped_column(String(32))
    reverses_id: Mapped[int | None] = mapped_column(ForeignKey("ledger_accounting_export.id"), unique=True)


class Entry(AuditColumns, LedgerBase):
    """A line of an account's journal: the statement. Positive = the account owes more."""

    __tablename__ = "ledger_entry"
    __table_args__ = (CheckConstraint(_in("kind", EntryKind), name="kind"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("ledger_account.id"), index=True)
    kind: Mapped[str] = mapped_column(String(24))
    entry_on: Mapped[date] = mapped_column(Date)
    amount: Mapped[Decimal] = mapped_column(Money)
    description: Mapped[str] = mapped_column(String(200))
    reference: Mapped[str | None] = mapped_column(String(32))
    charge_id: Mapped[int | None] = mapped_column(ForeignKey("ledger_charge.id"), index=True)
    payment_id: Mapped[int | None] = mapped_column(ForeignKey("ledger_payment.id"), index=True)
    credit_id: Mapped[int | None] = mapped_column(ForeignKey("ledger_credit.id"))
    scholarship_credit_id: Mapped[int | None] = mapped_column(ForeignKey("ledger_scholarship_credit.id"))
    reverses_id: Mapped[int | None] = mapped_column(ForeignKey("ledger_entry.id"), unique=True)


class PermissionEvent(AuditColumns, LedgerBase):
    """TIC Nacer granted or revoked a user's permission to annul payments; the latest event wins."""

    __tablename__ = "ledger_permission_event"
    __table_args__ = (
        CheckConstraint(_in("kind", PermissionEventKind), name="kind"),
        CheckConstraint(f"unit IS NULL OR {_in('unit', PermissionUnit)}", name="unit"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    unit: Mapped[str | None] = mapped_column(String(32))
    errors_allowed: Mapped[bool] = mapped_column(Boolean)


class Notice(LedgerBase):
    """Something the process tells a user or a role (an outbox; sending is someone else's job)."""

    __tablename__ = "ledger_notice"
    __table_args__ = (CheckConstraint("recipient_kind IN ('user', 'role')", name="recipient_kind"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    recipient: Mapped[str] = mapped_column(String(64), index=True)
    recipient_kind: Mapped[str] = mapped_column(String(8))
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    instance_ref: Mapped[str | None] = mapped_column(String(64))
    actor: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Document(AuditColumns, LedgerBase):
    """A document the university generates for an account: a personalised receipt for an amount with cents,
    an ACH or international transfer instruction, a credit payoff statement. ``body`` is its printable text."""

    __tablename__ = "ledger_document"
    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    kind: Mapped[str] = mapped_column(String(32))
    account_id: Mapped[int | None] = mapped_column(ForeignKey("ledger_account.id"), index=True)
    amount: Mapped[Decimal | None] = mapped_column(Money)
    issued_on: Mapped[date] = mapped_column(Date)
    body: Mapped[str] = mapped_column(Text)


class Loan(AuditColumns, LedgerBase):
    """A long-term credit of a student (Pilos, profesionalización, largo plazo, Icetex)."""

    __tablename__ = "ledger_loan"
    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("ledger_account.id"), index=True)
    program: Mapped[str] = mapped_column(String(32))
    principal: Mapped[Decimal] = mapped_column(Money)
    instalment: Mapped[Decimal] = mapped_column(Money)
    opened_on: Mapped[date] = mapped_column(Date)


class LoanMovement(AuditColumns, LedgerBase):
    """A payment on, or payoff of, a loan; the balance is the principal minus their sum. ``reverses_id``
    points at the movement a counter-movement undoes."""

    __tablename__ = "ledger_loan_movement"
    id: Mapped[int] = mapped_column(primary_key=True)
    loan_id: Mapped[int] = mapped_column(ForeignKey("ledger_loan.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    amount: Mapped[Decimal] = mapped_column(Money)
    moved_on: Mapped[date] = mapped_column(Date)
    reverses_id: Mapped[int | None] = mapped_column(ForeignKey("ledger_loan_movement.id"), unique=True)
