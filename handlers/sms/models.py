"""The SMS outbox table."""

from __future__ import annotations
