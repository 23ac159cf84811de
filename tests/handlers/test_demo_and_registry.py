from __future__ import annotations

import inspect

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from handlers import pro_maa_16
from handlers.demo import DemoPayment, seed_demo_ledger
from handlers.ledger.kinds import EntryKind
from handlers.ledger.models import Account, Entry, PermissionEvent
from handlers.ledger.statement_render import KIND_LABELS
from handlers.registry import HANDLERS

from .conftest import NOW


def test_seed_is_idempotent(session: Session, demo: list[DemoPayment]) -> None:
    counts = [session.scalar(select(func.count(m.id))) for m in (Account, Entry, PermissionEvent)]
    again = seed_demo_ledger(session, NOW)
    assert again == demo
    assert [session.scalar(select(func.count(m.id))) for m in (Account, Entry, PermissionEvent)] == counts


def test_demo_covers_every_branch(session: Session, demo: list[DemoPayment]) -> None:
    assert [d.payment for d in demo] == [f"PG-100{i}" for i in range(1, 7)]
    for item in demo:
        assert item.start_data["payment"] == item.payment
        assert item.start_data["adjustment"] in ("anulacion", "reversa")
        assert item.start_data["reason"] in pro_maa_16.common.REASONS
        assert item.start_data["justification"]
        assert item.branch
    codes = set(session.scalars(select(Account.code)))
    assert {"GEN-GLOBAL", "GEN-BOG", "GEN-MED"} <= codes
    assert {d.account for d in demo} <= codes


def test_registry_lists_every_handler_with_a_step_context_first() -> None:
    assert set(pro_maa_16.__all__) <= set(HANDLERS)
    for name, function in HANDLERS.items():
        first = next(iter(inspect.signature(function).parameters))
        assert first == "ctx", name
    assert all(HANDLERS[name].__name__ == name for name in pro_maa_16.__all__)


def test_every_entry_kind_has_a_statement_label() -> None:
    assert set(KIND_LABELS) == set(EntryKind)
