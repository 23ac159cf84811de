"""Mis pagos: payment history and paid invoices, each printable one by one or as a list (PDF)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("oficina_history", __name__)
