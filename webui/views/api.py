"""The JSON API under /api/v1, described by /api/v1/openapi.json, authenticated with per-user tokens."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")
