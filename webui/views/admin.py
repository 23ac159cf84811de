"""Usuarios y permisos: users and roles; TIC Nacer grants and revokes the permission to annul payments."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("admin", __name__)
