"""Human numbers of ledger documents: "PG-1001", "RC-2001", "L-301", "FE-5001"."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import InstrumentedAttribute, Session

PAYMENT_PREFIX = "PG-"
RECEIPT_PREFIX = "RC-"
BATCH_PREFIX = "L-"
INVOICE_PREFIX = "FE-"


def next_number(session: Session, column: InstrumentedAttribute[str], prefix: str, *, start: int = 1) -> str:
    """The next free number with ``prefix``: one more than the highest numeric suffix in use."""
    used = session.scalars(select(column).where(column.startswith(prefix, autoescape=True))).all()
    suffixes = [int(n[len(prefix) :]) for n in used if n[len(prefix) :].isdigit()]
    return f"{prefix}{max([start - 1, *suffixes]) + 1}"
