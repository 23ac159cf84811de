"""What the migration operations answer: plain frozen values, never ORM rows or SpiffWorkflow objects."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class MigrationCheck:
    """One instance as seen by a migration: whether it can move to the newer version, and if not, why
    (Spanish reasons, each naming the element that blocks it)."""

    instance_id: int
    business_key: str | None
    status: str
    movable: bool
    reasons: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class MigrationPlan:
    """The running instances of ``from_version`` and whether each could move to ``to_version`` now."""

    model: str
    from_version: int
    to_version: int
    candidates: list[MigrationCheck]

    @property
    def movable(self) -> list[int]:
        return [c.instance_id for c in self.candidates if c.movable]


@dataclass(frozen=True)
class MigrationReport:
    """What a migration did: the instances moved, and those left as they were with the reasons."""

    model: str
    from_version: int
    to_version: int
    moved: list[int]
    refused: list[MigrationCheck]
