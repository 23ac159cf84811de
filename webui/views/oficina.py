"""The Oficina virtual's home (estado de cuenta), Mis cuentas (link, unlink, switch) and the adhesions."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("oficina", __name__)
