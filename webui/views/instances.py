"""Instancia (diagram, history, tasks, notes, incidents) and "Mis solicitudes"."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("instances", __name__)
