"""Handlers the benchmark and test models call, besides the product's own registry."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from handlers.registry import HANDLERS


def is_large(ctx: Any, amount: Any) -> bool:
    return Decimal(str(amount)) >= Decimal("1000")


def record_step(ctx: Any, label: str) -> dict[str, Any]:
    return {"label": label, "actor": ctx.actor}


BENCH_HANDLERS: dict[str, Callable[..., Any]] = {**HANDLERS, "is_large": is_large, "record_step": record_step}
