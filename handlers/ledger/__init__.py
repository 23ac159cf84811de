"""The ledger the processes act on (the "sistema académico"): append-only tables and their functions.

The most used entry points are re-exported here; each concept lives in its own module.
"""

from handlers.ledger.models import LedgerBase
from handlers.ledger.permissions import (
    AnnulmentPermission,
    annulment_permission_of,
    grant_annulment_permission,
    revoke_annulment_permission,
)
from handlers.ledger.statement import Statement, StatementAccount, StatementEntry, account_statement
from handlers.ledger.statement_render import statement_json, statement_text

__all__ = [
    "AnnulmentPermission",
    "LedgerBase",
    "Statement",
    "StatementAccount",
    "StatementEntry",
    "account_statement",
    "annulment_permission_of",
    "grant_annulment_permission",
    "revoke_annulment_permission",
    "statement_json",
    "statement_text",
]
