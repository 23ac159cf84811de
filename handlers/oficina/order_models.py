"""Tables of online payment orders, their items and the gateway's notifications."""

from __future__ import annotations
