"""The process designer's operations: models and their versions, drafts, validation, deploy, diff (issue 6)."""

from __future__ import annotations

from engine.core import EngineCore


class DesignerOps(EngineCore):
    pass
