"""Moving running instances from one version of their model to another, where that is safe (issue 6)."""

from __future__ import annotations

from engine.core import EngineCore


class MigrationOps(EngineCore):
    pass
