"""The one exception a handler raises when what it was asked to do cannot be done with the given input."""

from __future__ import annotations


class HandlerInputError(ValueError):
    """The handler's input is wrong (unknown payment, invoice already used, annulled twice...).

    The engine turns it into a 4xx answer for the user: the step is rolled back and no incident is opened.
    ``field`` names the input parameter at fault, or is None when no single field is to blame.
    Any other exception raised by a handler is a fault of the system and becomes an incident.
    """

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field

    def __str__(self) -> str:
        return f"{self.field}: {self.message}" if self.field else self.message
