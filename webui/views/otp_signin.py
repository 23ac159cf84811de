"""Sign-in by ID number and a one-time code sent by SMS."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("otp_signin", __name__)
