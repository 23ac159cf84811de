"""Iniciar proceso: the processes the user's roles may start, each with its start form."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("processes", __name__)
