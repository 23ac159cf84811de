"""Look-up of pending fee slips by a dependant's ID, without signing in."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("lookup", __name__)
