"""Buzón de SMS: the SMS outbox, for administrators."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("sms_box", __name__)
