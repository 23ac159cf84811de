"""What a handler receives from whoever calls it (the engine, a test, the command line).

Handlers know nothing of SpiffWorkflow or Flask: the engine passes any object with these attributes.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from sqlalchemy.orm import Session


class Contact(Protocol):
    @property
    def username(self) -> str: ...

    @property
    def display_name(self) -> str: ...

    @property
    def email(self) -> str | None: ...


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


class CaseStepContext(StepContext, Protocol):
    """A step of a case: it knows its case number and can look people up to tell them something."""

    @property
    def case_number(self) -> str | None:
        """The instance's case number (e.g. "SF-2026-000123")."""
        ...

    def contacts_in_role(self, role: str) -> Sequence[Contact]:
        """Active members of ``role`` who have an e-mail address."""
        ...

    def contact(self, username: str) -> Contact | None:
        """A user's name and e-mail address, if the user exists."""
        ...
