"""Paying: the confirmation, the order, the hand-off to the gateway, its notification, the voucher and its PDF."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("oficina_pay", __name__)
