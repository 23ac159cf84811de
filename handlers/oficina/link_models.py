"""Tables of linked accounts and adhesions (digital invoice, direct debit)."""

from __future__ import annotations
