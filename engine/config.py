"""Every setting in one place, each read from the environment with a default that works out of the box."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Settings:
    database_url: str
    processes_dir: Path
    instance_dir: Path

    @classmethod
    def from_env(cls) -> Settings:
        instance_dir = Path(os.environ.get("CAUCE_INSTANCE_DIR", PROJECT_ROOT / "instance"))
        default_url = f"sqlite:///{instance_dir / 'cauce.db'}"
        return cls(
            database_url=os.environ.get("DATABASE_URL", default_url),
            processes_dir=Path(os.environ.get("CAUCE_PROCESSES_DIR", PROJECT_ROOT / "processes")),
            instance_dir=instance_dir,
        )

    def ensure_dirs(self) -> None:
        if self.database_url.startswith("sqlite:///"):
            Path(self.database_url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
