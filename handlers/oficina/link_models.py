"""Tables of linked accounts and adhesions (digital invoice, direct debit).

Both are append-only event tables: linking, unlinking, adhering and cancelling each add a row, and the latest
row of a (user, account) or (account, service) pair is the current state. The rows are the audit trail.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from dbtypes import UTCDateTime
from handlers.ledger.models import AuditColumns, LedgerBase


class LinkKind(StrEnum):
    LINKED = "vinculada"
    UNLINKED = "desvinculada"


class AdhesionService(StrEnum):
    DIGITAL_INVOICE = "factura_digital"
    DIRECT_DEBIT = "debito_automatico"


class AdhesionKind(StrEnum):
    ADHESION = "adhesion"
    CANCELLATION = "cancelacion"


class BankAccountType(StrEnum):
    SAVINGS = "ahorros"
    CHECKING = "corriente"


def _in(column: str, values: type[StrEnum]) -> str:
    return f"{column} IN ({', '.join(repr(v.value) for v in values)})"


class AccountLinkEvent(AuditColumns, LedgerBase):
    """A requester linked or unlinked a ledger account to their user; the latest event of the pair wins."""

    __tablename__ = "ledger_account_link_event"
    __table_args__ = (
        CheckConstraint(_in("kind", LinkKind), name="kind"),
        Index("ix_ledger_account_link_event_user_account", "username", "account_id"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64))
    account_id: Mapped[int] = mapped_column(ForeignKey("ledger_account.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))


class AccountLinkAttempt(LedgerBase):
    """A search or link whose account number and holder's document did not match: counted to slow down someone
    guessing a holder's document for a known account number."""

    __tablename__ = "ledger_account_link_attempt"
    __table_args__ = (Index("ix_ledger_account_link_attempt_user_at", "username", "attempted_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64))
    account_code: Mapped[str] = mapped_column(String(32))
    attempted_at: Mapped[datetime] = mapped_column(UTCDateTime())


class AdhesionEvent(AuditColumns, LedgerBase):
    """An adhesion to, or cancellation of, a service of an account; the latest event of the pair wins.

    The bank account number of a direct debit is stored masked ("****1234"): the debit itself is arranged by the
    bank with the holder, so the university never needs the full number, and a leaked row reveals nothing usable.
    """

    __tablename__ = "ledger_adhesion_event"
    __table_args__ = (
        CheckConstraint(_in("service", AdhesionService), name="service"),
        CheckConstraint(_in("kind", AdhesionKind), name="kind"),
        CheckConstraint(f"bank_account_type IS NULL OR {_in('bank_account_type', BankAccountType)}",
                        name="bank_account_type"),
        Index("ix_ledger_adhesion_event_account_service", "account_id", "service"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("ledger_account.id"))
    service: Mapped[str] = mapped_column(String(24))
    kind: Mapped[str] = mapped_column(String(16))
    email: Mapped[str | None] = mapped_column(String(200))
    terms_accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    bank: Mapped[str | None] = mapped_column(String(120))
    bank_account_type: Mapped[str | None] = mapped_column(String(16))
    bank_account_masked: Mapped[str | None] = mapped_column(String(16))
    bank_holder: Mapped[str | None] = mapped_column(String(200))
    bank_holder_document: Mapped[str | None] = mapped_column(String(32))
