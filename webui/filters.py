"""Jinja filters: money and dates the way the university writes them (es_CO, America/Bogota)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

from flask import Flask

from handlers.ledger.statement_render import format_money

BOGOTA = ZoneInfo("America/Bogota")
STATUS_LABELS = {"running": "En curso", "waiting": "En espera", "completed": "Completado", "error": "Con error",
                 "suspended": "Suspendido", "terminated": "Terminado", "open": "Abierta",
                 "cancelled": "Cancelada"}


def local_time(value: datetime | None) -> str:
    return value.astimezone(BOGOTA).strftime("%d/%m/%Y %H:%M") if value else ""


def money(value: Any) -> str:
    try:
        amount = Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        return str(value)
    return format_money(amount)


def status_label(value: str) -> str:
    return STATUS_LABELS.get(value, value)


def register(app: Flask) -> None:
    app.jinja_env.filters.update(local_time=local_time, money=money, status_label=status_label)
