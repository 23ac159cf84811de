"""What a handler receives from whoever calls it (the engine, a test, the command line).

Handlers know nothing of SpiffWorkflow or Flask: the engine passes any object with these attributes.
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from sqlalchemy.orm import Session


class StepContext(Protocol):
    """The step a handler runs in: its writes join the step's transaction, its records name the actor."""

    @property
    def session(self) -> Session: ...

    @property
    def actor(self) -> str:
        """Username of the person whose action triggered the step ("system" for automatic steps)."""
        ...

    @property
    def initiator(self) -> str | None:
        """Username of who started the instance."""
        ...

    @property
    def instance_ref(self) -> str | None:
        """A printable reference to the process instance (e.g. "PRO-MAA-16#12"), for the ledger's why."""
        ...

    @property
    def now(self) -> datetime:
        """Timezone-aware UTC time of the step."""
        ...
