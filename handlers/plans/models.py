"""Tables of payment plans and their instalments."""

from __future__ import annotations
