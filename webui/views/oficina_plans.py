"""Payment plans: eligibility, the options, the plan's data, its instalments (PDF), paying the first one."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("oficina_plans", __name__)
