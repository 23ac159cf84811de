"""Tarea: instructions, context, the form, comments and attachments, "Completar"."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("tasks", __name__)
