"""The closed vocabularies of the ledger, stored as strings (with CHECK constraints) in its tables."""

from __future__ import annotations

from enum import StrEnum


class AccountKind(StrEnum):
    STUDENT = "student"
    GENERIC = "generic"
    CAMPUS_GENERIC = "campus_generic"


class ChargeKind(StrEnum):
    TUITION = "tuition"  # matrícula financiera
    FEE = "fee"  # derechos pecuniarios


class EntryKind(StrEnum):
    CHARGE = "charge"
    CREDIT = "credit"  # abono of a payment
    SCHOLARSHIP = "scholarship"
    UNAPPLIED_PAYMENT = "unapplied_payment"  # bolsa genérica
    COUNTER_ENTRY = "counter_entry"
    REFUND = "refund"  # credit balance paid back to the student (positive: the account is owed less)
    TRANSFER_OUT = "transfer_out"  # credit balance moved to another account (positive on the giver)
    TRANSFER_IN = "transfer_in"  # ... and received (negative on the receiver)


class ReceiptKind(StrEnum):
    PAYMENT = "payment"
    GENERIC_BAG = "generic_bag"


class CustomerKind(StrEnum):
    STUDENT = "student"
    PARENT = "parent"
    TUTOR = "tutor"
    COMPANY = "company"


class InvoiceEventKind(StrEnum):
    ISSUED = "issued"
    USED = "used"
    ANNULLED = "annulled"


class ExportKind(StrEnum):
    SENT = "sent"
    REVERSAL = "reversal"
    RESEND = "resend"


class Adjustment(StrEnum):
    ANNULMENT = "anulacion"
    REVERSAL = "reversa"


class PermissionUnit(StrEnum):
    ADMINISTRATIVE_COORDINATION = "coordinacion_administrativa"
    BILLING = "facturacion"  # capa 2


class PermissionEventKind(StrEnum):
    GRANT = "grant"
    REVOKE = "revoke"
