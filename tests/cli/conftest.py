"""What the command-line tests share: a home of their own (database file and instance folder)."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'c.db'}")
    monkeypatch.setenv("CAUCE_INSTANCE_DIR", str(tmp_path))
    monkeypatch.delenv("CAUCE_DEBUG", raising=False)
    return tmp_path
